// Starting conmon, the per-container monitor: its arguments, the pipes it reports through (sync pipe:
// the PID or the runtime's error, then an exec's exit code; attach/start pipes for exec sessions).
// Without `sync`, conmon forks itself away at once (the process we started exits); with it (a
// container's monitor), the process we started is the monitor. Either way it calls setsid and is not
// killed with berthd, so the container outlives the process that started it.
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../daemon/logger.js';
import { SystemError } from '../errors.js';
import { fastSpawn, type FastChild } from './fast-spawn.js';

export interface ConmonArgs {
  conmonPath: string;
  runtimePath: string;
  /** Global runtime flags (before the subcommand): ["--root=/run/berth/runc"]. */
  runtimeArgs: string[];
  cid: string;
  cuuid: string;
  name?: string;
  bundle: string;
  pidFile: string;
  /** Where conmon writes its own PID when it forks itself away (not with `sync`: the caller knows it). */
  conmonPidFile: string;
  /** "k8s-file:/path" or "none". */
  logPath: string;
  logSizeMax?: number;
  exitDir: string;
  socketDir: string;
  persistDir?: string;
  terminal: boolean;
  stdin: boolean;
  leaveStdinOpen: boolean;
  exec?: { processSpec: string; attach: boolean };
  /**
   * conmon waits for a write on its start pipe before anything else (it reads it once, right after
   * parsing its arguments): berthd starts it early and lets it go when the bundle is ready.
   */
  holdUntilStarted?: boolean;
  /** conmon's own stderr is not read (a monitor started ahead: no descriptor held for it). */
  quiet?: boolean;
  /**
   * conmon --sync: it does not fork itself away, so the process spawned is the monitor (our child
   * until berthd exits). Its fork, and the wait for the forked child to be scheduled, cost 1.5-3 ms
   * between the start pipe and runc on this VM.
   */
  sync?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export function conmonArgv(a: ConmonArgs): string[] {
  const argv = ['--api-version', '1', '-c', a.cid, '-u', a.cuuid, '-r', a.runtimePath, '-b', a.bundle, '-p', a.pidFile];
  if (a.sync) argv.push('--sync');
  else argv.push('-P', a.conmonPidFile);
  argv.push('-l', a.logPath, '--exit-dir', a.exitDir, '--socket-dir-path', a.socketDir);
  if (a.name) argv.push('-n', a.name);
  for (const r of a.runtimeArgs) argv.push('--runtime-arg', r);
  if (a.logSizeMax !== undefined && a.logSizeMax > 0) argv.push('--log-size-max', String(a.logSizeMax));
  if (a.persistDir) argv.push('--persist-dir', a.persistDir);
  if (a.terminal) argv.push('-t');
  if (a.stdin) argv.push('-i');
  if (a.stdin && a.leaveStdinOpen) argv.push('--leave-stdin-open');
  if (a.exec) {
    argv.push('-e', '--exec-process-spec', a.exec.processSpec);
    if (a.exec.attach) argv.push('--exec-attach');
  }
  if (a.logLevel) argv.push('--log-level', a.logLevel);
  // Sync logs on exit costs a full fsync per container; berthd reads them back from the page cache.
  argv.push('--no-sync-log');
  return argv;
}

/** One JSON message conmon writes on a pipe: {"data": N} or {"data": N, "message": "..."} (API v1). */
export interface ConmonMessage {
  data: number;
  message?: string;
}

/** Reads newline-delimited JSON messages from one of conmon's pipes, one at a time. */
export class MessageReader {
  private buf = '';
  private queue: ConmonMessage[] = [];
  private waiters: { resolve: (m: ConmonMessage | null) => void }[] = [];
  private ended = false;

  /** A null stream (conmon could not be started) reads as a pipe that closed at once. */
  constructor(stream: Readable | null) {
    if (!stream) {
      this.ended = true;
      return;
    }
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      this.buf += s;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        try {
          this.push(JSON.parse(line) as ConmonMessage);
        } catch {
          this.push({ data: -1, message: `unparseable message from conmon: ${line}` });
        }
      }
    });
    const end = () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w.resolve(null);
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  private push(m: ConmonMessage): void {
    const w = this.waiters.shift();
    if (w) w.resolve(m);
    else this.queue.push(m);
  }

  /** The next message, or null when the pipe closed first. */
  next(): Promise<ConmonMessage | null> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push({ resolve }));
  }
}

