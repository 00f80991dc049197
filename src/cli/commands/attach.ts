// `berth attach`: attach local stdin/stdout/stderr to a running container and exit with its status.
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { containerAttach, containerInspect, containerKill, containerResize, containerWait } from '../../client/containers.js';
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
    // As docker: the wait is registered before attaching, so the exit status is known when the stream ends.
    const wait = await containerWait(c, info.Id, 'not-running');
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
    // The stream also ends when the user detaches (the container keeps running): then there is no status.
    const r = await Promise.race([wait.result.catch(() => null), new Promise<null>((res) => setTimeout(() => res(null), 3000).unref())]);
    if (r && r.StatusCode !== 0) throw new StatusError(r.StatusCode);
    return 0;
  },
};
