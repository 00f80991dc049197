// Client transport against a tiny local HTTP server on a unix socket: negotiation, errors, hijack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, buildQuery, encodeFilters } from './client.js';
import { ApiError, DaemonUnreachableError } from './api-error.js';
import { containerInspect, containerAttach } from './containers.js';
import { frame } from '../api/streams.js';
import { copyOutput } from './demux.js';
import { Writable } from 'node:stream';

async function withServer(
  handler: http.RequestListener,
  onUpgrade: ((req: http.IncomingMessage, socket: import('node:stream').Duplex) => void) | null,
  fn: (c: Client, seen: string[]) => Promise<void>,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-client-'));
  const sock = path.join(dir, 's.sock');
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  if (onUpgrade) server.on('upgrade', (req, socket) => {
    seen.push(`UPGRADE ${req.method} ${req.url}`);
    onUpgrade(req, socket);
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const c = new Client({ kind: 'unix', socketPath: sock, url: `unix://${sock}` });
  try {
    await fn(c, seen);
  } finally {
    c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('buildQuery encodes booleans as 1/0, skips undefined, repeats arrays', () => {
  assert.equal(buildQuery({ a: true, b: false, c: undefined, d: 'x y', e: ['1', '2'] }), '?a=1&b=0&d=x+y&e=1&e=2');
  assert.equal(buildQuery({}), '');
  assert.equal(encodeFilters({ label: ['a=b'], status: [] }), '{"label":["a=b"]}');
  assert.equal(encodeFilters({ status: [] }), undefined);
});

test('negotiates the lower API version and maps {"message"} errors to ApiError', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'API-Version': '1.43', 'Content-Type': 'text/plain' });
        res.end('OK');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such container: nope' }));
    },
    null,
    async (c, seen) => {
      await assert.rejects(containerInspect(c, 'nope'), (e: unknown) => e instanceof ApiError && e.statusCode === 404 && e.message === 'No such container: nope');
      assert.deepEqual(seen, ['GET /_ping', 'GET /v1.43/containers/nope/json']);
    },
  );
});

test('a server newer than us gets our version', async () => {
  await withServer(
    (req, res) => {
      res.writeHead(200, { 'API-Version': '1.99', 'Content-Type': 'application/json' });
      res.end(req.url === '/_ping' ? 'OK' : '{"Id":"x"}');
    },
    null,
    async (c, seen) => {
      assert.deepEqual(await containerInspect(c, 'x'), { Id: 'x' });
      assert.equal(seen[1], 'GET /v1.45/containers/x/json');
    },
  );
});

test('attach hijacks with Upgrade: tcp and demuxes framed output', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'API-Version': '1.45' });
      res.end('OK');
    },
    (req, socket) => {
      assert.equal(req.headers.upgrade, 'tcp');
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.on('data', (d: Buffer) => {
        // Echo stdin back as stdout, then a stderr frame, then close.
        socket.write(frame('stdout', d));
        socket.end(frame('stderr', Buffer.from('err')));
      });
    },
    async (c) => {
      const h = await containerAttach(c, 'x', { stdin: true, stdout: true, stderr: true });
      assert.ok(h.input);
      let out = '';
      let err = '';
      const sink = (f: (s: string) => void) => new Writable({ write(ch, _e, cb) { f(String(ch)); cb(); } });
      const done = copyOutput(h.output, false, sink((s) => (out += s)), sink((s) => (err += s)));
      h.input.write('hello');
      await done;
      assert.equal(out, 'hello');
      assert.equal(err, 'err');
    },
  );
});

test('an absent socket gives DaemonUnreachableError', async () => {
  const c = new Client({ kind: 'unix', socketPath: '/nonexistent/berth.sock', url: 'unix:///nonexistent/berth.sock' });
  await assert.rejects(c.ping(), (e: unknown) => e instanceof DaemonUnreachableError && /Cannot connect to the berth daemon at unix:\/\/\/nonexistent/.test((e as Error).message));
  c.close();
});
