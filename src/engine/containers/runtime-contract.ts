// The seam between the container service (engine/containers) and the OCI runtime adapters
// (host/runc.ts, host/conmon.ts). The service decides what a container is; the runtime makes it so.
// One real implementation (conmon monitoring runc); fakes only in unit tests of the service.
import type { Readable } from 'node:stream';

// SpecInput is defined beside the pure builder that consumes it (lib never imports engine/).
export type { SpecInput } from '../../lib/oci/spec-input.js';

export interface RuntimeCreateOptions {
  id: string;
  /** Directory holding config.json (written by the caller) and conmon's files (pidfile, ctl, winsz). */
  bundleDir: string;
  /** k8s-file log that conmon writes: `TIMESTAMP stdout|stderr F|P text` per line; null keeps none. */
  logPath: string | null;
  /** conmon's own hard cap (a backstop while berthd is down; berthd rotates below it). -1 = none. */
  logSizeMax: number;
  tty: boolean;
  /** Keep a stdin pipe open into the container (docker -i). */
  openStdin: boolean;
  /** Close the container's stdin when the first attached client closes its stdin (docker run -i). */
  stdinOnce: boolean;
}

export interface ExitInfo {
  exitCode: number;
  finishedAt: Date;
  oomKilled: boolean;
}

export interface AttachStreams {
  /** Bytes for the container's stdin. When it ends, the container's stdin is closed if stdinOnce. */
  stdin?: Readable;
  /** Output as it arrives. With a TTY everything is 'stdout'. */
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
}

export interface AttachHandle {
  /** Settles when the container's output ends (it exited) or the handle was closed. */
  readonly done: Promise<void>;
  close(): void;
}

export interface ExecOptions {
  containerId: string;
  execId: string;
  /** Where the runtime may keep the exec's files (process.json, conmon sockets, exit file). */
  execDir: string;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  openStdin: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  consoleSize?: { height: number; width: number };
  /**
   * (Added by the container service.) When given, the runtime connects these streams BEFORE the
   * process runs, so output written at once (`docker exec c echo hi`) is not lost; the service then
   * does not call handle.attach(). Without it, attach() after exec() may miss early output.
   * `exited` should settle only after the process's output was delivered to these streams, so that
   * the exec stream can end with the exit code already known (the docker CLI inspects it next).
   */
  streams?: AttachStreams;
  /**
   * A healthcheck probe (health-probe.ts): the runtime may run it through a shared helper, kill it at
   * `timeoutMs`, and hand its output (stdout and stderr together, as Docker keeps a probe's) to the
   * streams once, at its end. exec() may then resolve only when the probe has ended.
   */
  probe?: { timeoutMs: number };
}

export interface ExecHandle {
  readonly pid: number;
  /** Attach before the process can produce output you need; output is not buffered for late attachers. */
  attach(streams: AttachStreams): Promise<AttachHandle>;
  resize(height: number, width: number): Promise<void>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number>;
}

/** Limits for `runc update`; absent fields keep their values. */
export interface ResourceUpdate {
  memory?: number;
  /** memory + swap; -1 unlimited */
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
}

export interface RuntimeState {
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

export interface ContainerRuntime {
  /**
   * Runs conmon, which runs `runc create`; resolves with the init PID once created (not started).
   * With `ready`, the monitor is started at once (its own start-up overlaps the caller's work) and
   * runs the runtime only when `ready` resolves: the bundle's config.json and the rootfs must exist
   * by then, not before; the bundle directory itself must exist at the call. If `ready` rejects, the
   * monitor is killed before it runs anything and create rejects with that error.
   */
  create(opts: RuntimeCreateOptions, ready?: Promise<void>): Promise<{ pid: number; conmonPid: number }>;
  /** Lets the created init run; `initPid` (from create) lets the runtime skip a process of its own. */
  start(id: string, initPid?: number): Promise<void>;
  /** Signal by name ("SIGTERM", "TERM") or number. */
  kill(id: string, signal: string | number): Promise<void>;
  /** `runc delete` (with force: kills first). Succeeds when runc no longer knows the container. */
  delete(id: string, force?: boolean): Promise<void>;
  /** runc's view, or null when runc does not know the container. */
  state(id: string): Promise<RuntimeState | null>;
  /** Host PIDs of every process in the container (for top). */
  pids(id: string): Promise<number[]>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Changes a running container's cgroup limits at once (runc update). */
  update?(id: string, r: ResourceUpdate): Promise<void>;
  /** Connects to conmon's attach socket. Connect before start() or early output is only in the log. */
  attach(id: string, bundleDir: string, streams: AttachStreams): Promise<AttachHandle>;
  /** Window size of the container's pty (via conmon's ctl/winsz FIFOs). */
  resize(bundleDir: string, height: number, width: number): Promise<void>;
  /** Asks conmon to reopen its log file (after berthd rotated it). */
  reopenLog(bundleDir: string): Promise<void>;
  /** The exit recorded by conmon, or null while the container has not exited. */
  readExit(id: string): Promise<ExitInfo | null>;
  /** Resolves when the container exits (at once if it already has). Survives nothing: call again after restart. */
  waitExit(id: string, signal?: AbortSignal): Promise<ExitInfo>;
  exec(opts: ExecOptions): Promise<ExecHandle>;
  /** (Added by the container service; ConmonRuntime has it.) Drops the runtime's records of a removed container (exit file, monitor dir). */
  forget?(id: string): Promise<void>;
  /**
   * Starts the monitor and the runtime's create for a container that does not exist yet, under an ID
   * chosen now: they wait for config.json, which create() hands over when its `ready` resolves, so
   * a create under this ID skips their start-up (~15-20 ms here). At most one waits; false when one
   * already does or it could not be started. The bundle and log directories must exist.
   */
  startAhead?(opts: RuntimeCreateOptions): Promise<boolean>;
  /** Kills a runtime started ahead, all of it or only the one for `id`; resolves with the ID it had. */
  dropAhead?(id?: string): Promise<string | null>;
  /**
   * Writes the bundle's config.json (before create's `ready` resolves). A runtime started ahead for
   * this ID gets it through its pipe when create() lets it go, instead of a file.
   */
  writeConfig?(id: string, bundleDir: string, text: string): void;
  /** Kills a monitor left from an earlier daemon for a container that has no record (start-up clean-up). */
  killMonitor?(id: string): void;
}
