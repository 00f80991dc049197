// Exec endpoints of the Engine API: create an exec instance in a running container, start it
// (hijacking the connection unless detached), resize its tty, inspect it. Translation only.
import type { Router } from '../http-server.js';
import { detachable, detachKeyBytes } from '../detach-stream.js';
import { checkedBody } from './create-body.js';
import { ExecCreateBody, ExecStartBody } from '../../api/body-schema.js';
import type { Services } from '../../daemon/services.js';
import type { ExecCreateRequest, ExecInspect, ExecStartRequest } from '../../api/types/containers.js';
import { frame, MULTIPLEXED_STREAM_TYPE, RAW_STREAM_TYPE } from '../../api/streams.js';
import { InvalidParameterError } from '../../errors.js';

export function registerExecRoutes(r: Router, s: Services): void {
  const c = () => s.containers;

  r.post('/containers/:id/exec', async (ctx) => {
    const b = checkedBody<ExecCreateRequest>(await ctx.json<unknown>(), ExecCreateBody, 'container.ExecOptions');
    if (typeof b.Cmd === 'string') b.Cmd = [b.Cmd];
    if (!Array.isArray(b.Cmd) || b.Cmd.length === 0) throw new InvalidParameterError('No exec command specified');
    const size = Array.isArray(b.ConsoleSize) && b.ConsoleSize.length === 2 ? { height: b.ConsoleSize[0], width: b.ConsoleSize[1] } : undefined;
    if (b.DetachKeys) detachKeyBytes(b.DetachKeys); // a bad spec is refused at create, as Docker does
    const id = c().createExec(ctx.param('id'), {
      cmd: b.Cmd,
      env: b.Env ?? [],
      user: b.User ?? '',
      workingDir: b.WorkingDir ?? '',
      tty: !!b.Tty,
      attachStdin: !!b.AttachStdin,
      attachStdout: !!b.AttachStdout,
      attachStderr: !!b.AttachStderr,
      privileged: !!b.Privileged,
      detachKeys: b.DetachKeys ?? '',
      ...(size ? { consoleSize: size } : {}),
    });
    ctx.sendJson(201, { Id: id });
  });

  r.post('/exec/:id/start', async (ctx) => {
    const id = ctx.param('id');
    const b = checkedBody<ExecStartRequest>(await ctx.json<unknown>({}), ExecStartBody, 'container.ExecStartOptions');
    const info = c().inspectExec(id); // 404 before any hijack
    const tty = b.Tty ?? info.tty;
    const size = Array.isArray(b.ConsoleSize) && b.ConsoleSize.length === 2 ? { height: b.ConsoleSize[0], width: b.ConsoleSize[1] } : undefined;
    if (b.Detach) {
      await c().startExec(id, { detach: true, tty, ...(size ? { consoleSize: size } : {}) });
      ctx.res.writeHead(200, { 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    // The exec's own terminal (from its create) decides whether detach keys are watched, as Docker.
    const keys = info.tty && info.config.attachStdin ? detachKeyBytes(info.config.detachKeys) : null;
    const sock = ctx.hijack(tty ? RAW_STREAM_TYPE : MULTIPLEXED_STREAM_TYPE);
    const write = (stream: 'stdout' | 'stderr', data: Buffer) => {
      if (sock.writable) sock.write(tty ? data : frame(stream, data));
    };
    let onDetach = () => {};
    const detachedP = new Promise<void>((resolve) => (onDetach = resolve));
    const stdin = keys ? detachable(sock, keys, () => onDetach()) : sock;
    try {
      const run = await c().startExec(id, {
        detach: false,
        tty,
        ...(info.config.attachStdin ? { stdin } : {}),
        onOutput: write,
        ...(size ? { consoleSize: size } : {}),
      });
      // Detached: the client goes, the exec goes on.
      await Promise.race([run.done, detachedP]);
    } catch (e) {
      // After the hijack the only way to report a failure is the stream itself, as Docker does; the
      // client then reads the exit code (126/127) from the exec's inspect.
      write('stdout', Buffer.from(`${(e as Error).message}\r\n`));
    }
    sock.end();
  });

  r.post('/exec/:id/resize', async (ctx) => {
    await c().resizeExec(ctx.param('id'), ctx.int('h', 0)!, ctx.int('w', 0)!);
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
    ctx.res.end();
  });

  r.get('/exec/:id/json', (ctx) => {
    const e = c().inspectExec(ctx.param('id'));
    const body: ExecInspect = {
      CanRemove: false,
      DetachKeys: e.config.detachKeys,
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: {
        privileged: e.config.privileged,
        user: e.config.user,
        tty: e.config.tty,
        entrypoint: e.config.cmd[0] ?? '',
        arguments: e.config.cmd.slice(1),
      },
      OpenStdin: e.config.attachStdin,
      OpenStderr: e.config.attachStderr,
      OpenStdout: e.config.attachStdout,
      ContainerID: e.containerId,
      Pid: e.pid,
    };
    ctx.sendJson(200, body);
  });
}
