// `berth start`: start stopped containers, or with -a/-i attach to one and exit with its status.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { errorText } from '../error-text.js';
import { containerAttach, containerInspect, containerKill, containerResize, containerStart, containerWait } from '../../client/containers.js';
import { monitorTtySize, proxySignals, streamSession } from '../stream-session.js';

interface StartFlags {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

export const spec: CommandSpec<StartFlags> = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('-i, --interactive', "Attach container's STDIN"),
  async run(ctx, args, f) {
    const c = ctx.client;
    if (!f.attach && !f.interactive) {
      const failed: string[] = [];
      for (const t of args) {
        try {
          await containerStart(c, t);
          ctx.out(`${t}\n`);
        } catch (e) {
          ctx.err(`${errorText(e)}\n`);
          failed.push(t);
        }
      }
      if (failed.length) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
      return 0;
    }
    if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
    const info = await containerInspect(c, args[0]!);
    const tty = !!info.Config.Tty;
    const stdin = !!f.interactive && !!info.Config.OpenStdin;
    if (tty && stdin && !ctx.io.stdin.isTTY) throw new Error('the input device is not a TTY');
    const unproxy = tty ? () => {} : proxySignals((sig) => containerKill(c, info.Id, sig));
    const h = await containerAttach(c, info.Id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: f.detachKeys });
    const session = streamSession(ctx, h, { tty, stdin, stdout: true, stderr: true });
    try {
      const wait = await containerWait(c, info.Id, info.HostConfig.AutoRemove ? 'removed' : 'next-exit');
      await containerStart(c, info.Id);
      const stopResize = tty ? monitorTtySize(ctx, (hh, ww) => containerResize(c, info.Id, hh, ww)) : () => {};
      await session.outputDone;
      stopResize();
      const r = await wait.result.catch(() => ({ StatusCode: 125, Error: null }));
      return r.StatusCode;
    } finally {
      session.restore();
      h.close();
      unproxy();
    }
  },
};
