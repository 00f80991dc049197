// A non-tty exec run by `runc exec` straight from berthd, without conmon: the docker exec and
// healthcheck path. runc stays in the foreground as berthd's child, copies the process's stdio into
// pipes berthd reads, and exits with the process's exit code (128+N for a signal), which is all that
// conmon added for a process without a terminal. Spawned with posix_spawn (fast-spawn.ts); the
// process spec goes through a pipe (`--process /proc/self/fd/3`) and runc's own log through another
// (`--log /proc/self/fd/4`, JSON), so an exec writes nothing to disk but runc's PID file.
//
// How a start is told from a failure: runc renames its --pid-file into place only once the process
// has been exec'd (its init's sync pipe closed on execve); a failure before that exits runc with 255
// and an "error" entry in its log, and the same text on stderr, which is then runc's and not the
// process's. So stderr is held back until the PID file appears (milliseconds), stdout never is (runc
// writes nothing there).
//
// berth-nsexec (nsexec.ts), when it can run the exec, takes runc's place here: the same descriptors
// and log format, no spec on descriptor 3, and the PID reported as a line on descriptor 4.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../daemon/logger.js';
import type { AttachHandle, AttachStreams, ExecHandle } from '../engine/containers/runtime-contract.js';
import type { RuntimeSpecProcess } from '../lib/oci/runtime-spec.js';
import { fastSpawn, nativeSpawnAvailable } from './fast-spawn.js';

export interface DirectExecOptions {
  runcPath: string;
  /** runc's --root. */
  runcRoot: string;
  containerId: string;
  execId: string;
  process: RuntimeSpecProcess;
  /** Output (and stdin) of the process; none for a detached exec. */
  streams?: AttachStreams;
  openStdin: boolean;
  /**
   * Run by berth-nsexec instead of runc (nsexec.ts): its path and arguments (planned from runc's state,
   * pid file included). It speaks runc's protocol on descriptors 4 and the PID file, takes no spec on
   * descriptor 3, and runs the process with its own environment, which is the process's.
   */
  nsexec?: { path: string; args: string[] };
}

/** What a runc failure before the process ran says, and what Docker's CLI exits with for it. */
export interface DirectExecFailure {
  runtimeMessage: string;
}

/** The exit code reported when runc itself died without one (killed). */
const UNKNOWN_EXIT_CODE = 255;

/** Whether the direct path can run here (it needs the native posix_spawn for its extra pipes). */
export function directExecAvailable(): boolean {
  return nativeSpawnAvailable();
}

/**
 * One watcher for the PID files of every exec under way: runc writes `<dir>/.<name>` and renames it
 * to `<dir>/<name>` (one inotify event), so a single fs.watch, made at the first exec and kept (an
 * idle inotify watch costs nothing), serves all of them.
 */
