// GET /containers/{id}/attach/ws: a websocket client (the ws package, as a browser would speak it)
// attached before the start sends stdin and reads the output; logs=1 replays a finished container's
// output; a client that goes away leaves the daemon serving.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon } from './harness/index.js';

const d = await startDaemon({ after });
const berth = d.engine === 'berthd';

function connect(path: string): Promise<{ ws: WebSocket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${d.socket}:${path}`);
    const chunks: Buffer[] = [];
    ws.on('message', (m: Buffer) => chunks.push(Buffer.from(m)));
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.once('open', () => resolve({ ws, received: () => Buffer.concat(chunks).toString(), closed }));
    ws.once('error', reject);
  });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('attach over a websocket before the start: stdin in, output out, the socket closes at the exit', {}, async () => {
  const id = (await d.docker(['create', '-i', 'busybox', 'sh', '-c', 'read line; echo "got:$line"; echo err >&2'])).stdout.trim();
  const c = await connect(`/containers/${id}/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`);
  assert.equal((await d.docker(['start', id])).code, 0);
  c.ws.send('hello\n');
  await until('the output', () => /got:hello\n/.test(c.received()) && /err\n/.test(c.received()));
  await c.closed;
  assert.equal((await d.docker(['wait', id])).stdout.trim(), '0');
  // logs=1 replays what the container wrote.
  const replay = await connect(`/containers/${id}/attach/ws?logs=1&stdout=1`);
  await replay.closed;
  assert.match(replay.received(), /got:hello/);
  assert.equal((await d.docker(['rm', id])).code, 0);
});

test('a websocket client that goes away mid-stream leaves the daemon serving; an unknown container is a 404 before the handshake', {}, async () => {
  const id = (await d.docker(['run', '-d', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.05; done'])).stdout.trim();
  for (let i = 0; i < 10; i++) {
    const c = await connect(`/containers/${id}/attach/ws?stream=1&stdout=1`);
    await until('a tick', () => c.received().includes('tick'));
    c.ws.terminate();
  }
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  await assert.rejects(connect('/containers/no-such/attach/ws?stream=1'), /Unexpected server response: 404/);
  assert.equal((await d.docker(['rm', '-f', id])).code, 0);
});
