// Clients that hang up: for every hijacked or streaming endpoint, clients close before the answer,
// mid-stream with output left unread, and after the end. The daemon must keep serving (a reset on one
// connection ends that connection only), and its open file descriptors and RSS must come back to where
// they started. Raw sockets, no client library: a library would read and close politely.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startDaemon, waitFor, sleep, BUSYBOX_TAR } from './harness/index.js';

const d = await startDaemon({ after });

/** When the client closes: right after sending, once the first bytes arrive, or after reading to the end. */
type Mode = 'before-answer' | 'mid-stream' | 'after-end';
const MODES: Mode[] = ['before-answer', 'mid-stream', 'after-end'];

/**
 * Sends a raw HTTP request and hangs up as `mode` says. `mid-stream` pauses the socket after the first
 * chunk, so the daemon meets a full socket buffer and then a reset (the case that used to kill it).
 */
function hangUp(req: string | Buffer, mode: Mode, body?: Buffer | (() => AsyncIterable<Buffer>)): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(d.socket);
    const done = () => {
      s.destroy();
      resolve();
    };
    s.on('error', done); // our own socket: a reset from the daemon is fine here
    s.on('connect', async () => {
      s.write(req);
      if (Buffer.isBuffer(body)) s.write(body);
      else if (body) {
        for await (const chunk of body()) {
          if (s.destroyed) break;
          s.write(chunk);
        }
      }
      if (mode === 'before-answer') return void setTimeout(done, 5);
    });
    if (mode === 'mid-stream') {
      s.once('data', () => {
        s.pause();
        // Leave the daemon writing into a full buffer for a moment, then reset.
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 30);
      });
    } else if (mode === 'after-end') {
      s.on('data', () => {});
      s.on('end', done);
      s.on('close', done);
    }
    // Bounded: no round may hang the suite.
    setTimeout(done, 15_000).unref();
  });
}

function upgradeRequest(path: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function getRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n`;
}

function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** What each open descriptor is (its /proc link), for telling which ones a round left behind. */
function fdTargets(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/fd`).map((f) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${f}`);
    } catch {
      return '?';
    }
  });
}

/** The targets in `after` beyond those in `before` (as multisets). */
function added(before: string[], after: string[]): string[] {
  const left = new Map<string, number>();
  for (const t of before) left.set(t, (left.get(t) ?? 0) + 1);
  const out: string[] = [];
  for (const t of after) {
    const n = left.get(t) ?? 0;
    if (n > 0) left.set(t, n - 1);
    else out.push(t);
  }
  return out;
}


async function alive(): Promise<void> {
  const r = await d.api('GET', '/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'OK');
}

/** Runs `n` rounds, `width` at a time. */
async function rounds(n: number, width: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await one(next++);
    }),
  );
}

let pid = 0;
let fdsBefore = 0;
let fdTargetsBefore: string[] = [];
let rssBefore = 0;
let heapBefore = 0;

/**
 * The daemon's memory right after a garbage collection (/debug/vars?gc=1, served at debug level): what
 * it holds, not what V8 and malloc have yet to give back.
 */
async function collected(): Promise<{ rss: number; heapUsed: number }> {
  const r = await d.api('GET', '/debug/vars?gc=1');
  assert.equal(r.status, 200, r.text);
  const m = r.json().memstats as { rss: number; heapUsed: number };
  return { rss: m.rss, heapUsed: m.heapUsed };
}
let total = 0;

test('set-up: a long-running container, then the baseline after one unmeasured pass of every kind of round', async () => {
  const r = await d.docker(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.05; done']);
  assert.equal(r.code, 0, r.stderr);
  pid = d.pid!;
  // Warm-up: the first uses of each path load code and grow the heap and malloc's pools to their
  // working size (measured by hand: RSS rises for the first ~20 uploads, then stays flat over 30 more);
  // that is not a leak. A leak is growth past it.
  // So the warm-up is one whole pass of the same rounds; the measured pass after it must not grow.
  await execRounds(90);
  await attachRounds(30);
  await streamRounds();
  await uploadRounds(40);
  await alive();
  await sleep(300);
  fdsBefore = fdCount(pid);
  fdTargetsBefore = fdTargets(pid);
  ({ rss: rssBefore, heapUsed: heapBefore } = await collected());
});

async function attachRounds(n: number): Promise<void> {
  await rounds(n, 2, async (i) => {
    const mode = MODES[i % 3]!;
    const c = await d.api('POST', '/containers/create', { body: { Image: 'busybox', Cmd: ['sh', '-c', 'yes | head -c 200000; sleep 0.2'], AttachStdout: true } });
    assert.equal(c.status, 201, c.text);
    const id = c.json().Id as string;
    const path = `/containers/${id}/attach?stream=1&stdout=1&stderr=1`;
    const req = i % 2 === 0 ? upgradeRequest(path, '') : `POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
    const hung = hangUp(req, mode);
    await sleep(20);
    const st = await d.api('POST', `/containers/${id}/start`);
    assert.ok(st.status === 204 || st.status === 304, st.text);
    await hung;
    const w = await d.api('POST', `/containers/${id}/wait`);
    assert.equal(w.status, 200, w.text);
    const rm = await d.api('DELETE', `/containers/${id}?force=1`);
    assert.equal(rm.status, 204, rm.text);
  });
}

