// `berth exec`: run a command in a running container; attached (hijacked) unless -d; exits with the
// command's status.
import fs from 'node:fs';
import type { CommandSpec } from '../command-spec.js';
import { collect } from '../command-spec.js';
import { StatusError } from '../context.js';
import { containerInspect } from '../../client/containers.js';
import { execCreate, execInspect, execResize, execStartAttached, execStartDetached } from '../../client/exec.js';
import { parseKvFile, resolveEnvFlag } from '../flag-values.js';
import { monitorTtySize, streamSession } from '../stream-session.js';

interface ExecFlags {
  detach?: boolean;
  detachKeys?: string;
  env?: string[];
  envFile?: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

export const spec: CommandSpec<ExecFlags> = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  minArgs: 2,
  interspersed: false,
  options: (cmd) =>
    cmd
      .option('-d, --detach', 'Detached mode: run command in the background')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('-e, --env <list>', 'Set environment variables', collect)
      .option('--env-file <list>', 'Read in a file of environment variables', collect)
      .option('-i, --interactive', 'Keep STDIN open even if not attached')
      .option('--privileged', 'Give extended privileges to the command')
      .option('-t, --tty', 'Allocate a pseudo-TTY')
      .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
      .option('-w, --workdir <string>', 'Working directory inside the container'),
  async run(ctx, args, f) {
    const c = ctx.client;
    const [target, ...cmd] = args as [string, ...string[]];
    const lookup = (k: string) => ctx.io.env[k];
    const env = [
      ...(f.envFile ?? []).flatMap((p) => parseKvFile(fs.readFileSync(p, 'utf8'), lookup)),
      ...(f.env ?? []).map((e) => resolveEnvFlag(e, lookup)),
    ];
    await containerInspect(c, target);
    const tty = !!f.tty;
    const stdin = !!f.interactive && !f.detach;
    if (!f.detach && tty && stdin && !ctx.io.stdin.isTTY) throw new Error('the input device is not a TTY');
    const out = ctx.io.stdout;
    const consoleSize: [number, number] | null = tty && out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : null;
    const { Id: execId } = await execCreate(c, target, {
      User: f.user ?? '',
      Privileged: !!f.privileged,
      Tty: tty,
      ConsoleSize: consoleSize,
      AttachStdin: stdin,
      AttachStdout: !f.detach,
      AttachStderr: !f.detach,
      DetachKeys: f.detachKeys ?? '',
      Env: env.length ? env : null,
      WorkingDir: f.workdir ?? '',
      Cmd: cmd,
    });
    if (!execId) throw new Error('exec ID empty');
    if (f.detach) {
      await execStartDetached(c, execId, { Tty: tty, ConsoleSize: consoleSize });
      return 0;
    }
    const h = await execStartAttached(c, execId, { Tty: tty, ConsoleSize: consoleSize });
    const session = streamSession(ctx, h, { tty, stdin, stdout: true, stderr: true });
    const stopResize = tty && ctx.io.stdin.isTTY ? monitorTtySize(ctx, (hh, ww) => execResize(c, execId, hh, ww)) : () => {};
    try {
      await session.outputDone;
    } finally {
      stopResize();
      session.restore();
      h.close();
    }
    const info = await execInspect(c, execId);
    if (info.Running) return 0;
    if (info.ExitCode !== 0 && info.ExitCode !== null) throw new StatusError(info.ExitCode);
    return 0;
  },
};
