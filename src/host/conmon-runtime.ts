// ContainerRuntime over conmon + runc: one conmon per container (and per exec) keeps the stdio, the
// log and the exit code, so containers outlive berthd; runc (under our own --root) does the rest.
//
// Files under execRoot (all small, all re-readable after a restart):
//   runc/                 runc's state (--root)
//   exits/<id>            exit code, written by conmon when the container's init exits
//   conmon/<id>/          conmon's persist dir: pidfile (init), conmon.pid, oom marker
//   s/<id> -> bundle      conmon's symlink keeping the attach socket path short
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../daemon/logger.js';
import type {
  AttachHandle,
  AttachStreams,
  ContainerRuntime,
  ExecHandle,
  ExecOptions,
  ExitInfo,
  RuntimeCreateOptions,
  RuntimeState,
  ResourceUpdate,
} from '../engine/containers/runtime-contract.js';
import { SystemError, NotFoundError } from '../errors.js';
import { effectiveCapabilities, type RuntimeSpec, type RuntimeSpecProcess } from '../lib/oci/runtime-spec.js';
import { attachSocket } from './attach-socket.js';
import { readHostCapabilities } from './capabilities.js';
import { processExited, processRunning, readIntFile } from './process-state.js';
import { runCommand } from './command.js';
import { spawnConmon, runtimeErrorText, type ConmonArgs, type ConmonMessage, type SpawnedConmon } from './conmon.js';
import { closeQuietly, monitorEnded, replaceFile, sameCreate, writeAll, type AheadRuntime } from './conmon-ahead.js';
import { watchExecMonitor } from './exec-monitor.js';
import { Runc, RuncError } from './runc.js';
import { directExecAvailable, PidFiles, runcError, runcExecDirect, type DirectExecFailure } from './runc-exec.js';
import { INIT_GONE, NsExec } from './nsexec.js';
import { ProbeServer, ProbeServerGone } from './probe-server.js';
import { sealedProgramPath } from './native.js';

/** What an exec inherits from its container's spec. */
interface ExecDefaults {
  rlimits?: RuntimeSpecProcess['rlimits'];
  noNewPrivileges?: boolean;
}

/**
 * The runtime could not create the container or run the exec. `runtimeMessage` is runc's own text
 * (e.g. `... exec: "foo": executable file not found in $PATH`); `exitCode` is what Docker's CLI
 * exits with for it: 127 not found, 126 not executable, 125 anything else.
 */
export class RuntimeStartError extends SystemError {
  constructor(
    message: string,
    readonly runtimeMessage: string,
    readonly exitCode: 125 | 126 | 127,
  ) {
    super(message);
  }
}

/** Docker CLI's mapping of a start error's text to its exit status (cli/command/container/run.go). */
export function exitCodeForRuntimeError(msg: string): 125 | 126 | 127 {
  if (/executable file not found|no such file or directory|system cannot find the file specified/i.test(msg)) return 127;
  if (/permission denied|exec format error|is a directory/i.test(msg)) return 126;
  return 125;
}

/** The exit code reported when conmon died without recording one (killed, machine reboot...). */
export const UNKNOWN_EXIT_CODE = 255;

const POLL_MS = 1000;
const CREATE_TIMEOUT_MS = 120_000;

function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface ConmonRuntimeOptions {
  execRoot: string;
  runtimePath?: string;
  conmonPath?: string;
  log: Logger;
}

function resolveBinary(name: string, fallback: string[]): string {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  for (const p of fallback) if (fs.existsSync(p)) return p;
  return name;
}

