// Pure builders of the files berthd bind-mounts into a container (/etc/hostname, /etc/hosts,
// /etc/resolv.conf), following Docker's libnetwork: loopback entries plus the container's own name,
// and the host's resolv.conf without loopback nameservers (they mean nothing inside another netns).

export interface HostsInput {
  hostname: string;
  domainname: string;
  /** 'host' copies the host's file; anything else builds Docker's default file. */
  networkMode: string;
  hostHosts: string;
  /** HostConfig.ExtraHosts: "name:ip" (Docker also accepts "name=ip"). */
  extraHosts: string[];
  /** The container's address on its network, when networking assigns one (later issue). */
  address?: string;
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

export function hostsFile(i: HostsInput): string {
  if (i.networkMode === 'host') return i.hostHosts.endsWith('\n') || i.hostHosts === '' ? i.hostHosts : i.hostHosts + '\n';
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const e of i.extraHosts) {
    const sep = e.includes('=') ? '=' : ':';
    const at = e.indexOf(sep);
    if (at <= 0) continue;
    lines.push(`${e.slice(at + 1)}\t${e.slice(0, at)}`);
  }
  const names = i.domainname ? `${i.hostname}.${i.domainname} ${i.hostname}` : i.hostname;
  // With an address (bridge networking) the name maps to it, as Docker writes it; without one
  // (network none) it maps to loopback so that tools resolving their own hostname still work.
  lines.push(`${i.address ?? '127.0.0.1'}\t${names}`);
  return lines.join('\n') + '\n';
}

export interface ResolvInput {
  hostResolv: string;
  networkMode: string;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
}

const DEFAULT_V4 = ['8.8.8.8', '8.8.4.4'];

function isLoopbackNameserver(ns: string): boolean {
  return ns.startsWith('127.') || ns === '::1' || ns === '0:0:0:0:0:0:0:1';
}

/** Docker's rules: --dns* replace the host's settings; loopback nameservers are dropped; none left = Google's. */
export function resolvConfFile(i: ResolvInput): string {
  const lines = i.hostResolv.split('\n');
  const hostNs: string[] = [];
  let hostSearch: string[] = [];
  let hostOptions: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const [key, ...vals] = line.split(/\s+/);
    if (key === 'nameserver' && vals[0]) hostNs.push(vals[0]);
    else if (key === 'search' || key === 'domain') hostSearch = vals;
    else if (key === 'options') hostOptions = [...hostOptions, ...vals];
  }
  if (i.networkMode === 'host' && i.dns.length === 0 && i.dnsSearch.length === 0 && i.dnsOptions.length === 0) {
    return i.hostResolv.endsWith('\n') || i.hostResolv === '' ? i.hostResolv : i.hostResolv + '\n';
  }
  let ns = i.dns.length ? i.dns : hostNs;
  if (i.networkMode !== 'host') ns = ns.filter((n) => !isLoopbackNameserver(n));
  if (ns.length === 0) ns = DEFAULT_V4;
  const search = i.dnsSearch.length ? i.dnsSearch.filter((s) => s !== '.') : hostSearch;
  const options = i.dnsOptions.length ? i.dnsOptions : hostOptions;
  const out: string[] = [];
  if (search.length) out.push(`search ${search.join(' ')}`);
  for (const n of ns) out.push(`nameserver ${n}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  return out.join('\n') + '\n';
}
