// The input of the pure OCI spec builder (runtime-spec.ts): what the container service decides about a
// container, in the builder's terms. Re-exported by engine/containers/runtime-contract.ts.

/** Everything the pure spec builder (lib/oci/runtime-spec.ts) needs to write a bundle's config.json. */
export interface SpecInput {
  /** Host path of the mounted rootfs (the overlay's merged dir). */
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  hostname: string;
  /** Extra mounts after Docker's defaults (/proc, /dev, /sys...): binds, volumes, tmpfs, /etc/hosts etc. */
  mounts: { destination: string; source: string; type: 'bind' | 'tmpfs'; options: string[] }[];
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** 'none' = own netns with loopback only; 'host' = share the host's; 'path' = join an existing netns. */
  network: { mode: 'none' } | { mode: 'host' } | { mode: 'path'; path: string };
  /**
   * PID, IPC and UTS namespaces other than a private one: 'host' shares the host's (no namespace),
   * a path joins another container's (--pid/--ipc container:NAME). Absent: private, as Docker.
   */
  shared?: { pid?: SharedNamespace; ipc?: SharedNamespace; uts?: 'host' };
  resources: {
    memory?: number;
    memorySwap?: number;
    memoryReservation?: number;
    nanoCpus?: number;
    cpuShares?: number;
    cpuQuota?: number;
    cpuPeriod?: number;
    cpusetCpus?: string;
    pidsLimit?: number;
  };
  /** cgroupsPath for runc: "/berth/<id>" style on cgroupfs (v1 here, v2 elsewhere). */
  cgroupsPath: string;
  /** Requested rlimits (--ulimit); the builder clamps these and its defaults to the host's hard limits. */
  ulimits: { name: string; soft: number; hard: number }[];
  /** The host's hard limits per rlimit type (RLIMIT_NOFILE...), read by the caller; the builder never does I/O. */
  hostHardLimits: Record<string, number>;
  sysctls: Record<string, string>;
  shmSize: number;
  oomScoreAdj?: number;
  /** When set (--init), args are prefixed by this init binary (bind-mounted at /sbin/docker-init style path). */
  init?: { hostPath: string; containerPath: string };
  maskedPaths?: string[];
  readonlyPaths?: string[];
  noNewPrivileges: boolean;
  /** (Added by the runtime adapters.) Private cgroup namespace: Docker's default on cgroup v2 hosts only. */
  cgroupNamespace?: boolean;
  /** (Added.) false when the host lacks swap accounting: the memory limit then carries no swap limit. */
  swapAccounting?: boolean;
  /** (Added.) Capabilities the host can grant (its bounding set); privileged and ALL are cut to these. */
  hostCapabilities?: string[];
}

/** A namespace shared instead of made: the host's, or another process's by /proc path. */
export type SharedNamespace = { mode: 'host' } | { mode: 'path'; path: string };
