// berthd's settings, parsed from flags like dockerd's (see daemon/flags.ts). Passed to every service
// that needs a path or a default; nothing reads process.argv or the environment but the flag parser.
import path from 'node:path';
import type { LogLevel } from './logger.js';

export interface DaemonConfig {
  /** Persistent state: images, layers, containers, volumes (dockerd's --data-root, default /var/lib/berth). */
  dataRoot: string;
  /** Runtime state that dies with the host: sockets, runc state, conmon pids (default /run/berth). */
  execRoot: string;
  /** Listen addresses: unix:///path or tcp://addr:port. */
  hosts: string[];
  pidfile: string;
  /** Default bridge name and CIDR; used by the networking issue, accepted now. */
  bridge: string;
  bip: string;
  /** --tls (undefined: not given; false: plain TCP off loopback on purpose), --tlsverify and the files. */
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** --api-cors-header */
  corsOrigin?: string;
  /** --web: one more TCP listener, announced as the dashboard's address (tcp://…; '' for none). */
  web?: string;
  /** Upstream resolvers for the embedded DNS (empty: the host's resolv.conf). */
  dns: string[];
  logLevel: LogLevel;
  defaultRuntime: string;
  /** Default container log cap: rotate at this size, keep this many files (per container via --log-opt). */
  logMaxSize: number;
  logMaxFile: number;
  /** The default log driver (--log-driver): json-file unless told; see LOG_DRIVERS for what is accepted. */
  logDriver?: string;
  /** The daemon's --log-opt values as given; dockerd merges them into each container's LogConfig.Config. */
  logOpts: Record<string, string>;
  /** Group that may use the unix socket (socket mode 0660). */
  group: string;
  /**
   * Stage a new container's run (rootfs, bundle, runtime create) right after its create, so that the
   * start `docker run` sends next is quick (berth's own; --start-ahead=false turns it off).
   */
  startAhead: boolean;
  /** --registry-mirror URLs tried, in order, before Docker Hub for docker.io images. */
  registryMirrors: string[];
  /** --insecure-registry hosts (host[:port] or CIDR): TLS without verification, or plain HTTP. */
  insecureRegistries: string[];
  /** --max-concurrent-downloads / --max-concurrent-uploads (dockerd's defaults: 3 and 5). */
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Where docker.io images come from after the mirrors (berth's own --docker-hub-url). */
  dockerHubUrl?: string;
}

export function defaultConfig(overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  const execRoot = overrides.execRoot ?? '/run/berth';
  return {
    dataRoot: '/var/lib/berth',
    execRoot,
    hosts: [`unix://${path.join(execRoot, 'berth.sock')}`],
    pidfile: path.join(execRoot, 'berthd.pid'),
    bridge: 'berth0',
    bip: '172.30.0.1/16',
    dns: [],
    logLevel: 'info',
    defaultRuntime: 'runc',
    logMaxSize: 10 * 1024 * 1024,
    logMaxFile: 3,
    logOpts: {},
    group: 'root',
    startAhead: true,
    registryMirrors: [],
    insecureRegistries: [],
    maxConcurrentDownloads: 3,
    maxConcurrentUploads: 5,
    ...overrides,
  };
}
