// The machine-facing operations the container service needs besides the OCI runtime: overlay mounts,
// the OCI spec builder, host limits, cgroup cleanup, `ps` for top, the init binary, and the network
// hook. One real implementation (host-ops.ts, over src/host and src/lib/oci); unit tests pass fakes.
import type { SpecInput } from './runtime-contract.js';
import type { ContainerRecord, EndpointRecord } from './container-model.js';
import type { PublishedPort } from '../../lib/net/ports.js';
import type { NetCounters } from '../../lib/net/net-dev.js';
import type { EndpointSettings, HostConfig, NetworkingConfig } from '../../api/types/containers.js';
import type { CgroupStats } from '../../host/cgroup-stats.js';

export interface OverlayMount {
  /** Layer directories, top-most first (overlayfs lowerdir order). */
  lower: string[];
  upper: string;
  work: string;
  target: string;
}

export interface ContainerHostOps {
  /** Mounts (a no-op when mounted); `knownUnmounted` skips the check the caller just made. */
  mountOverlay(m: OverlayMount, opts?: { knownUnmounted?: boolean }): Promise<void>;
  unmountOverlay(target: string): Promise<void>;
  isMounted(target: string): Promise<boolean>;
  /** The OCI runtime spec (config.json content) for a container. Pure. */
  buildSpec(input: SpecInput): unknown;
  /** The host's hard rlimits by OCI name (RLIMIT_NOFILE...). */
  hostHardLimits(): Record<string, number>;
  /** Removes the container's cgroup directories if the runtime left any. */
  removeCgroup(cgroupsPath: string): Promise<void>;
  /** Runs `ps` with the given arguments and returns its stdout. */
  ps(args: string[]): Promise<string>;
  /** Host path of the init for --init (catatonit or tini), or null when none is installed. */
  initBinary(): string | null;
  /** The host's hostname (a container on the host network gets it). */
  hostname(): string;
  /** Usage counters of a container's cgroup (docker stats); null when it has none. */
  cgroupStats(cgroupsPath: string): Promise<CgroupStats | null>;
  /** The host's total CPU time (ns) and online CPU count, the denominators of docker stats' CPU %. */
  systemCpu(): Promise<{ totalNs: number; onlineCpus: number }>;
  /** Interface counters inside the network namespace of `pid` (docker stats' networks); null when unreadable. */
  netStats?(pid: number): Promise<Record<string, NetCounters> | null>;
  /** Whether the kernel accounts swap (memsw files): without it no swap limit is set. */
  swapAccounting?(): boolean;
  /** Text of the host's /etc/hosts and /etc/resolv.conf. */
  readHostFile(p: '/etc/hosts' | '/etc/resolv.conf'): Promise<string>;
}

/** What networking decided for one run of a container. */
export interface NetworkAttachment {
  spec: SpecInput['network'];
  /** The container's address for /etc/hosts, when it has one. */
  address?: string;
  /** For inspect's NetworkSettings: the namespace path and one entry per network joined. */
  sandboxKey?: string;
  endpoints?: EndpointRecord[];
  /** Nameservers for the container's resolv.conf (a user-defined network's DNS), unless --dns says. */
  nameservers?: string[];
  /** Host ports published for the container (held from prepare on). */
  ports?: PublishedPort[];
}

/**
 * The seam where the networking issue plugs in: called before runtime.create (make the netns, veths,
 * addresses) and after the container stopped (tear them down). The default handles none and host and
 * treats default/bridge as none until bridge networking exists.
 */
export interface ContainerNetworking {
  prepare(c: ContainerRecord, lookupPid: (idOrName: string) => number): Promise<NetworkAttachment>;
  release(c: ContainerRecord): Promise<void>;
  /**
   * Called once the runtime made the container's namespaces (its init waits, not yet started):
   * bridge networking wires the network namespace of `pid` here. A failure fails the start.
   */
  plumb?(c: ContainerRecord, pid: number, att: NetworkAttachment): Promise<void>;
  /** Joins a running container to one more network (docker network connect). */
  connect?(c: ContainerRecord, network: string, cfg: EndpointSettings): Promise<EndpointRecord>;
  /** Takes a running container off a network. */
  disconnect?(c: ContainerRecord, network: string): Promise<void>;
  /** Checks a create's network mode, networks and port bindings before anything is stored. */
  validate?(hc: HostConfig, nc: NetworkingConfig | undefined): void;
}
