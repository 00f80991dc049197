// The dashboard as served by `berthd --web`: the page and its files (xterm.js included, so it works
// offline), the Engine API on the same origin, and the websocket terminal with resize. The page's
// own script is checked for syntax here; driving it in a browser (Debian's chromium with
// playwright-core, see ../shared/ENVIRONMENT.md) is the next step, not done yet.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { startDaemon, run } from './harness/index.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const port = await freePort();
const d = await startDaemon({ after }, { args: ['--web', `127.0.0.1:${port}`] });
const berth = d.engine === 'berthd';
const base = `http://127.0.0.1:${port}`;

test('the page, its script, style and xterm.js are served from the daemon; nothing else is', { skip: !berth && 'berth only' }, async () => {
  const page = await fetch(`${base}/dashboard/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  for (const f of ['xterm.js', 'addon-fit.js', 'app.js', 'xterm.css', 'app.css']) {
    assert.ok(html.includes(`"${f}"`), `${f} is referenced`);
    const r = await fetch(`${base}/dashboard/${f}`);
    assert.equal(r.status, 200, f);
    assert.ok((await r.arrayBuffer()).byteLength > 100, `${f} has content`);
  }
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other origin');
  for (const bad of ['/dashboard/..%2Fpackage.json', '/dashboard/.hidden.js', '/dashboard/nope.js', '/dashboard/app.ts']) {
    assert.equal((await fetch(`${base}${bad}`)).status, 404, bad);
  }
  assert.equal((await fetch(`${base}/dashboard`, { redirect: 'manual' })).status, 302);
  // The page's API is the daemon's, on the same origin.
  const v = (await (await fetch(`${base}/version`)).json()) as { ApiVersion: string };
  assert.equal(v.ApiVersion, '1.45');
  // The script parses (a syntax error would leave a blank page).
  const check = await run(process.execPath, ['--check', new URL('../../web/app.js', import.meta.url).pathname]);
  assert.equal(check.code, 0, check.stderr);
});

test('the terminal: a shell over a websocket with the size asked for, resized by a control message, closed at exit', { skip: !berth && 'berth only' }, async () => {
  const id = (await d.docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/containers/${id}/exec/ws?cmd=/bin/sh&rows=30&cols=100`);
  let out = '';
  ws.on('message', (m: Buffer) => (out += m.toString()));
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const until = async (re: RegExp) => {
    const end = Date.now() + 10_000;
    while (!re.test(out)) {
      if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  ws.send(Buffer.from('stty size; tty\n'));
  await until(/30 100\r?\n\/dev\/pts\/\d+/);
  ws.send(JSON.stringify({ resize: [40, 120] }));
  await new Promise((r) => setTimeout(r, 200));
  ws.send(Buffer.from('stty size\n'));
  await until(/40 120/);
  ws.send(Buffer.from('exit\n'));
  await closed;
  assert.equal((await d.docker(['rm', '-f', id])).code, 0);
  const missing = new WebSocket(`ws://127.0.0.1:${port}/containers/no-such/exec/ws`);
  await assert.rejects(new Promise((r, j) => (missing.once('open', r), missing.once('error', j))), /404/);
});
