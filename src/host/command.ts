// Running a host program by argument array, collecting its output, with every run logged at debug
// level (arguments, exit status, duration): the one way the runtime adapters spawn short commands.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fastSpawn, type FastChild } from './fast-spawn.js';
import type { Logger } from '../daemon/logger.js';

export interface CommandResult {
  code: number;
  /** Set when the process died of a signal. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  log?: Logger;
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `file args...` to completion. Never throws for a non-zero exit; throws when it cannot start.
 * Started with posix_spawn (fast-spawn.ts): a fork of the daemon would cost 3-4 ms of its time per
 * command, and runc is run on every start, stop and exit.
 */
export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let child: FastChild;
    try {
      child = fastSpawn(resolveProgram(file, opts.env), args, {
        env: opts.env ?? process.env,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        stdio: [opts.input === undefined ? 'ignore' : 'write', 'read', 'read'],
      });
    } catch (e) {
      opts.log?.debug('command failed to run', { file, args, error: String(e) });
      reject(e);
      return;
    }
    const [stdin, stdout, stderr] = child.streams as [Writable | null, Readable, Readable];
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (b: Buffer) => out.push(b));
    stderr.on('data', (b: Buffer) => err.push(b));
    const ended = (s: Readable) => new Promise<void>((r) => (s.readableEnded || s.destroyed ? r() : s.once('close', () => r())));
    let killedBy: NodeJS.Signals | null = null;
    const kill = (sig: NodeJS.Signals) => {
      killedBy = sig;
      child.kill(sig);
    };
    const timer = opts.timeoutMs ? setTimeout(() => kill('SIGTERM'), opts.timeoutMs) : undefined;
    const onAbort = () => kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    Promise.all([child.exited, ended(stdout), ended(stderr)]).then(
      ([{ code, signal }]) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const sig = typeof signal === 'number' ? signalName(signal) : signal;
        const r: CommandResult = {
          code: code ?? -1,
          signal: sig ?? (code === null ? killedBy : null),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        opts.log?.debug('command', { file, args, exit: r.code, signal: r.signal ?? undefined, ms: Date.now() - started });
        resolve(r);
      },
      (e: Error) => {
        clearTimeout(timer);
        opts.log?.debug('command failed to run', { file, args, error: String(e) });
        reject(e);
      },
    );
    if (stdin) {
      stdin.on('error', () => {}); // the program may exit without reading its input
      stdin.end(opts.input);
    }
  });
}

function signalName(n: number): NodeJS.Signals | null {
  for (const [name, num] of Object.entries(os.constants.signals)) if (num === n) return name as NodeJS.Signals;
  return null;
}

/** posix_spawn takes a path: a bare name is looked up in PATH (of `env` when given), as execvp does. */
function resolveProgram(file: string, env?: NodeJS.ProcessEnv): string {
  if (file.includes('/')) return file;
  const dirs = ((env ?? process.env).PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  for (const d of dirs) {
    const p = path.join(d || '.', file);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return file; // let the spawn fail with ENOENT
}
