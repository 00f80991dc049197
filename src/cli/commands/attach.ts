// `berth attach`: attach local stdin/stdout/stderr to a running container and exit with its status.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { containerAttach, containerInspect, containerKill, containerResize } from '../../client/containers.js';
import { monitorTtySize, proxySignals, streamSession } from '../stream-session.js';

interface AttachFlags {
  noStdin?: boolean;
  sigProxy?: string | boolean;
  detachKeys?: string;
}

export const spec: CommandSpec<AttachFlags> = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('--no-stdin', 'Do not attach STDIN')
      .option('--sig-proxy [bool]', 'Proxy all received signals to the process (default true)'),
  async run(ctx, args, f) {
    const c = ctx.client;
    const info = await containerInspect(c, args[0]!);
    if (!info.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
    if (info.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
    if (info.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
    // commander turns --no-stdin into `stdin: false`.
    const noStdin = f.noStdin === true || (f as { stdin?: boolean }).stdin === false;
    const stdin = !noStdin && !!info.Config.OpenStdin;
    const tty = !!info.Config.Tty;
    if (tty && stdin && !ctx.io.stdin.isTTY) throw new Error('the input device is not a TTY');
    const proxy = f.sigProxy === undefined || !['false', '0'].includes(String(f.sigProxy));
    const unproxy = proxy && !tty ? proxySignals((sig) => containerKill(c, info.Id, sig)) : () => {};
    const h = await containerAttach(c, info.Id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: f.detachKeys });
    const session = streamSession(ctx, h, { tty, stdin, stdout: true, stderr: true });
    const stopResize = tty ? monitorTtySize(ctx, (hh, ww) => containerResize(c, info.Id, hh, ww)) : () => {};
    try {
      await session.outputDone;
    } finally {
      stopResize();
      session.restore();
      h.close();
      unproxy();
    }
    // docker reports the container's exit status once the stream ends.
    const after = await containerInspect(c, info.Id).catch(() => null);
    if (after && !after.State.Running && after.State.ExitCode !== 0) throw new StatusError(after.State.ExitCode);
    return 0;
  },
};