export class PidFiles {
  private watcher: fs.FSWatcher | null = null;
  private readonly waiters = new Map<string, () => void>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    // PID files left by execs of an earlier daemon are of no use: their execs were in its memory.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  file(execId: string): string {
    return path.join(this.dir, execId.slice(0, 32));
  }

  /** Calls `fn` once the PID file of `execId` is in place; returns the function that stops waiting. */
  onReady(execId: string, fn: () => void): () => void {
    const name = execId.slice(0, 32);
    this.ensureWatcher();
    this.waiters.set(name, fn);
    return () => {
      if (this.waiters.get(name) === fn) this.waiters.delete(name);
    };
  }

  private ensureWatcher(): void {
    if (this.watcher) return;
    try {
      this.watcher = fs.watch(this.dir, (_event, name) => {
        if (!name) return;
        const fn = this.waiters.get(name.toString());
        if (!fn) return;
        this.waiters.delete(name.toString());
        fn();
      });
      this.watcher.on('error', (e) => {
        this.log.warn('watching exec PID files failed; execs learn their PID at their end', e);
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (e) {
      this.log.warn('watching exec PID files failed; execs learn their PID at their end', e);
    }
  }

  /** Stops watching (tests, shutdown). */
  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  readPid(execId: string): number {
    try {
      const n = Number(fs.readFileSync(this.file(execId), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  remove(execId: string): void {
    fs.rm(this.file(execId), { force: true }, () => {});
  }
}

/**
 * Runs the exec. Resolves once the process runs (its PID known); rejects with the runtime's message
 * when runc could not start it (the caller maps it to 126/127). The handle's `exited` settles after
 * the process's output has been delivered.
 */
export function runcExecDirect(o: DirectExecOptions, pids: PidFiles, log: Logger): Promise<ExecHandle> {
  const pidFile = pids.file(o.execId);
  const attached = !!o.streams;
  const withStdin = attached && o.openStdin && !!o.streams!.stdin;
  const args = o.nsexec ? o.nsexec.args : [
    '--root',
    o.runcRoot,
    '--log',
    '/proc/self/fd/4',
    '--log-format',
    'json',
    'exec',
    '--process',
    '/proc/self/fd/3',
    '--pid-file',
    pidFile,
    o.containerId,
  ];
  const started = Date.now();
  let child;
  try {
    child = fastSpawn(o.nsexec ? o.nsexec.path : o.runcPath, args, {
      env: o.nsexec ? envObject(o.process.env ?? []) : process.env,
      stdio: [withStdin ? 'write' : 'ignore', attached ? 'read' : 'ignore', attached ? 'read' : 'ignore', o.nsexec ? 'ignore' : 'write', 'read'],
    });
  } catch (e) {
    return Promise.reject(e);
  }
  const [stdinPipe, stdoutPipe, stderrPipe, specPipe, logPipe] = child.streams as [Writable | null, Readable | null, Readable | null, Writable | null, Readable];
  if (specPipe) {
    specPipe.on('error', () => {}); // runc gone before reading it: its exit says why
    specPipe.end(JSON.stringify(o.process));
  }

  // berth-nsexec reports the PID as a log line (`{"pid":N}`) rather than in a PID file: no file to
  // write, watch, read and remove per exec.
  const helper = !!o.nsexec;
  let reportedPid = 0;
  let onPidLine = () => {};
  const logChunks: Buffer[] = [];
  logPipe.on('data', (b: Buffer) => {
    logChunks.push(b);
    if (helper && !reportedPid) {
      const m = /\{"pid":(\d+)\}/.exec(Buffer.concat(logChunks).toString('latin1'));
      if (m) {
        reportedPid = Number(m[1]);
        onPidLine();
      }
    }
  });
  const logEnded = streamEnd(logPipe);

  let running = false;
  let heldErr: Buffer[] | null = [];
  const emit = o.streams ? o.streams.onOutput.bind(o.streams) : () => {};
  stdoutPipe?.on('data', (b: Buffer) => emit('stdout', b));
  stderrPipe?.on('data', (b: Buffer) => {
    if (heldErr) heldErr.push(b);
    else emit('stderr', b);
  });
  const outputEnded = Promise.all([stdoutPipe ? streamEnd(stdoutPipe) : null, stderrPipe ? streamEnd(stderrPipe) : null]);

  if (withStdin) {
    const input = o.streams!.stdin!;
    stdinPipe!.on('error', () => {}); // the process closed its stdin or ended: nothing more to give it
    input.pipe(stdinPipe!);
  }

  return new Promise<ExecHandle>((resolve, reject) => {
    let pid = 0;
    let settled = false;
    let stopWaiting = () => {};
    const release = () => {
      if (heldErr) {
        for (const b of heldErr) emit('stderr', b);
        heldErr = null;
      }
    };
    const exited = (async () => {
      const status = await child.exited;
      stopWaiting();
      if (helper && status.code === null) {
        // berth-nsexec killed: unlike runc, which copies through pipes of its own, it handed the
        // process berthd's pipes, so they stay open while the process runs. Settle as with runc (the
        // end is unknown) after a moment for what was already written, and let go of the pipes.
        await Promise.race([Promise.all([outputEnded, logEnded]), new Promise((r) => setTimeout(r, 200))]);
        for (const p of [stdoutPipe, stderrPipe, logPipe]) p?.destroy();
      }
      await Promise.all([outputEnded, logEnded]);
      if (withStdin) o.streams!.stdin!.unpipe(stdinPipe!);
      return status;
    })();
    const onRunning = () => {
      if (settled) return;
      running = true;
      pid = helper ? reportedPid : pids.readPid(o.execId);
      release();
      settled = true;
      log.debug(o.nsexec ? 'exec (berth-nsexec)' : 'runc exec (direct)', { container: o.containerId, args: o.process.args, pid, ms: Date.now() - started });
      const done = exited.then(({ code }) => {
        if (!helper) pids.remove(o.execId);
        // runc itself killed (it never dies of a signal the process got: it forwards those and exits
        // with the process's status): the process's end is unknown, as when conmon is killed.
        return code ?? UNKNOWN_EXIT_CODE;
      });
      resolve(handle(pid, done));
    };
    if (helper) onPidLine = onRunning;
    else stopWaiting = pids.onReady(o.execId, onRunning);
    exited.then(
      ({ code }) => {
        if (settled) return;
        const failure = runcError(Buffer.concat(logChunks).toString('utf8'));
        if (failure !== null && !running) {
          // runc's own message on stderr is not the process's output: drop it.
          heldErr = null;
          if (!helper) pids.remove(o.execId);
          settled = true;
          log.debug('runc exec (direct) failed', { container: o.containerId, args: o.process.args, exit: code, error: failure });
          reject(Object.assign(new Error(failure), { runtimeMessage: failure } satisfies DirectExecFailure));
          return;
        }
        // It ran and ended before the PID file's event (or the helper's PID line) was seen.
        onRunning();
      },
      (e: Error) => {
        if (settled) return;
        settled = true;
        reject(e);
      },
    );
  });
}

function handle(pid: number, exited: Promise<number>): ExecHandle {
  return {
    pid,
    exited,
    attach: async (): Promise<AttachHandle> => {
      // Output goes to the streams given at exec time only (the service always gives them).
      return { done: exited.then(() => undefined), close() {} };
    },
    // No terminal: nothing to resize (Docker ignores a resize of an exec without a tty the same way).
    resize: async () => {},
  };
}

/** The message of runc's last "error" (or "fatal") log entry, or null when it logged none. */
export function runcError(jsonLog: string): string | null {
  let msg: string | null = null;
  for (const line of jsonLog.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if ((e.level === 'error' || e.level === 'fatal') && typeof e.msg === 'string') msg = e.msg;
    } catch {
      /* not JSON: runc prints nothing else there */
    }
  }
  return msg;
}

/** An OCI env list ("K=V") as the object fastSpawn takes; the first of a repeated name wins, as in runc. */
export function envObject(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) continue;
    const k = kv.slice(0, i);
    if (!(k in out)) out[k] = kv.slice(i + 1);
  }
  return out;
}

function streamEnd(s: Readable): Promise<void> {
  return new Promise((r) => {
    if (s.readableEnded || s.destroyed) return r();
    s.once('close', () => r());
    s.once('end', () => r());
    s.once('error', () => r());
  });
}
