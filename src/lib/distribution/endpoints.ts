// Where a registry named in an image reference is reached, as dockerd decides it: Docker Hub
// ("docker.io") through the --registry-mirror URLs first and then its real address; hosts on the
// loopback (127.0.0.0/8, ::1, localhost) and those --insecure-registry names (host[:port] or a CIDR)
// over TLS without verification or plain HTTP; every other registry over verified TLS. Pure.

export interface EndpointOptions {
  mirrors: readonly string[];
  insecure: readonly string[];
  /** Where docker.io goes after the mirrors (berth's --docker-hub-url; tests point it at loopback). */
  hub?: string;
}

export interface Endpoint {
  /** Base URL without a trailing slash: "https://registry-1.docker.io", "http://127.0.0.1:5000". */
  url: string;
  /** Whether TLS certificates are checked (false only for insecure registries). */
  tlsVerify: boolean;
  mirror: boolean;
}

export const DOCKER_HUB_URL = 'https://registry-1.docker.io';
/** Docker Hub's search (v1 index) address. */
export const DOCKER_INDEX_URL = 'https://index.docker.io';

function splitHostPort(hostPort: string): { host: string; port?: string } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (m) return { host: m[1]!, port: m[2] };
  const i = hostPort.lastIndexOf(':');
  if (i > 0 && hostPort.indexOf(':') === i) return { host: hostPort.slice(0, i), port: hostPort.slice(i + 1) };
  return { host: hostPort };
}

function ipv4ToInt(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return p.reduce((n, x) => n * 256 + Number(x), 0);
}

export function isLoopbackHost(hostPort: string): boolean {
  const { host } = splitHostPort(hostPort);
  if (host === 'localhost' || host === '::1') return true;
  const n = ipv4ToInt(host);
  return n !== undefined && n >>> 24 === 127;
}

/** Whether `hostPort` is named by one --insecure-registry entry (host, host:port, or an IPv4 CIDR). */
export function isInsecure(hostPort: string, insecure: readonly string[]): boolean {
  const { host } = splitHostPort(hostPort);
  for (const raw of insecure) {
    const e = raw.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    if (e === hostPort || e === host) return true;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(e);
    if (cidr) {
      const net = ipv4ToInt(cidr[1]!);
      const ip = ipv4ToInt(host);
      const bits = Number(cidr[2]);
      if (net === undefined || ip === undefined || bits > 32) continue;
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      if (((net & mask) >>> 0) === ((ip & mask) >>> 0)) return true;
    }
  }
  return false;
}

/** Normalises a --registry-mirror value; throws on anything but an http(s) URL without a path. */
export function normaliseMirror(url: string): string {
  const m = /^(https?):\/\/([^/?#\s]+)\/*$/.exec(url.trim());
  if (!m) throw new Error(`invalid mirror: "${url}" is not a valid URI (an http:// or https:// URL without a path)`);
  return `${m[1]}://${m[2]}`;
}

/** The endpoints to try, in order, for a registry domain of an image reference. */
export function endpointsFor(domain: string, opts: EndpointOptions): Endpoint[] {
  if (domain === 'docker.io') {
    const mirrors = opts.mirrors.map((u) => {
      const url = normaliseMirror(u);
      const hostPort = url.replace(/^https?:\/\//, '');
      return { url, tlsVerify: !(isLoopbackHost(hostPort) || isInsecure(hostPort, opts.insecure)), mirror: true };
    });
    const hub = opts.hub ? normaliseMirror(opts.hub) : DOCKER_HUB_URL;
    return [...mirrors, { url: hub, tlsVerify: hub.startsWith('https://') && hub === DOCKER_HUB_URL, mirror: false }];
  }
  if (isLoopbackHost(domain)) return [{ url: `http://${domain}`, tlsVerify: false, mirror: false }];
  if (isInsecure(domain, opts.insecure)) {
    return [
      { url: `https://${domain}`, tlsVerify: false, mirror: false },
      { url: `http://${domain}`, tlsVerify: false, mirror: false },
    ];
  }
  return [{ url: `https://${domain}`, tlsVerify: true, mirror: false }];
}
