// Which daemon the client talks to: `-H/--host`, then BERTH_HOST, then DOCKER_HOST, then berth's default
// socket; and how a host string (`unix:///path`, `tcp://addr:port`) becomes a node:http target.

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

/** A daemon address node:http can dial: a unix socket path, or a TCP host and port. */
export type DaemonAddress =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; host: string; port: number; url: string };

/** Picks the host string the way docker does, with BERTH_HOST taking precedence over DOCKER_HOST. */
export function chooseHost(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag) return flag;
  if (env.BERTH_HOST) return env.BERTH_HOST;
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return DEFAULT_HOST;
}

/**
 * Parses `unix:///run/x.sock`, `tcp://127.0.0.1:2375`, `tcp://[::1]:2375`, `tcp://host` (port 2375 like
 * docker's default plain-HTTP port). Anything else is refused with docker's wording.
 */
export function parseHost(h: string): DaemonAddress {
  const s = h.trim();
  if (s.startsWith('unix://')) {
    const socketPath = s.slice('unix://'.length);
    if (!socketPath) throw new Error(`unable to parse docker host \`${h}\``);
    return { kind: 'unix', socketPath, url: s };
  }
  if (s.startsWith('tcp://') || s.startsWith('http://')) {
    const rest = s.slice(s.indexOf('://') + 3).replace(/\/+$/, '');
    let host: string;
    let port = 2375;
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    if (v6) {
      host = v6[1]!;
      if (v6[2]) port = Number(v6[2]);
    } else {
      const i = rest.lastIndexOf(':');
      host = i >= 0 ? rest.slice(0, i) : rest;
      if (i >= 0) port = Number(rest.slice(i + 1));
    }
    if (!host) host = '127.0.0.1';
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`unable to parse docker host \`${h}\``);
    return { kind: 'tcp', host, port, url: s };
  }
  throw new Error(`unable to parse docker host \`${h}\``);
}
