// Networks and what containers get of them. Owns the network records (the built-in bridge, host and
// none, and user-defined bridge networks), one address pool per network, the host ports held for
// published ports, and the daemon's packet-filter chains. It is the ContainerNetworking the
// container service calls: prepare (addresses and ports chosen, before the runtime create), plumb
// (veths into the new namespace, rules) and release (all of it given back).
//
// Nothing of a running container's network lives only here: its endpoints and published ports are in
// its record, so a restarted daemon re-marks them (adopt) and rewrites the same rules.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, ForbiddenError, InvalidParameterError, NotFoundError } from '../../errors.js';
import type { Logger } from '../../daemon/logger.js';
import type { EventBus } from '../events.js';
import { Pool, cidrsOverlap, macForIp, normalizeMac, numberToIp, parseCidr, pickFreeSubnet, type Cidr } from '../../lib/net/ipam.js';
import { portRequests, type PublishedPort } from '../../lib/net/ports.js';
import { computeRules } from '../../lib/net/rules.js';
import { chainNames, deleteLink, ensureBridge, ensureJumps, linkExists, plumbIntoNetns, plumbVeth, replaceChains } from '../../host/bridge-net.js';
import { createNetnsFile, netnsFilesAvailable, removeNetnsFile } from '../../host/netns-file.js';
import type { ContainerNetworking, NetworkAttachment } from '../containers/container-host.js';
import type { ContainerRecord, EndpointRecord } from '../containers/container-model.js';
import type { EndpointSettings, HostConfig, NetworkingConfig } from '../../api/types/containers.js';
import { NetworkStore, type NetworkRecord } from './network-store.js';
import { reservePorts, rehold, type Reservation } from './port-reservations.js';
import { NetworkDns } from './dns-server.js';

export interface NetworkServiceOptions {
  dataRoot: string;
  /** The default bridge's name (-b) and gateway address with prefix (--bip); also the chains' tag. */
  bridge: string;
  bip: string;
  /** Where the embedded DNS sends names it does not know (empty: the host's resolvers). */
  dns?: string[];
  events: EventBus;
  log: Logger;
}

export interface CreateNetworkRequest {
  name: string;
  driver?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  ipam?: { subnet?: string; gateway?: string; ipRange?: string }[];
  checkDuplicate?: boolean;
}

/** What one container holds while it runs: its endpoints (with their networks) and its ports. */
type LiveEndpoint = EndpointRecord & { bridge: string; hostIf: string; ifName: string };

interface Attachment {
  endpoints: LiveEndpoint[];
  reservations: Reservation[];
  ports: PublishedPort[];
}

const BUILTIN_NAMES = ['bridge', 'host', 'none'];

