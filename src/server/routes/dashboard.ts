// The dashboard: a single-page app (web/, copied with xterm.js into dist/web at build time, so it
// works offline) served at /dashboard/ on berthd's listeners, and the one endpoint it needs that the
// Engine API lacks: a terminal into a container over a websocket (an exec with a tty; resize as a
// JSON text message). Everything else the page does goes through the Engine API like any client.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import { NotFoundError } from '../../errors.js';

/** dist/web, beside dist/src (the compiled modules) and dist/bundle (scripts/bundle.mjs), whichever this runs from. */
const WEB_DIR = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (path.basename(dir) !== 'dist' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'web');
})();

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function sendFile(ctx: Parameters<Parameters<Router['get']>[1]>[0], name: string): void {
  // Only plain file names from dist/web: no directories, no dot files, nothing outside it.
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || !(path.extname(name) in TYPES)) throw new NotFoundError('page not found');
  let body: Buffer;
  try {
    body = fs.readFileSync(path.join(WEB_DIR, name));
  } catch {
    throw new NotFoundError('page not found');
  }
  ctx.res.writeHead(200, {
    'Content-Type': TYPES[path.extname(name)]!,
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    // The page talks to its own origin only and loads nothing from elsewhere.
    'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
  });
  ctx.res.end(body);
}

export function registerDashboardRoutes(r: Router, s: Services): void {
  r.get('/dashboard/', (ctx) => {
    // The router takes /dashboard for /dashboard/; the page's relative links need the slash.
    if (!new URL(ctx.req.url ?? '/', 'http://x').pathname.endsWith('/')) {
      ctx.res.writeHead(302, { Location: '/dashboard/', 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    sendFile(ctx, 'index.html');
  });
  r.get('/dashboard/:file', (ctx) => sendFile(ctx, ctx.param('file')));

  /**
   * GET /containers/{id}/exec/ws?cmd=sh&rows=R&cols=C (berth's own): a terminal. Binary messages are
   * the keyboard, text messages are control (`{"resize":[rows,cols]}`); the output comes back as
   * binary messages; the socket closes when the shell exits.
   */
  r.get('/containers/:id/exec/ws', async (ctx) => {
    const cmd = ctx.query.getAll('cmd');
    const rows = ctx.int('rows', 24)!;
    const cols = ctx.int('cols', 80)!;
    const execId = s.containers.createExec(ctx.param('id'), {
      cmd: cmd.length ? cmd : ['/bin/sh'],
      env: ['TERM=xterm-256color'],
      user: '',
      workingDir: '',
      tty: true,
      attachStdin: true,
      attachStdout: true,
      attachStderr: true,
      privileged: false,
      detachKeys: '',
      consoleSize: { height: rows, width: cols },
    });
    const ws = await ctx.acceptWebSocket();
    ws.on('error', () => {});
    const stdin = new PassThrough();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        stdin.write(buf);
        return;
      }
      try {
        const msg = JSON.parse(buf.toString('utf8')) as { resize?: [number, number] };
        if (Array.isArray(msg.resize)) void s.containers.resizeExec(execId, msg.resize[0] | 0, msg.resize[1] | 0).catch(() => {});
      } catch {
        // not a control message: ignored
      }
    });
    ws.on('close', () => stdin.end());
    try {
      const run = await s.containers.startExec(execId, {
        detach: false,
        tty: true,
        stdin,
        onOutput: (_s, data) => {
          if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
        },
        consoleSize: { height: rows, width: cols },
      });
      await run.done;
    } catch (e) {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.from(`\r\n${(e as Error).message}\r\n`), { binary: true });
    }
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
}