/** Writes one control line to a conmon FIFO without blocking when conmon is gone (ENXIO: no reader). */
async function writeFifo(fifo: string, line: string): Promise<void> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ENOENT') throw new SystemError(`the container's monitor is not running (${path.basename(fifo)} has no reader)`);
    throw e;
  }
  try {
    await fh.write(line);
  } finally {
    await fh.close();
  }
}

export class ConmonRuntime implements ContainerRuntime {
  readonly runc: Runc;
  private readonly conmonPath: string;
  private readonly runtimePath: string;
  private readonly log: Logger;
  private readonly exitsDir: string;
  private readonly socketDir: string;
  private readonly persistRoot: string;
  private exitWatcher: fs.FSWatcher | null = null;
  /** Each waited container's checks: run by the exit watcher on its file's event, and by the poll. */
  private readonly exitWaiters = new Map<string, Set<() => void>>();
  /**
   * The poll behind the exit watcher, every waiter's check in one timer while any waits: 50 running
   * containers were 50 timers, 50 wake-ups of the daemon a second (each dearer than its work on a VM).
   * Not unref'd: a caller awaiting an exit is real work that should keep the process alive.
   */
  private exitPollTimer: NodeJS.Timeout | undefined;
  /** What an exec inherits from its container's spec, by container, read once per run (see execDefaults). */
  private readonly execSpecs = new Map<string, ExecDefaults>();
  /** Bundle directories of the containers this runtime created (a restarted daemon asks runc instead). */
  private readonly bundles = new Map<string, string>();
  /** PID files of direct execs (runc-exec.ts). */
  private readonly pidFiles: PidFiles | null;
  /** berth-nsexec, when built: non-tty execs without runc's start-up (nsexec.ts). */
  private readonly nsexec: NsExec | null;
  /** Healthcheck probes through one long-lived berth-nsexec (probe-server.ts); off with BERTH_NO_PROBE_SERVER=1. */
  private readonly probes: ProbeServer | null;
  /** A runtime started ahead (startAhead), until a create takes it. */
  private ahead: AheadRuntime | null = null;
  /** Runtimes started ahead that a create took, until their config went through the pipe. */
  private readonly aheadTaken = new Map<string, AheadRuntime>();

  constructor(opts: ConmonRuntimeOptions) {
    this.log = opts.log;
    // runc run from a sealed copy berthd holds (native.ts sealedProgramPath): runc then skips the
    // copy of its ~10 MB self it makes at every create and exec.
    this.runtimePath = sealedProgramPath(opts.runtimePath ?? resolveBinary('runc', ['/usr/sbin/runc', '/usr/bin/runc']));
    this.conmonPath = opts.conmonPath ?? resolveBinary('conmon', ['/usr/bin/conmon', '/usr/libexec/podman/conmon']);
    this.runc = new Runc({ execRoot: opts.execRoot, runtimePath: this.runtimePath, log: opts.log });
    this.exitsDir = path.join(opts.execRoot, 'exits');
    this.socketDir = path.join(opts.execRoot, 's');
    this.persistRoot = path.join(opts.execRoot, 'conmon');
    for (const d of [this.runc.root, this.exitsDir, this.socketDir, this.persistRoot]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    this.pidFiles = directExecAvailable() ? new PidFiles(path.join(opts.execRoot, 'exec-pids'), opts.log) : null;
    this.nsexec = this.pidFiles ? NsExec.find(this.runc.root) : null;
    this.probes = this.nsexec && process.env.BERTH_NO_PROBE_SERVER !== '1' ? new ProbeServer(this.nsexec.helperPath, this.log) : null;
    // Socket links whose bundle is gone (an exec or container removed while the daemon was down, or
    // by an older berthd that left them): nothing can attach through them any more.
    for (const name of fs.readdirSync(this.socketDir)) {
      const link = path.join(this.socketDir, name);
      if (!fs.existsSync(link)) fs.rmSync(link, { force: true });
    }
  }

  private persistDir(id: string): string {
    return path.join(this.persistRoot, id);
  }

  // ------------------------------------------------------------------ lifecycle

  async create(opts: RuntimeCreateOptions, ready?: Promise<void>): Promise<{ pid: number; conmonPid: number }> {
    const a = this.ahead?.opts.id === opts.id ? this.ahead : null;
    if (a) {
      this.ahead = null;
      if (!a.exited && sameCreate(a.opts, opts)) return this.createAhead(a, opts, ready);
      // Dead, or started for other flags: a fresh monitor below, config.json a plain file again.
      await this.killAhead(a);
      const config = path.join(opts.bundleDir, 'config.json');
      if (fs.lstatSync(config, { throwIfNoEntry: false })?.isFIFO()) fs.rmSync(config, { force: true });
    }
    const persist = this.persistDir(opts.id);
    this.execSpecs.delete(opts.id);
    this.nsexec?.forget(opts.id);
    this.bundles.set(opts.id, opts.bundleDir);
    // Small metadata calls done in place (microseconds each) rather than as thread-pool round trips
    // on the start path.
    fs.mkdirSync(persist, { recursive: true, mode: 0o700 });
    // A re-created container (docker start after exit) must not see its previous exit or OOM.
    for (const f of [path.join(this.exitsDir, opts.id), path.join(persist, 'oom'), path.join(persist, 'exit'), path.join(opts.bundleDir, 'oom')]) {
      fs.rmSync(f, { force: true });
    }
    if (opts.logPath !== null) fs.mkdirSync(path.dirname(opts.logPath), { recursive: true });
    const conmonPidFile = path.join(persist, 'conmon.pid');
    const c = spawnConmon({ ...this.conmonArgs(opts), conmonPidFile, holdUntilStarted: !!ready }, this.log);
    // With --sync the process spawned is the monitor: its PID is known now, and written here (conmon
    // writes -P only when it forks itself away), before it runs anything, for a restarted berthd.
    if (c.child.pid > 0) replaceFile(conmonPidFile, String(c.child.pid));
    if (ready) {
      // conmon loads (eleven shared libraries and its locale: ~7 ms of a start here) while the caller
      // mounts the rootfs and writes the bundle; it is killed before it runs anything if that fails.
      try {
        await ready;
      } catch (e) {
        c.child.kill('SIGKILL');
        c.release();
        await monitorEnded(c.launched);
        fs.rmSync(conmonPidFile, { force: true });
        throw e;
      }
      c.start?.end('go');
    }
    let msg: ConmonMessage | null;
    try {
      msg = await withDeadline(c.sync.next(), CREATE_TIMEOUT_MS, () => {
        // A runtime stuck in create (a hung mount, a frozen cgroup): give up and leave nothing behind.
        c.child.kill('SIGKILL');
        void this.runc.delete(opts.id, true).catch(() => {});
        return { data: -1, message: `timed out after ${CREATE_TIMEOUT_MS / 1000}s waiting for the runtime to create the container` };
      });
    } finally {
      c.release();
    }
    if (!msg || msg.data <= 0) return this.createFailed(opts.id, c, msg);
    const pid = msg.data;
    const conmonPid = c.child.pid;
    // No loopback set-up here: runc brings lo up in every network namespace it creates.
    return { pid, conmonPid };
  }

  /**
   * Starts conmon and `runc create` for a container to come (ContainerRuntime.startAhead): conmon
   * runs at once, runc opens the bundle's config.json, a FIFO that berthd holds open (so runc's open
   * never blocks and what is written waits in the pipe), and waits there for the container's config.
   */
  async startAhead(opts: RuntimeCreateOptions): Promise<boolean> {
    if (this.ahead) return false;
    const persist = this.persistDir(opts.id);
    const config = path.join(opts.bundleDir, 'config.json');
    let fifo = -1;
    try {
      fs.mkdirSync(persist, { recursive: true, mode: 0o700 });
      fs.mkdirSync(opts.bundleDir, { recursive: true, mode: 0o700 });
      const made = await runCommand('mkfifo', ['-m', '600', config]);
      if (made.code !== 0) throw new SystemError(`mkfifo ${config}: ${made.stderr.trim()}`);
      if (this.ahead) throw new SystemError('another runtime was started ahead meanwhile');
      fifo = fs.openSync(config, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    } catch (e) {
      if (fifo >= 0) fs.closeSync(fifo);
      this.log.debug('runtime ahead not started', { id: opts.id, error: (e as Error).message });
      fs.rmSync(config, { force: true });
      return false;
    }
    const conmonPidFile = path.join(persist, 'conmon.pid');
    const c = spawnConmon({ ...this.conmonArgs(opts), conmonPidFile, quiet: true }, this.log);
    if (c.child.pid > 0) replaceFile(conmonPidFile, String(c.child.pid));
    const a: AheadRuntime = { opts, c, fifo, exited: false };
    void c.launched.then(
      () => (a.exited = true),
      () => (a.exited = true),
    );
    this.ahead = a;
    return true;
  }

  async dropAhead(id?: string): Promise<string | null> {
    const a = this.ahead;
    if (!a || (id !== undefined && a.opts.id !== id)) return null;
    this.ahead = null;
    await this.killAhead(a);
    // What conmon made for it outside the bundle: its directory here and the socket link.
    await Promise.all([fsp.rm(this.persistDir(a.opts.id), { recursive: true, force: true }), fsp.rm(path.join(this.socketDir, a.opts.id), { force: true })]);
    return a.opts.id;
  }

  writeConfig(id: string, bundleDir: string, text: string): void {
    const a = this.aheadTaken.get(id);
    if (a) {
      a.config = text;
      return;
    }
    // Rewritten on every start from the stored record, so a crash cannot lose anything here: no fsync
    // on the start path (the record itself is written with fsync).
    replaceFile(path.join(bundleDir, 'config.json'), text);
  }

  killMonitor(id: string): void {
    const pid = readIntFile(path.join(this.persistDir(id), 'conmon.pid')) ?? 0;
    if (!(pid > 0) || !processRunning(pid)) return;
    try {
      // Only the monitor of this container (its PID may have been reused since).
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(id)) return;
      process.kill(pid, 'SIGKILL'); // runc, its child, goes with it (conmon sets its parent-death signal)
    } catch {
      /* gone */
    }
  }

  /** A create that takes a runtime started ahead: the config goes through its pipe once `ready`. */
  private async createAhead(a: AheadRuntime, opts: RuntimeCreateOptions, ready?: Promise<void>): Promise<{ pid: number; conmonPid: number }> {
    this.execSpecs.delete(opts.id);
    this.nsexec?.forget(opts.id);
    this.bundles.set(opts.id, opts.bundleDir);
    this.aheadTaken.set(opts.id, a);
    let msg: ConmonMessage | null;
    try {
      await ready;
      const config = a.config;
      if (config === undefined) throw new SystemError(`no config was written for container ${opts.id}`);
      await writeAll(a.fifo, Buffer.from(config));
      // Then config.json becomes the plain file everything else reads (an exec's defaults, a restarted
      // berthd; a FIFO with no writer would block them), while runc works: a runc that had opened the
      // FIFO reads what is in the pipe, one that had not yet opens this file. Either way our end can go.
      replaceFile(path.join(opts.bundleDir, 'config.json'), config);
      closeQuietly(a.fifo);
      msg = await withDeadline(a.c.sync.next(), CREATE_TIMEOUT_MS, () => {
        a.c.child.kill('SIGKILL');
        void this.runc.delete(opts.id, true).catch(() => {});
        return { data: -1, message: `timed out after ${CREATE_TIMEOUT_MS / 1000}s waiting for the runtime to create the container` };
      });
    } catch (e) {
      await this.killAhead(a);
      throw e;
    } finally {
      this.aheadTaken.delete(opts.id);
    }
    a.c.release();
    if (!msg || msg.data <= 0) return this.createFailed(opts.id, a.c, msg);
    return { pid: msg.data, conmonPid: a.c.child.pid };
  }

  /** A create conmon reported as failed (or died without reporting): nothing is left, Docker's error. */
  private async createFailed(id: string, c: SpawnedConmon, msg: ConmonMessage | null): Promise<never> {
    // conmon exits after reporting a failed create; its stderr is complete then.
    await monitorEnded(c.launched);
    fs.rmSync(path.join(this.persistDir(id), 'conmon.pid'), { force: true });
    const raw = msg?.message ?? (c.stderr().trim() || 'conmon exited without reporting a PID');
    await this.runc.delete(id, true).catch(() => {});
    const text = runtimeErrorText(raw);
    this.log.debug('container create failed', { id, message: text });
    throw new RuntimeStartError(`OCI runtime create failed: ${text}: unknown`, text, exitCodeForRuntimeError(text));
  }

  /** Kills a runtime started ahead (runc dies with its conmon) and drops our ends of its pipes. */
  private async killAhead(a: AheadRuntime): Promise<void> {
    a.c.child.kill('SIGKILL');
    a.c.release();
    closeQuietly(a.fifo);
    await monitorEnded(a.c.launched);
    fs.rmSync(path.join(this.persistDir(a.opts.id), 'conmon.pid'), { force: true });
  }

  /** conmon's arguments for a container's monitor (the same for a create and one started ahead). */
  private conmonArgs(opts: RuntimeCreateOptions): Omit<ConmonArgs, 'conmonPidFile'> {
    const persist = this.persistDir(opts.id);
    return {
      conmonPath: this.conmonPath,
      runtimePath: this.runtimePath,
      runtimeArgs: [`--root=${this.runc.root}`],
      cid: opts.id,
      cuuid: opts.id,
      bundle: opts.bundleDir,
      pidFile: path.join(persist, 'pidfile'),
      logPath: opts.logPath === null ? 'none' : `k8s-file:${opts.logPath}`,
      logSizeMax: opts.logSizeMax,
      exitDir: this.exitsDir,
      socketDir: this.socketDir,
      persistDir: persist,
      terminal: opts.tty,
      stdin: opts.openStdin,
      leaveStdinOpen: !opts.stdinOnce,
      sync: true,
    };
  }

  async start(id: string, initPid?: number): Promise<void> {
    await this.runc.start(id, initPid);
  }

  async kill(id: string, signal: string | number): Promise<void> {
    await this.runc.kill(id, signal);
  }

  async delete(id: string, force = false): Promise<void> {
    this.execSpecs.delete(id);
    this.nsexec?.forget(id);
    this.bundles.delete(id);
    await this.runc.delete(id, force);
  }

  /**
   * (Added.) Forgets a container entirely: its exit record, conmon's persist dir and socket link.
   * Call when the container is removed; delete() keeps the exit record for readExit().
   */
  async forget(id: string): Promise<void> {
    await this.dropAhead(id);
    await Promise.all([
      fsp.rm(path.join(this.exitsDir, id), { force: true }),
      fsp.rm(this.persistDir(id), { recursive: true, force: true }),
      fsp.rm(path.join(this.socketDir, id), { force: true }),
    ]);
  }

  async state(id: string): Promise<RuntimeState | null> {
    const s = await this.runc.state(id);
    return s ? { status: s.status, pid: s.pid } : null;
  }

  async pids(id: string): Promise<number[]> {
    return this.runc.ps(id);
  }

  async pause(id: string): Promise<void> {
    await this.runc.pause(id);
  }

  async resume(id: string): Promise<void> {
    await this.runc.resume(id);
  }

  async update(id: string, r: ResourceUpdate): Promise<void> {
    await this.runc.update(id, r);
  }

  /** (Added.) PID of the container's conmon, from its pidfile (0 when unknown), and whether it is alive. */
  async monitor(id: string): Promise<{ pid: number; alive: boolean }> {
    const pid = readIntFile(path.join(this.persistDir(id), 'conmon.pid')) ?? 0;
    return { pid, alive: processRunning(pid) };
  }

  // ------------------------------------------------------------------ stdio

  async attach(id: string, bundleDir: string, streams: AttachStreams): Promise<AttachHandle> {
    const direct = path.join(bundleDir, 'attach');
    const viaLink = path.join(this.socketDir, id, 'attach');
    const sock = Buffer.byteLength(direct) <= Buffer.byteLength(viaLink) ? direct : viaLink;
    try {
      return await attachSocket(sock, streams);
    } catch (e) {
      if (!fs.existsSync(direct)) throw new NotFoundError(`container ${id} has no attach socket (its monitor is not running)`);
      throw e;
    }
  }

  async resize(bundleDir: string, height: number, width: number): Promise<void> {
    // conmon's ctl protocol: "<type> <height> <width>\n", type 1 = window resize.
    await writeFifo(path.join(bundleDir, 'ctl'), `1 ${Math.max(0, height | 0)} ${Math.max(0, width | 0)}\n`);
  }

  async reopenLog(bundleDir: string): Promise<void> {
    // Type 2 = reopen the log file (after rotation).
    await writeFifo(path.join(bundleDir, 'ctl'), '2 0 0\n');
  }

  // ------------------------------------------------------------------ exits

  async readExit(id: string): Promise<ExitInfo | null> {
    const file = path.join(this.exitsDir, id);
    let text: string;
    let st: fs.Stats | undefined;
    try {
      // In place: a few bytes from the exit directory, on the path between an exit and its waiters.
      // Asked once a second for every running container (waitExit's poll), where the answer is nearly
      // always "not there": a stat that returns undefined, not a read that throws (building an ENOENT
      // error with its stack was most of an idle daemon's CPU with 50 containers).
      st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st) return null;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const code = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(code)) return null;
    const persist = this.persistDir(id);
    const oomKilled = fs.existsSync(path.join(persist, 'oom'));
    return { exitCode: code, finishedAt: st.mtime, oomKilled };
  }

  private ensureExitWatcher(): void {
    if (this.exitWatcher) return;
    try {
      this.exitWatcher = fs.watch(this.exitsDir, (_ev, name) => {
        const n = name?.toString();
        if (n) this.exitWaiters.get(n)?.forEach((f) => f());
      });
      this.exitWatcher.unref();
      this.exitWatcher.on('error', () => {
        this.exitWatcher?.close();
        this.exitWatcher = null;
      });
    } catch {
      this.exitWatcher = null; // the poll still works
    }
  }

  async waitExit(id: string, signal?: AbortSignal): Promise<ExitInfo> {
    const now = await this.readExit(id);
    if (now) return now;
    this.ensureExitWatcher();
    return new Promise<ExitInfo>((resolve, reject) => {
      let settled = false;
      let checking = false;
      let again = false;
      let monitorGoneSince = 0;
      // The monitor's PID file is written once per run: read until found, then kept.
      let monitorPid = 0;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        const set = this.exitWaiters.get(id);
        set?.delete(check);
        if (set && set.size === 0) this.exitWaiters.delete(id);
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const check = () => {
        if (settled) return;
        // An event during a check must not be lost: run once more when the current one ends.
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        void (async () => {
          try {
            const e = await this.readExit(id);
            if (e) return done(() => resolve(e));
            // Poll fallback: a monitor that died without writing the exit file never will.
            let gone = monitorPid > 0 && processExited(monitorPid);
            if (!monitorPid || gone) {
              // Not known yet, or gone: the file may name a newer monitor.
              monitorPid = (await this.monitor(id)).pid;
              gone = monitorPid > 0 && processExited(monitorPid);
            }
            if (gone) {
              if (!monitorGoneSince) monitorGoneSince = Date.now();
              else if (Date.now() - monitorGoneSince >= POLL_MS) {
                const late = await this.readExit(id);
                const st = await this.runc.state(id).catch(() => null);
                if (late) return done(() => resolve(late));
                if (!st || st.status === 'stopped') {
                  this.log.warn('container monitor died without recording an exit code', { id });
                  return done(() => resolve({ exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date(), oomKilled: false }));
                }
              }
            }
          } finally {
            checking = false;
            if (again && !settled) {
              again = false;
              check();
            }
          }
        })();
      };
      const onAbort = () => done(() => reject(signal!.reason ?? new Error('aborted')));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.exitWaiters.get(id);
      if (!set) this.exitWaiters.set(id, (set = new Set()));
      set.add(check);
      this.exitPollTimer ??= setInterval(() => {
        for (const checks of this.exitWaiters.values()) for (const f of checks) f();
        if (this.exitWaiters.size === 0) {
          clearInterval(this.exitPollTimer);
          this.exitPollTimer = undefined;
        }
      }, POLL_MS);
      // The file may have appeared between the first read and the watch.
      check();
    });
  }

  // ------------------------------------------------------------------ exec

  /**
   * The limits and no-new-privileges an exec inherits from its container, read from the bundle's
   * config.json once per run and kept: `runc state` (a process spawn, ~10 ms) on every exec was a
   * large part of an exec's time and of a healthcheck's cost.
   */
  private async execDefaults(containerId: string): Promise<ExecDefaults | null> {
    const known = this.execSpecs.get(containerId);
    if (known) return known;
    // The bundle of a container made by this runtime is known; only one adopted after a daemon restart
    // costs a `runc state`. (Whether it runs is the service's to check; runc exec refuses otherwise.)
    let bundle = this.bundles.get(containerId);
    if (!bundle) {
      const st = await this.runc.state(containerId);
      if (!st) throw new NotFoundError(`No such container: ${containerId}`);
      if (st.status !== 'running') throw new SystemError(`container ${containerId} is not running`);
      bundle = st.bundle;
      this.bundles.set(containerId, bundle);
    }
    let spec: RuntimeSpec | null = null;
    try {
      spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
    } catch {
      spec = null;
    }
    const d: ExecDefaults = {
      ...(spec?.process.rlimits ? { rlimits: spec.process.rlimits } : {}),
      ...(spec?.process.noNewPrivileges ? { noNewPrivileges: true } : {}),
    };
    this.execSpecs.set(containerId, d);
    return d;
  }

  async exec(opts: ExecOptions): Promise<ExecHandle> {
    const defaults = await this.execDefaults(opts.containerId);
    const caps = effectiveCapabilities(opts.capAdd, opts.capDrop, opts.privileged, readHostCapabilities());
    const proc: RuntimeSpecProcess = {
      terminal: opts.tty,
      user: {
        uid: opts.user.uid,
        gid: opts.user.gid,
        ...(opts.user.additionalGids.length ? { additionalGids: opts.user.additionalGids } : {}),
      },
      args: opts.args,
      env: opts.env,
      cwd: opts.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      // Docker's exec inherits the container's limits and no-new-privileges.
      ...(defaults?.rlimits ? { rlimits: defaults.rlimits } : {}),
      ...(defaults?.noNewPrivileges ? { noNewPrivileges: true } : {}),
    };
    if (opts.tty && opts.consoleSize) proc.consoleSize = opts.consoleSize;
    // Without a terminal conmon adds nothing runc does not do itself (runc-exec.ts): no monitor
    // process, no sockets, no files. A terminal (its pty, resizes) stays with conmon.
    if (!opts.tty && this.pidFiles) {
      const direct = { runcPath: this.runtimePath, runcRoot: this.runc.root, containerId: opts.containerId, execId: opts.execId, process: proc, openStdin: opts.openStdin, ...(opts.streams ? { streams: opts.streams } : {}) };
      try {
        const helperArgs = this.nsexec?.plan(opts.containerId, proc);
        if (this.nsexec && helperArgs) {
          try {
            // A probe goes through the probe server; when the server died under it (null), the
            // probe runs as any exec does rather than counting as a failed probe.
            const served = opts.probe && this.probes ? await this.probeExec(this.probes, helperArgs, opts, proc) : null;
            if (served) return served;
            return await runcExecDirect({ ...direct, nsexec: { path: this.nsexec.helperPath, args: helperArgs } }, this.pidFiles, this.log);
          } catch (e) {
            // The init runc recorded is gone (the container restarted since it was read): runc
            // decides, with its current state, and the next exec reads that state afresh.
            if (!INIT_GONE.test((e as Partial<DirectExecFailure>).runtimeMessage ?? '')) throw e;
            this.nsexec.forget(opts.containerId);
          }
        }
        return await runcExecDirect(direct, this.pidFiles, this.log);
      } catch (e) {
        const runtimeMessage = (e as Partial<DirectExecFailure>).runtimeMessage;
        if (runtimeMessage === undefined) throw e;
        const text = runtimeErrorText(runtimeMessage);
        throw new RuntimeStartError(`OCI runtime exec failed: ${text}: unknown`, text, exitCodeForRuntimeError(text));
      }
    }
    return this.execUnderConmon(opts, proc);
  }

  /**
   * A probe through the probe server: resolves when it has ended, its output given to the streams
   * once; null when the server ended before answering. A helper's failure before the process ran
   * (a missing command, the init gone) rejects as a direct exec's does.
   */
  private async probeExec(server: ProbeServer, args: string[], opts: ExecOptions, proc: RuntimeSpecProcess): Promise<ExecHandle | null> {
    let r;
    try {
      r = await server.run(args, proc.env ?? [], opts.probe!.timeoutMs);
    } catch (e) {
      if (e instanceof ProbeServerGone) {
        this.log.debug('probe server gone before answering; the probe runs as an exec', { container: opts.containerId });
        return null;
      }
      throw e;
    }
    if (r.pid === 0) {
      const failure = runcError(r.log);
      if (failure !== null) throw Object.assign(new Error(failure), { runtimeMessage: failure } satisfies DirectExecFailure);
    }
    if (r.output.length) opts.streams?.onOutput('stdout', r.output);
    // A helper ended by a signal (the server killed it at the timeout before the PID was known): the
    // process's end is unknown, as with runc killed.
    const code = r.code ?? 255;
    const exited = Promise.resolve(code);
    return {
      pid: r.pid,
      exited,
      attach: async () => ({ done: Promise.resolve(), close() {} }),
      resize: async () => {},
    };
  }

  private async execUnderConmon(opts: ExecOptions, proc: RuntimeSpecProcess): Promise<ExecHandle> {
    await fsp.mkdir(opts.execDir, { recursive: true, mode: 0o700 });
    const processSpec = path.join(opts.execDir, 'process.json');
    await fsp.writeFile(processSpec, JSON.stringify(proc));
    for (const f of ['attach', 'ctl', 'winsz', 'exit', opts.containerId]) await fsp.rm(path.join(opts.execDir, f), { force: true });

    const c = spawnConmon(
      {
        conmonPath: this.conmonPath,
        runtimePath: this.runtimePath,
        runtimeArgs: [`--root=${this.runc.root}`],
        cid: opts.containerId,
        cuuid: opts.execId,
        bundle: opts.execDir,
        pidFile: path.join(opts.execDir, 'pid'),
        conmonPidFile: path.join(opts.execDir, 'conmon.pid'),
        logPath: 'none',
        exitDir: opts.execDir,
        socketDir: this.socketDir,
        terminal: opts.tty,
        stdin: opts.openStdin,
        leaveStdinOpen: false,
        exec: { processSpec, attach: !!opts.streams },
      },
      this.log,
    );

    // Every wait below is on a pipe or socket conmon should end; none may outlast conmon itself. The
    // poll fallback (exit file + monitor PID, as waitExit has for containers) settles them if a
    // wake-up is lost; the pipe gets a grace period first, since it carries the same answer sooner.
    const execDir = opts.execDir;
    const exitFile = path.join(execDir, opts.containerId);
    const mon = watchExecMonitor({ exitFile, conmonPidFile: path.join(execDir, 'conmon.pid'), launched: c.launched, pollMs: POLL_MS });
    const afterGone = mon.gone.then((code) => new Promise<number | null>((r) => setTimeout(() => r(code), POLL_MS)));
    const orGone = <T>(p: Promise<T>, fallback: (code: number | null) => T): Promise<T> => Promise.race([p, afterGone.then(fallback)]);
    let early: AttachHandle | undefined;
    try {
      if (opts.streams) {
        // conmon blocks on the start pipe twice: before it forks, and again (in the runtime's child)
        // once the attach socket listens, so nothing the process writes is lost.
        c.start?.write('0');
        const ready = await orGone(c.attach!.next(), () => null);
        if (!ready || ready.data < 0) {
          const launchError = await c.launched.then(
            () => '',
            (e: Error) => e.message,
          );
          throw new SystemError(`exec: conmon did not set up the attach socket: ${ready?.message ?? (c.stderr().trim() || launchError)}`);
        }
        early = await attachSocket(path.join(opts.execDir, 'attach'), opts.streams);
        c.start?.write('1');
      }
      const first = await orGone(c.sync.next(), () => null);
      if (!first || first.data <= 0) {
        const raw = first?.message ?? (c.stderr().trim() || 'conmon exited without reporting a PID');
        const text = runtimeErrorText(raw);
        early?.close();
        throw new RuntimeStartError(`OCI runtime exec failed: ${text}: unknown`, text, exitCodeForRuntimeError(text));
      }
      const pid = first.data;
      const exited = (async () => {
        try {
          const second = await orGone(c.sync.next(), (code): ConmonMessage | null => (code === null ? null : { data: code }));
          c.release();
          let code: number | null = second && second.data >= 0 ? second.data : null;
          if (code === null) code = readIntFile(exitFile);
          // Output ends before conmon reports the exit; let the attached streams drain first. The
          // socket ends when conmon exits; if that end is never seen, stop waiting once conmon is gone.
          if (early) await Promise.race([early.done, afterGone.then(() => early!.close())]);
          return code ?? UNKNOWN_EXIT_CODE;
        } finally {
          mon.stop();
          // Once the exit is known the exec's files are of no use (Docker keeps only the record, in
          // memory): its directory and conmon's socket link go, so execs leave nothing on disk.
          await Promise.all([
            fsp.rm(execDir, { recursive: true, force: true }),
            fsp.rm(path.join(this.socketDir, opts.execId), { force: true }),
          ]).catch(() => {});
        }
      })();
      exited.catch(() => {});
      return {
        pid,
        exited,
        attach: (streams: AttachStreams) => attachSocket(path.join(execDir, 'attach'), streams),
        resize: (h: number, w: number) => writeFifo(path.join(execDir, 'ctl'), `1 ${Math.max(0, h | 0)} ${Math.max(0, w | 0)}\n`),
      };
    } catch (e) {
      mon.stop();
      c.release();
      if (e instanceof RuncError) throw e;
      throw e;
    }
  }

  /** Stops watching the exits directory (for tests and shutdown). */
  close(): void {
    if (this.ahead) void this.killAhead(this.ahead);
    this.ahead = null;
    this.exitWatcher?.close();
    this.exitWatcher = null;
    this.pidFiles?.close();
    this.probes?.close();
  }
}