/** The networks a container's configuration asks for, in order: NetworkMode first. */
export function requestedNetworks(c: ContainerRecord): string[] {
  const mode = c.hostConfig.NetworkMode ?? '';
  const first = mode === '' || mode === 'default' ? 'bridge' : mode;
  const out = [first];
  for (const raw of Object.keys(c.networkingConfig?.EndpointsConfig ?? {})) {
    const k = raw === 'default' ? 'bridge' : raw;
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

export class NetworkService implements ContainerNetworking {
  readonly store: NetworkStore;
  private readonly pools = new Map<string, Pool>();
  private readonly attached = new Map<string, Attachment>();
  private readonly tag: string;
  /** Serializes rule rewrites: each writes the whole state, so the last one must see the last state. */
  private rulesChain: Promise<void> = Promise.resolve();
  private readonly names = new Map<string, string>();
  private readonly dns: NetworkDns;
  /**
   * Where bridge containers' network namespaces are made ahead of their runtime create (null: not
   * here; runc makes the namespace and the veth is wired after its create, as before).
   */
  private readonly netnsDir: string | null;
  /** The veth wiring of a namespace made ahead, under way beside the runtime's create (see prepare). */
  private readonly plumbing = new Map<string, Promise<void>>();

  constructor(private readonly o: NetworkServiceOptions) {
    this.store = new NetworkStore(path.join(o.dataRoot, 'networks'), o.log);
    this.netnsDir = netnsFilesAvailable() ? path.join(o.dataRoot, 'netns') : null;
    if (this.netnsDir) fs.mkdirSync(this.netnsDir, { recursive: true, mode: 0o700 });
    this.tag = o.bridge;
    this.dns = new NetworkDns((networkId, name) => this.resolveName(networkId, name), o.log, o.dns ?? []);
  }

  /** The addresses a name has on a network: its containers' names, aliases and short IDs. */
  resolveName(networkId: string, name: string): string[] {
    const out: string[] = [];
    for (const a of this.attached.values()) {
      for (const e of a.endpoints) if (e.networkId === networkId && e.dnsNames?.some((n) => n.toLowerCase() === name)) out.push(e.ipAddress);
    }
    return out;
  }

  /** Stops answering DNS (daemon shutdown). */
  close(): void {
    this.dns.close();
  }

  async init(): Promise<void> {
    await this.store.init();
    const bip = parseCidr(this.o.bip);
    if (!bip) throw new InvalidParameterError(`invalid --bip ${this.o.bip}`);
    const byName = (n: string) => this.store.list().find((r) => r.name === n);
    const defaultSubnet = `${numberToIp(bip.base)}/${bip.prefix}`;
    const gateway = this.o.bip.split('/')[0]!;
    const existing = byName('bridge');
    if (!existing || existing.bridge !== this.o.bridge || existing.subnet !== defaultSubnet || existing.gateway !== gateway) {
      // First start, or -b/--bip changed: the default bridge network follows the flags.
      await this.store.save({
        id: existing?.id ?? newId(),
        name: 'bridge',
        created: existing?.created ?? new Date().toISOString(),
        driver: 'bridge',
        bridge: this.o.bridge,
        subnet: defaultSubnet,
        gateway,
        internal: false,
        labels: {},
        options: {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          'com.docker.network.bridge.name': this.o.bridge,
          'com.docker.network.driver.mtu': '1500',
        },
        builtin: true,
        isDefault: true,
      });
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!byName(name)) await this.store.save({ id: newId(), name, created: new Date().toISOString(), driver, internal: false, labels: {}, options: {}, builtin: true });
    }
    for (const n of this.store.list()) {
      if (n.driver !== 'bridge') continue;
      this.pools.set(n.id, new Pool({ subnet: n.subnet!, gateway: n.gateway!, ...(n.ipRange ? { ipRange: n.ipRange } : {}) }));
      await ensureBridge(n.bridge!, `${n.gateway}/${parseCidr(n.subnet!)!.prefix}`, this.o.log);
      if (!n.isDefault) await this.dns.serve(n.id, n.gateway!);
    }
    // The chains are rewritten by adopt(), once the running containers' ports are known: rewriting
    // them here would drop every published port's rule until then.
  }

  /**
   * After the container service loaded its records: takes back what running containers hold
   * (addresses, ports) and writes the rules. Must be called once, before the API serves.
   */
  async adopt(running: ContainerRecord[]): Promise<void> {
    for (const c of running) {
      if (!c.network?.endpoints.length) continue;
      const eps: Attachment['endpoints'] = [];
      for (const e of c.network.endpoints) {
        const n = this.store.get(e.networkId);
        const pool = n && this.pools.get(n.id);
        if (!n || !pool) continue;
        if (!pool.inUse(e.ipAddress)) pool.claim(e.ipAddress);
        eps.push({ ...e, bridge: n.bridge!, hostIf: e.hostIf ?? '', ifName: e.ifName ?? `eth${eps.length}` });
      }
      const ports = c.network.ports ?? [];
      this.attached.set(c.id, { endpoints: eps, ports, reservations: await rehold(ports) });
      this.names.set(c.id, c.name);
    }
    // Namespace files of containers that are no longer running (they ended, or a crash came between
    // a namespace's making and its container's start): nothing will join them again.
    if (this.netnsDir) {
      const live = new Set(running.map((c) => c.id));
      for (const name of fs.readdirSync(this.netnsDir)) {
        if (!live.has(name)) await removeNetnsFile(path.join(this.netnsDir, name)).catch((e) => this.o.log.warn(`removing the stale namespace ${name}`, e));
      }
    }
    // The chains first, then the jumps into them (a first start has neither).
    await this.syncRules();
    await ensureJumps(this.tag, this.o.log);
  }

  // ------------------------------------------------------------------ lookups

  find(idOrName: string): NetworkRecord {
    const all = this.store.list();
    const hit = all.find((n) => n.id === idOrName) ?? all.find((n) => n.name === idOrName) ?? (idOrName.length >= 1 ? uniquePrefix(all, idOrName) : undefined);
    if (!hit) throw new NotFoundError(`network ${idOrName} not found`);
    return hit;
  }

  list(): NetworkRecord[] {
    return this.store.list();
  }

  /** The containers on a network, for network inspect: id → endpoint. */
  containersOn(networkId: string): Array<{ containerId: string; name: string; endpoint: EndpointRecord }> {
    const out: Array<{ containerId: string; name: string; endpoint: EndpointRecord }> = [];
    for (const [cid, a] of this.attached) for (const e of a.endpoints) if (e.networkId === networkId) out.push({ containerId: cid, name: this.names.get(cid) ?? '', endpoint: e });
    return out;
  }

  // ------------------------------------------------------------------ create / remove

  async create(req: CreateNetworkRequest): Promise<{ id: string; warning: string }> {
    const name = req.name;
    // Docker takes any non-empty name (spaces and all); berth stores it only in JSON.
    if (!name) throw new InvalidParameterError('invalid name: network name must not be empty');
    if (BUILTIN_NAMES.includes(name)) throw new ForbiddenError(`${name} is a pre-defined network and cannot be created`);
    if (this.store.list().some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const driver = req.driver || 'bridge';
    if (driver !== 'bridge') throw new NotFoundError(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
    if ((req.ipam?.length ?? 0) > 1) throw new InvalidParameterError('berth networks have one IPv4 subnet');
    const ipam = req.ipam?.[0] ?? {};
    const taken = this.takenSubnets();
    let subnet: string;
    if (ipam.subnet) {
      const c = parseCidr(ipam.subnet);
      if (!c) throw new InvalidParameterError(`invalid CIDR address: ${ipam.subnet}`);
      subnet = `${numberToIp(c.base)}/${c.prefix}`;
      const clash = this.store.list().find((n) => n.subnet && cidrsOverlap(parseCidr(n.subnet)!, c));
      if (clash) throw new ForbiddenError(`Pool overlaps with other one on this address space`);
    } else {
      if (ipam.gateway || ipam.ipRange) throw new InvalidParameterError('a gateway or ip-range needs a --subnet');
      subnet = pickFreeSubnet(taken, this.subnetSearchStart());
    }
    // Validates the gateway and range against the subnet before anything is made.
    const pool = new Pool({ subnet, ...(ipam.gateway ? { gateway: ipam.gateway } : {}), ...(ipam.ipRange ? { ipRange: ipam.ipRange } : {}) });
    const id = newId();
    const options = { ...(req.options ?? {}) };
    const bridge = options['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge)) throw new InvalidParameterError(`invalid bridge name ${bridge}`);
    if (this.store.list().some((n) => n.bridge === bridge) || linkExists(bridge)) throw new ConflictError(`bridge ${bridge} already exists on the host`);
    const rec: NetworkRecord = {
      id,
      name,
      created: new Date().toISOString(),
      driver: 'bridge',
      bridge,
      subnet,
      gateway: pool.gatewayIp,
      ...(ipam.ipRange ? { ipRange: ipam.ipRange } : {}),
      internal: !!req.internal,
      labels: req.labels ?? {},
      options,
      builtin: false,
    };
    try {
      // The bridge and the record at once: a failure of either removes both (below), and a crash
      // between them leaves a bridge without a record, which no start adopts, or a record whose
      // bridge the next start makes.
      await Promise.all([ensureBridge(bridge, `${rec.gateway}/${pool.prefixLen}`, this.o.log), this.store.save(rec)]);
      this.pools.set(id, pool);
      await this.syncRules();
      await this.dns.serve(id, rec.gateway!);
    } catch (e) {
      this.pools.delete(id);
      await this.store.remove(id).catch(() => {});
      await deleteLink(bridge, this.o.log).catch(() => {});
      throw e;
    }
    this.o.events.publish({ type: 'network', action: 'create', id, attributes: { name, type: 'bridge' } });
    return { id, warning: '' };
  }

  async remove(idOrName: string): Promise<void> {
    const n = this.find(idOrName);
    if (n.builtin) throw new ForbiddenError(`${n.name} is a pre-defined network and cannot be removed`);
    if (this.containersOn(n.id).length) throw new ForbiddenError(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    this.dns.stop(n.id);
    await this.store.remove(n.id);
    this.pools.delete(n.id);
    await this.syncRules();
    if (n.bridge) await deleteLink(n.bridge, this.o.log);
    this.o.events.publish({ type: 'network', action: 'destroy', id: n.id, attributes: { name: n.name, type: 'bridge' } });
  }

  /** Set by the daemon: whether any container (running or not) names the network in its config. */
  hasUser?: (n: NetworkRecord) => boolean;

  async prune(until?: number, labelFilter?: (labels: Record<string, string>) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const n of this.store.list()) {
      if (n.builtin || this.containersOn(n.id).length || this.hasUser?.(n)) continue;
      if (until !== undefined && Date.parse(n.created) >= until) continue;
      if (labelFilter && !labelFilter(n.labels)) continue;
      await this.remove(n.id);
      removed.push(n.name);
    }
    return removed;
  }

  // ------------------------------------------------------------------ ContainerNetworking

  validate(hc: HostConfig, nc: NetworkingConfig | undefined): void {
    const mode = hc.NetworkMode ?? '';
    const publishes = Object.values(hc.PortBindings ?? {}).some((b) => Array.isArray(b) && b.length > 0) || !!hc.PublishAllPorts;
    if (mode.startsWith('container:')) {
      if (mode.length === 'container:'.length) throw new InvalidParameterError(`invalid container format container:<name|id>`);
      if (publishes) throw new InvalidParameterError('conflicting options: port publishing and the container type network mode');
      return;
    }
    if (mode === 'none' && publishes) throw new InvalidParameterError('conflicting options: port publishing and the container type network mode');
    if (mode !== '' && mode !== 'default' && mode !== 'host') this.find(mode);
    for (const [k, cfg] of Object.entries(nc?.EndpointsConfig ?? {})) {
      if (k === 'default') continue;
      const n = this.find(k);
      if (n.driver !== 'bridge' && k !== mode) throw new InvalidParameterError(`container cannot be connected to network ${n.name} with other networks`);
      if (cfg?.MacAddress && !normalizeMac(cfg.MacAddress)) throw new InvalidParameterError(`invalid MAC address ${cfg.MacAddress}`);
      const ip = (cfg?.IPAMConfig as { IPv4Address?: string } | null | undefined)?.IPv4Address;
      if (ip) {
        if (n.isDefault) throw new InvalidParameterError('user specified IP address is supported on user defined networks only');
        if (!this.pools.get(n.id)?.containsIp(ip)) throw new InvalidParameterError(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
      }
    }
    // Malformed bindings are a 400 now rather than a failed start later.
    portRequests(hc.PortBindings, undefined, false);
  }

  async prepare(c: ContainerRecord, lookupPid: (idOrName: string) => number): Promise<NetworkAttachment> {
    const mode = c.hostConfig.NetworkMode ?? '';
    if (mode === 'host') return { spec: { mode: 'host' } };
    if (mode === 'none') return { spec: { mode: 'none' } };
    if (mode.startsWith('container:')) {
      const other = mode.slice('container:'.length);
      const pid = lookupPid(other);
      if (!pid) throw new ConflictError(`cannot join network of a non running container: ${other}`);
      return { spec: { mode: 'path', path: `/proc/${pid}/ns/net` } };
    }
    await this.release(c); // a previous run's leftovers, if any
    const nets = requestedNetworks(c).map((n) => this.find(n));
    const endpoints: Attachment['endpoints'] = [];
    let reservations: Reservation[] = [];
    try {
      for (const [i, n] of nets.entries()) {
        if (n.driver !== 'bridge') throw new InvalidParameterError(`container cannot be connected to network ${n.name} with other networks`);
        const all = c.networkingConfig?.EndpointsConfig;
        const cfg = all?.[n.name] ?? all?.[n.id] ?? (i === 0 ? all?.[c.hostConfig.NetworkMode ?? ''] ?? all?.['default'] : undefined);
        endpoints.push(this.newEndpoint(c, n, cfg ?? {}, `eth${i}`));
      }
      const reqs = portRequests(c.hostConfig.PortBindings, c.config.ExposedPorts, !!c.hostConfig.PublishAllPorts);
      reservations = await reservePorts(reqs, { name: c.name, id: endpoints[0]!.endpointId }, (proto, hostIp, port) => this.portHeld(proto, hostIp, port));
    } catch (e) {
      for (const ep of endpoints) this.pools.get(ep.networkId)?.release(ep.ipAddress);
      throw e;
    }
    const ports = reservations.map((r) => r.port);
    this.attached.set(c.id, { endpoints, reservations, ports });
    this.names.set(c.id, c.name);
    let spec: NetworkAttachment['spec'] = { mode: 'none' };
    let sandboxKey: string | undefined;
    if (this.netnsDir) {
      // The namespace first (a millisecond, no process), then its wiring in the background: the
      // runtime's create joins the namespace by path meanwhile, and plumb() waits for the wiring.
      const file = path.join(this.netnsDir, c.id);
      try {
        createNetnsFile(file);
      } catch (e) {
        await this.release(c);
        throw e;
      }
      const job = (async () => {
        for (const [i, e] of endpoints.entries()) {
          await plumbIntoNetns(
            { netns: file, bridge: e.bridge, hostIf: e.hostIf, ifName: e.ifName, address: e.ipAddress, prefixLen: e.ipPrefixLen, mac: e.macAddress, ...(i === 0 ? { gateway: e.gateway, loopback: true } : {}) },
            this.o.log,
          );
        }
      })();
      job.catch(() => {}); // awaited (and reported) by plumb or release
      this.plumbing.set(c.id, job);
      spec = { mode: 'path', path: file };
      sandboxKey = file;
    }
    // Containers on a user-defined network ask its DNS server (on the gateway) first; on the default
    // bridge they get the host's resolvers, as Docker's do.
    const first = nets[0]!;
    return {
      spec,
      address: endpoints[0]!.ipAddress,
      endpoints: endpoints.map(stripBridge),
      ports,
      ...(sandboxKey ? { sandboxKey } : {}),
      ...(first.isDefault ? {} : { nameservers: [first.gateway!] }),
    };
  }

  async plumb(c: ContainerRecord, pid: number, att: NetworkAttachment): Promise<void> {
    const a = this.attached.get(c.id);
    if (!a) return;
    const ahead = this.plumbing.get(c.id);
    if (ahead) {
      this.plumbing.delete(c.id);
      await ahead;
    } else {
      for (const [i, e] of a.endpoints.entries()) {
        await plumbVeth({ pid, bridge: e.bridge, hostIf: e.hostIf, ifName: e.ifName, address: e.ipAddress, prefixLen: e.ipPrefixLen, mac: e.macAddress, ...(i === 0 ? { gateway: e.gateway } : {}) }, this.o.log);
      }
      att.sandboxKey = `/proc/${pid}/ns/net`;
    }
    if (a.ports.length) await this.syncRules();
  }

  async connect(c: ContainerRecord, network: string, cfg: EndpointSettings): Promise<EndpointRecord> {
    const n = this.find(network);
    if (n.driver !== 'bridge') throw new ForbiddenError(`container cannot be connected to network ${n.name}`);
    let a = this.attached.get(c.id);
    if (!a) {
      a = { endpoints: [], reservations: [], ports: [] };
      this.attached.set(c.id, a);
      this.names.set(c.id, c.name);
    }
    const used = new Set(a.endpoints.map((e) => e.ifName));
    let k = 0;
    while (used.has(`eth${k}`)) k++;
    const ep = this.newEndpoint(c, n, cfg, `eth${k}`);
    const pool = this.pools.get(n.id)!;
    const ip = ep.ipAddress;
    try {
      await plumbVeth({ pid: c.state.pid, bridge: ep.bridge, hostIf: ep.hostIf, ifName: ep.ifName, address: ip, prefixLen: ep.ipPrefixLen, mac: ep.macAddress }, this.o.log);
    } catch (e) {
      pool.release(ip);
      throw e;
    }
    a.endpoints.push(ep);
    return stripBridge(ep);
  }

  async disconnect(c: ContainerRecord, network: string): Promise<void> {
    const a = this.attached.get(c.id);
    if (!a) return;
    const n = this.find(network);
    const ep = a.endpoints.find((e) => e.networkId === n.id);
    if (!ep) return;
    if (ep.hostIf) await deleteLink(ep.hostIf, this.o.log);
    this.pools.get(n.id)?.release(ep.ipAddress);
    a.endpoints = a.endpoints.filter((e) => e !== ep);
    if (a.ports.length) await this.syncRules();
  }

  async release(c: ContainerRecord): Promise<void> {
    const ahead = this.plumbing.get(c.id);
    if (ahead) {
      this.plumbing.delete(c.id);
      await ahead.catch(() => {});
    }
    // The namespace made ahead (if any): unmounted, it goes with the container's last process, and
    // its veth with it.
    if (this.netnsDir) await removeNetnsFile(path.join(this.netnsDir, c.id)).catch((e) => this.o.log.warn(`removing the network namespace of ${c.id}`, e));
    const a = this.attached.get(c.id);
    if (!a) return;
    this.attached.delete(c.id);
    this.names.delete(c.id);
    for (const r of a.reservations) r.close();
    for (const e of a.endpoints) this.pools.get(e.networkId)?.release(e.ipAddress);
    // Nothing to delete: each veth lives in the container's namespace (made above, or by runc for its
    // init), and the kernel removes the pair when that namespace goes.
    if (a.ports.length) await this.syncRules();
  }

  // ------------------------------------------------------------------ internals

  /** An endpoint on a network: its address (--ip, or the pool's next), IDs, MAC, names. */
  private newEndpoint(c: ContainerRecord, n: NetworkRecord, cfg: EndpointSettings, ifName: string): LiveEndpoint {
    const pool = this.pools.get(n.id)!;
    const wanted = (cfg.IPAMConfig as { IPv4Address?: string } | null | undefined)?.IPv4Address;
    if (wanted && n.isDefault) throw new InvalidParameterError('user specified IP address is supported on user defined networks only');
    if (wanted) pool.claim(wanted);
    const ip = wanted || pool.allocate();
    const endpointId = randomBytes(32).toString('hex');
    const aliases = n.isDefault ? [] : [...(cfg.Aliases ?? [])];
    return {
      network: n.name,
      networkId: n.id,
      endpointId,
      ipAddress: ip,
      ipPrefixLen: pool.prefixLen,
      gateway: pool.gatewayIp,
      // --mac-address: the endpoint's own (API 1.44 and later), else the container's (older clients,
      // first network only); otherwise derived from the address, as Docker derives it.
      macAddress: normalizeMac(cfg.MacAddress || (ifName === 'eth0' ? c.config.MacAddress ?? '' : '')) ?? macForIp(ip),
      aliases,
      hostIf: `vb${endpointId.slice(0, 11)}`,
      ifName,
      bridge: n.bridge!,
      // Docker's DNS names on user-defined networks: the name, the short ID, the aliases.
      ...(n.isDefault ? {} : { dnsNames: [c.name, c.id.slice(0, 12), ...aliases] }),
    };
  }

  private portHeld(proto: string, hostIp: string, port: number): boolean {
    for (const a of this.attached.values()) for (const p of a.ports) if (p.proto === proto && p.hostPort === port && (p.hostIp === hostIp || p.hostIp === '0.0.0.0' || hostIp === '0.0.0.0')) return true;
    return false;
  }

  /** Where this daemon's search for a free subnet starts: the default one for the usual name. */
  private subnetSearchStart(): number {
    if (this.tag === 'berth0') return 0;
    let h = 0;
    for (const ch of this.tag) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return (h % 41) * 256;
  }

  private takenSubnets(): Cidr[] {
    const out: Cidr[] = [];
    for (const n of this.store.list()) if (n.subnet) out.push(parseCidr(n.subnet)!);
    // The host's routes: other daemons' bridges, docker0, the host's own networks.
    try {
      for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 8 || f[1] === '00000000') continue;
        const le = (h: string) => parseInt(h.match(/../g)!.reverse().join(''), 16) >>> 0;
        const dest = le(f[1]!);
        const mask = le(f[7]!);
        const prefix = mask.toString(2).replace(/0/g, '').length;
        out.push({ base: dest, prefix });
      }
    } catch {
      // no /proc/net/route: only our own networks count
    }
    return out;
  }

  /** Rewrites the daemon's chains from the current networks and published ports. */
  private syncRules(): Promise<void> {
    const next = this.rulesChain.then(async () => {
      const networks = this.store
        .list()
        .filter((n) => n.driver === 'bridge')
        .map((n) => ({ bridge: n.bridge!, subnet: n.subnet!, internal: n.internal }));
      const ports = [];
      for (const a of this.attached.values()) {
        const first = a.endpoints[0];
        if (!first) continue;
        for (const p of a.ports) ports.push({ ...p, containerIp: first.ipAddress });
      }
      const rules = computeRules(chainNames(this.tag), networks, ports);
      await replaceChains(rules, this.o.log);
    });
    this.rulesChain = next.catch(() => {});
    return next;
  }
}

function stripBridge(e: EndpointRecord & { bridge: string }): EndpointRecord {
  const { bridge: _b, ...rest } = e;
  void _b;
  return rest;
}

function newId(): string {
  return randomBytes(32).toString('hex');
}


function uniquePrefix(all: NetworkRecord[], prefix: string): NetworkRecord | undefined {
  const hits = all.filter((n) => n.id.startsWith(prefix));
  if (hits.length > 1) throw new InvalidParameterError(`network ${prefix} is ambiguous (${hits.length} matches found based on ID prefix)`);
  return hits[0];
}
