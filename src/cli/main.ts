// berth: the CLI entry point. Parses argv into a command, runs it against the daemon, prints errors the
// way the docker CLI does ("Error response from daemon: ...") and exits with docker's status codes.
import { DaemonUnreachableError } from '../client/api-error.js';
import { errorText } from './error-text.js';
import { CliContext, StatusError, type CliIO } from './context.js';
import { buildProgram, translateUsageError, UsageError } from './program.js';

/** Runs one invocation and returns its exit status (no process.exit, so tests can call it). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const ctx = new CliContext(io);
  const { program, result } = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.status;
  } catch (e) {
    return reportError(ctx, e);
  } finally {
    ctx.close();
  }
}

export function reportError(ctx: CliContext, e: unknown): number {
  if (e instanceof UsageError) {
    const c = e.commanderError.code;
    if (c === 'commander.helpDisplayed' || c === 'commander.help' || c === 'commander.version') return 0;
    e = translateUsageError(e);
  }
  if (e instanceof StatusError) {
    if (e.message) ctx.err(`${e.message}\n`);
    return e.status;
  }
  if (e instanceof DaemonUnreachableError) {
    ctx.err(`${e.message}\n`);
    return 1;
  }
  ctx.err(`${errorText(e)}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
  // A closed pipe on stdout (`berth ps | head -1`) ends the program quietly, as docker does.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const status = await runCli(argv, io);
  // Output to a pipe may still be queued (a saved image is megabytes): process.exit would cut it
  // short, so exit once both streams have flushed what was written before.
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  await new Promise<void>((r) => process.stderr.write('', () => r()));
  process.exit(status);
}