/** Load and import uploads: half cut off with a reset, half a body that is no archive read to the end. */
async function uploadRounds(n: number): Promise<void> {
  const tarball = fs.readFileSync(BUSYBOX_TAR);
  const half = tarball.subarray(0, Math.floor(tarball.length / 2));
  await rounds(n, 2, async (i) => {
    const cut = i % 2 === 0;
    const path = i % 4 < 2 ? '/images/load?quiet=1' : '/images/create?fromSrc=-&repo=hangup-import&tag=x';
    const head = `POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: close\r\nContent-Type: application/x-tar\r\nContent-Length: ${tarball.length}\r\n\r\n`;
    await hangUp(head, cut ? 'before-answer' : 'after-end', cut ? half : Buffer.alloc(tarball.length, 7));
  });
}

async function execRounds(n: number): Promise<void> {
  await rounds(n, 3, async (i) => {
    const mode = MODES[i % 3]!;
    await execRound(mode, mode === 'mid-stream' ? 'yes | head -c 1000000' : 'echo hi');
  });
}

async function streamRounds(): Promise<void> {
  await rounds(30, 3, async (i) => hangUp(getRequest('/containers/talker/logs?follow=1&stdout=1&tail=all'), MODES[i % 2]!));
  // stats streams one sample a second; one-shot (stream=0) is the after-end case.
  await rounds(12, 4, async (i) => hangUp(getRequest(`/containers/talker/stats${i % 3 === 2 ? '?stream=0' : ''}`), MODES[i % 3]!));
  await rounds(30, 3, async (i) => {
    const mode = MODES[i % 3]!;
    // An events stream with an `until` in the past ends by itself: that is the after-end case.
    const q = mode === 'after-end' ? `?since=0&until=${Math.floor(Date.now() / 1000) - 1}` : '?since=0';
    await hangUp(getRequest(`/events${q}`), mode);
  });
}

async function execRound(mode: Mode, cmd: string): Promise<void> {
  const ex = await d.api('POST', '/containers/talker/exec', { body: { Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true } });
  assert.equal(ex.status, 201, ex.text);
  await hangUp(upgradeRequest(`/exec/${ex.json().Id}/start`, JSON.stringify({ Detach: false, Tty: false })), mode);
}

test('exec start (upgraded): 90 hang-ups before the answer, mid-stream with 1 MB unread, after the end', async () => {
  await execRounds(90);
  total += 90;
  await alive();
});

test('attach (upgraded and plain) to a container that then starts and writes: 30 hang-ups', async () => {
  await attachRounds(30);
  total += 30;
  await alive();
});

test('logs follow, stats and events: 72 hang-ups', async () => {
  await streamRounds();
  total += 72;
  await alive();
});

test('load and import: 40 uploads cut off halfway or ended, then the store is as before', async () => {
  const before = await d.api('GET', '/images/json');
  await uploadRounds(40);
  total += 40;
  await alive();
  const after = await d.api('GET', '/images/json');
  assert.deepEqual(
    after.json().map((x: { Id: string }) => x.Id).sort(),
    before.json().map((x: { Id: string }) => x.Id).sort(),
    'no image was added by a cut or garbled upload',
  );
});

test('after the rounds: the daemon is the same process, and its fds (within 2) and RSS and heap (within 5 MB, after a GC) came back', async () => {
  assert.ok(total >= 200, `${total} rounds`);
  assert.equal(d.pid, pid, 'berthd was not restarted');
  await alive();
  // Execs and attaches finish in the background (conmon exits, sockets drain): wait for the fds to
  // settle, bounded, then compare.
  const fds = await waitFor('fds to settle', () => (fdCount(pid) <= fdsBefore + 2 ? fdCount(pid) : 0), 20_000, 200).catch(() => fdCount(pid));
  assert.ok(fds <= fdsBefore + 2, `open fds: ${fdsBefore} before, ${fds} after; new since: ${added(fdTargetsBefore, fdTargets(pid)).join(' ')}; all now: ${fdTargets(pid).join(' ')}`);
  // Memory after a collection, so garbage not yet collected is not taken for a leak; a few tries,
  // bounded, since buffers of closed sockets can need a turn of the event loop to be let go.
  const MB = 1024 * 1024;
  let after = await collected();
  for (let i = 0; i < 10 && (after.rss > rssBefore + 5 * MB || after.heapUsed > heapBefore + 5 * MB); i++) {
    await sleep(500);
    after = await collected();
  }
  console.log(`hang-up suite: after GC, RSS ${(rssBefore / MB).toFixed(1)} -> ${(after.rss / MB).toFixed(1)} MB, heap ${(heapBefore / MB).toFixed(1)} -> ${(after.heapUsed / MB).toFixed(1)} MB; fds ${fdsBefore} -> ${fdCount(pid)}`);
  assert.ok(after.heapUsed <= heapBefore + 5 * MB, `heap ${(heapBefore / MB).toFixed(1)} MB before, ${(after.heapUsed / MB).toFixed(1)} MB after`);
  assert.ok(after.rss <= rssBefore + 5 * MB, `RSS ${(rssBefore / MB).toFixed(1)} MB before, ${(after.rss / MB).toFixed(1)} MB after`);
  const log = fs.readFileSync(d.logFile, 'utf8');
  assert.doesNotMatch(log, /Unhandled 'error'|uncaught/i);
  // A hang-up is not an error: no error-level lines with a stack for it.
  const errorLines = log.split('\n').filter((l) => /level=error/.test(l) && /ECONNRESET|EPIPE|ERR_STREAM/.test(l));
  assert.deepEqual(errorLines, []);
});
