// Runs a command for a test and collects its exit code and output, with a time limit so that a hung
// attach or exec fails the test instead of hanging the suite.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  /** stdout as bytes, for binary output (docker save to stdout, export). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Set when the command was killed for running past its timeout. */
  timedOut: boolean;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Milliseconds; default 60 s. */
  timeout?: number;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeout ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString() + (timedOut ? `\n[harness: killed after ${opts.timeout ?? 60_000} ms]` : '');
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : -1),
        stdout: stdoutBytes.toString(),
        stdoutBytes,
        stderr,
        timedOut,
      });
    });
    // stdin: the given input, else closed at once (docker -i without input then sees EOF).
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  const map: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return map[sig];
}

/** Quotes one word for sh, for the one place a shell string is unavoidable (`script -c`). */
export function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