export interface SpawnedConmon {
  /** The launcher (conmon forks the monitor and exits at once). */
  child: Pick<FastChild, 'pid' | 'kill'>;
  sync: MessageReader;
  /** Present when exec.attach: conmon writes here when the attach socket listens. */
  attach?: MessageReader;
  /** Present when exec.attach (conmon waits for a write here twice) or holdUntilStarted (once). */
  start?: Writable;
  /** conmon's own messages before it daemonized (bad arguments and the like). */
  stderr(): string;
  /**
   * Resolves when the process spawned exited: at once without `sync` (it forks the monitor away),
   * when the monitor ends with it.
   */
  launched: Promise<number>;
  /** Drops our ends of the pipes (the monitor keeps running). */
  release(): void;
}

/** fd numbers of the pipes in conmon's table; their numbers travel in _OCI_* variables. */
const SYNC_FD = 3;
const START_FD = 4;
const ATTACH_FD = 5;

export function spawnConmon(a: ConmonArgs, log: Logger): SpawnedConmon {
  const argv = conmonArgv(a);
  const withExecPipes = !!a.exec?.attach;
  const withStartPipe = withExecPipes || !!a.holdUntilStarted;
  // LC_ALL=C: conmon calls setlocale(LC_ALL, "") first thing, and a UTF-8 locale from the
  // environment costs it ~20 file opens (~0.7 ms) before it reads its start pipe. It prints nothing a
  // locale changes; runc, which inherits this environment, is Go and reads none.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', _OCI_SYNCPIPE: String(SYNC_FD) };
  if (withStartPipe) env._OCI_STARTPIPE = String(START_FD);
  if (withExecPipes) env._OCI_ATTACHPIPE = String(ATTACH_FD);
  log.debug('conmon', { args: argv });
  // cwd = the bundle: conmon writes its "oom" marker relative to its working directory.
  let child: FastChild;
  try {
    child = fastSpawn(a.conmonPath, argv, {
      cwd: a.bundle,
      env,
      longLived: !!a.sync,
      stdio: withExecPipes
        ? ['ignore', 'ignore', 'read', 'read', 'write', 'read']
        : withStartPipe
          ? ['ignore', 'ignore', 'read', 'read', 'write']
          : ['ignore', 'ignore', a.quiet ? 'ignore' : 'read', 'read'],
    });
  } catch (e) {
    const err = new SystemError(`cannot run conmon (${a.conmonPath}): ${(e as Error).message}`, { cause: e });
    child = { pid: 0, streams: [], exited: Promise.reject(err), kill() {} };
  }
  let errText = '';
  const errStream = child.streams[2] as Readable | null | undefined;
  errStream?.setEncoding('utf8');
  errStream?.on('data', (s: string) => {
    if (errText.length < 16384) errText += s;
  });
  const launched = child.exited.then(
    ({ code, signal }) => {
      log.debug('conmon launcher exited', { cid: a.cid, exit: code, signal: signal ?? undefined });
      return code ?? -1;
    },
    (e: Error) => {
      throw e instanceof SystemError ? e : new SystemError(`cannot run conmon (${a.conmonPath}): ${e.message}`, { cause: e });
    },
  );
  launched.catch(() => {});
  const stdio = child.streams;
  const syncStream = stdio[SYNC_FD] as Readable | undefined;
  const sync = new MessageReader(syncStream ?? null);
  const out: SpawnedConmon = {
    child,
    sync,
    stderr: () => errText,
    launched,
    release() {
      for (const s of stdio) s?.destroy();
    },
  };
  if (withStartPipe) {
    out.start = (stdio[START_FD] as Writable | undefined) ?? undefined;
    // A conmon that died before reading makes the write fail (EPIPE); the sync pipe reports why.
    out.start?.on('error', (e) => log.debug('conmon start pipe', { cid: a.cid, error: e.message }));
  }
  if (withExecPipes) out.attach = new MessageReader((stdio[ATTACH_FD] as Readable | undefined) ?? null);
  return out;
}

/**
 * The runtime's error as conmon relays it: runc's stderr ("time=... level=error msg=...") or the
 * container's own early stderr. Extracts the human part.
 */
export function runtimeErrorText(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const msgs: string[] = [];
  for (const l of lines) {
    const m = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(l);
    if (m) {
      try {
        msgs.push(JSON.parse(`"${m[1]}"`) as string);
      } catch {
        msgs.push(m[1]!);
      }
      continue;
    }
    if (l.startsWith('{')) {
      try {
        const j = JSON.parse(l) as { msg?: string };
        if (j.msg) {
          msgs.push(j.msg);
          continue;
        }
      } catch {
        /* plain text */
      }
    }
  }
  return (msgs.length ? msgs[msgs.length - 1]! : lines.join('\n')) || message.trim();
}
