// The container service's own model: what berthd stores per container in
// <dataRoot>/containers/<id>/config.json. Config and HostConfig are kept as the client gave them
// (merged with the image's defaults), as Docker keeps them, because inspect must echo them back;
// everything berthd decided (mounts, paths, state) lives in camelCase fields beside them.
import type { ContainerConfig, HostConfig, NetworkingConfig } from '../../api/types/containers.js';
import type { Digest } from '../images/image-service-contract.js';
import type { PublishedPort } from '../../lib/net/ports.js';
import type { HealthState } from './health-check.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Go's zero time as Docker prints it for "never". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  /** conmon's PID while running (kept so a restarted berthd can tell whether its monitor lives). */
  conmonPid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  /** State.Health, for containers with a healthcheck (kept after the exit, as Docker's). */
  health?: HealthState;
}

export interface MountRecord {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name (named or anonymous). */
  name?: string;
  /** Host path (the volume's mountpoint for volumes, empty for tmpfs). */
  source: string;
  destination: string;
  driver?: string;
  /** Docker's Mode column: "ro", "z", "" ... as given. */
  mode: string;
  rw: boolean;
  propagation: string;
  /** Anonymous volumes are removed with `rm -v` and with AutoRemove. */
  anonymous?: boolean;
  /** Copy the image's content at `destination` into the volume at first start (Docker's nocopy=false). */
  copyImageContent?: boolean;
  /** Docker lists --tmpfs mounts nowhere in inspect (only --mount type=tmpfs ones). */
  hidden?: boolean;
  /** tmpfs mount options (size=, mode=...). */
  tmpfsOptions?: string[];
  /** Options for the OCI mount beyond ro/rw (e.g. "rprivate"). */
  bindOptions?: string[];
}

/** One network endpoint of a running container, as networking reports it (filled by the networking issue). */
export interface EndpointRecord {
  network: string;
  networkId: string;
  endpointId: string;
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  aliases: string[];
  /** The host end of the container's veth (bridge networks), and its name inside (eth0, eth1...). */
  hostIf?: string;
  ifName?: string;
  /** Names the network's DNS answers for this container (user-defined networks). */
  dnsNames?: string[];
}

export interface ContainerRecord {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  /** Path and Args as inspect shows them: the first word of Entrypoint+Cmd and the rest. */
  path: string;
  args: string[];
  /** Image ID (config digest) and the reference the user gave (Config.Image). */
  image: Digest;
  imageRef: string;
  /** The image's unpacked layer directories at create time, lowest first. */
  layerDirs: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig?: NetworkingConfig;
  state: ContainerStateRecord;
  mounts: MountRecord[];
  restartCount: number;
  /** Effective log rotation: bytes (-1 = unlimited) and files kept (including the live one). */
  logMaxSize: number;
  logMaxFile: number;
  /** Set by a failed or in-progress removal so a restarted berthd finishes the job. */
  removalInProgress?: boolean;
  /** What networking set up for the current run (none while stopped, or with network none/host). */
  network?: { sandboxKey: string; endpoints: EndpointRecord[]; ports?: PublishedPort[] };
  /** Stopped or killed by a user: restart policies wait for the next manual start (unless-stopped survives daemon restarts). */
  manuallyStopped?: boolean;
  /** True once the image content was copied into its volumes (first start). */
  volumesPopulated?: boolean;
}

/** Paths berthd derives for a container; computed, never stored, so a moved data root still works. */
export interface ContainerPaths {
  dir: string;
  configFile: string;
  bundleDir: string;
  hostnameFile: string;
  hostsFile: string;
  resolvConfFile: string;
  logFile: string;
  execDir: string;
  overlayDir: string;
  upperDir: string;
  workDir: string;
  mergedDir: string;
}
