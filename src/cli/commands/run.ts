// `berth run`: create, attach, wait and start a container the way the docker CLI does it, and exit with
// the container's status; 125 for daemon errors, 126/127 for "cannot execute" / "not found" (docker's
// toStatusError).
import type { CommandSpec } from '../command-spec.js';
import { StatusError, PROG, type CliContext } from '../context.js';
import { addContainerFlags } from '../container-options.js';
import { createContainer, requestFromArgs, type CreateFlags } from '../container-create.js';
import { errorText } from '../error-text.js';
import { containerAttach, containerKill, containerResize, containerStart, containerWait } from '../../client/containers.js';
import { monitorTtySize, proxySignals, streamSession } from '../stream-session.js';

export interface RunFlags extends CreateFlags {
  detach?: boolean;
  sigProxy?: string | boolean;
  detachKeys?: string;
}

/** docker's toStatusError: the exit status a failed create/start gives, and the message. */
export function runFailure(e: unknown, command = 'run'): StatusError {
  const text = errorText(e);
  const msg = `${PROG}: ${text}\n\nRun '${PROG} ${command} --help' for more information`;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(text)) return new StatusError(127, msg);
  if (/permission denied|is a directory/.test(text)) return new StatusError(126, msg);
  return new StatusError(125, msg);
}

function sigProxyEnabled(v: string | boolean | undefined): boolean {
  if (v === undefined || v === true) return true;
  return !['false', '0', 'f', 'F', 'FALSE', 'False'].includes(String(v));
}

export const spec: CommandSpec<RunFlags> = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  minArgs: 1,
  interspersed: false,
  noShortHelp: true,
  options: (cmd) =>
    addContainerFlags(cmd, [
      ['-d, --detach', 'Run container in background and print container ID', 'bool'],
      ['--detach-keys <string>', 'Override the key sequence for detaching a container', 'value'],
      ['--sig-proxy [bool]', 'Proxy received signals to the process (default true)', 'value'],
    ]),
  run: (ctx, args, f) => runContainer(ctx, args, f),
};

async function runContainer(ctx: CliContext, args: string[], f: RunFlags): Promise<number> {
  const req = requestFromArgs(ctx, f, args, 'run');
  const c = ctx.client;
  if (!f.detach && req.Tty && req.AttachStdin && !ctx.io.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');

  let id: string;
  try {
    id = await createContainer(ctx, req, f);
  } catch (e) {
    throw runFailure(e);
  }

  if (f.detach) {
    try {
      await containerStart(c, id);
    } catch (e) {
      throw runFailure(e);
    }
    ctx.out(`${id}\n`);
    return 0;
  }

  const unproxy = sigProxyEnabled(f.sigProxy) ? proxySignals((sig) => containerKill(c, id, sig)) : () => {};
  const attached = req.AttachStdin || req.AttachStdout || req.AttachStderr;
  const h = attached
    ? await containerAttach(c, id, { stream: true, stdin: req.AttachStdin, stdout: req.AttachStdout, stderr: req.AttachStderr, detachKeys: f.detachKeys })
    : null;
  const session = h ? streamSession(ctx, h, { tty: !!req.Tty, stdin: !!req.AttachStdin, stdout: !!req.AttachStdout, stderr: !!req.AttachStderr }) : null;
  const cleanup = () => {
    session?.restore();
    h?.close();
    unproxy();
  };
  try {
    // The wait is registered before the start, so a container that exits at once is not missed.
    const wait = await containerWait(c, id, req.HostConfig?.AutoRemove ? 'removed' : 'next-exit');
    try {
      await containerStart(c, id);
    } catch (e) {
      if (req.HostConfig?.AutoRemove) await wait.result.catch(() => {});
      throw runFailure(e);
    }
    const stopResize = req.Tty ? monitorTtySize(ctx, (hh, ww) => containerResize(c, id, hh, ww)) : () => {};
    let status: number;
    try {
      const r = await wait.result;
      status = r.Error ? 125 : r.StatusCode;
      if (r.Error?.Message) ctx.err(`Error waiting for container: ${r.Error.Message}\n`);
    } catch (e) {
      ctx.err(`error waiting for container: ${errorText(e)}\n`);
      status = 125;
    }
    stopResize();
    // Output may still be in flight when the exit status arrives: drain it, but do not hang on a
    // daemon that keeps the connection open.
    if (session) await Promise.race([session.outputDone, new Promise((r) => setTimeout(r, 2000).unref())]);
    return status;
  } finally {
    cleanup();
  }
}
