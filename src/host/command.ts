// Running a host program by argument array, collecting its output, with every run logged at debug
// level (arguments, exit status, duration): the one way the runtime adapters spawn short commands.
import { spawn } from 'node:child_process';
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

/** Runs `file args...` to completion. Never throws for a non-zero exit; throws when it cannot start. */
export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
      signal: opts.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      opts.log?.debug('command failed to run', { file, args, error: String(e) });
      reject(e);
    });
    child.on('close', (code, sig) => {
      const r: CommandResult = {
        code: code ?? -1,
        signal: sig,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      opts.log?.debug('command', { file, args, exit: r.code, signal: sig ?? undefined, ms: Date.now() - started });
      resolve(r);
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}
