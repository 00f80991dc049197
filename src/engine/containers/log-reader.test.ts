import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readLogs } from './log-reader.js';

async function tmp(t: import('node:test').TestContext) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-logs-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}
const line = (sec: number, stream: string, tag: string, text: string) => `2024-01-01T00:00:${String(sec).padStart(2, '0')}.000000000+00:00 ${stream} ${tag} ${text}\n`;
async function collect(it: AsyncIterable<{ stream: string; data: Buffer }>) {
  const out: string[] = [];
  for await (const r of it) out.push(`${r.stream}:${r.data.toString()}`);
  return out;
}

test('reads across rotated files in order, joining a partial that spans a rotation', async (t) => {
  const dir = await tmp(t);
  const log = path.join(dir, 'ctr.log');
  await fs.writeFile(log + '.2', line(1, 'stdout', 'F', 'one'));
  await fs.writeFile(log + '.1', line(2, 'stdout', 'F', 'two') + line(3, 'stderr', 'P', 'thr'));
  await fs.writeFile(log, line(4, 'stderr', 'F', 'ee') + line(5, 'stdout', 'F', 'four'));
  const all = await collect(readLogs({ logPath: log, stdout: true, stderr: true, tail: null, follow: false }));
  assert.deepEqual(all, ['stdout:one\n', 'stdout:two\n', 'stderr:three\n', 'stdout:four\n']);
  assert.deepEqual(await collect(readLogs({ logPath: log, stdout: true, stderr: false, tail: 2, follow: false })), ['stdout:two\n', 'stdout:four\n']);
  assert.deepEqual(await collect(readLogs({ logPath: log, stdout: true, stderr: true, tail: 0, follow: false })), []);
  // --tail counts per stream: the last stdout line is kept although stderr lines come after it.
  assert.deepEqual(await collect(readLogs({ logPath: log, stdout: true, stderr: true, tail: 1, follow: false })), ['stderr:three\n', 'stdout:four\n']);
  const since = 1704067200000000000n + 2_000_000_000n;
  const until = 1704067200000000000n + 3_000_000_000n;
  assert.deepEqual(await collect(readLogs({ logPath: log, stdout: true, stderr: true, tail: null, sinceNs: since, untilNs: until, follow: false })), ['stdout:two\n', 'stderr:three\n']);
});

test('follow survives a rotation and ends when the writer stops', async (t) => {
  const dir = await tmp(t);
  const log = path.join(dir, 'ctr.log');
  await fs.writeFile(log, line(1, 'stdout', 'F', 'a'));
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const it = readLogs({ logPath: log, stdout: true, stderr: true, tail: null, follow: true, stopped, pollMs: 20 });
  const got: string[] = [];
  const done = (async () => {
    for await (const r of it) got.push(r.data.toString());
  })();
  await new Promise((r) => setTimeout(r, 60));
  await fs.appendFile(log, line(2, 'stdout', 'F', 'b'));
  await new Promise((r) => setTimeout(r, 60));
  // Rotate: the old file gets a last line after the rename (the writer has not reopened yet).
  await fs.rename(log, log + '.1');
  await fs.appendFile(log + '.1', line(3, 'stdout', 'F', 'c'));
  await fs.writeFile(log, line(4, 'stdout', 'F', 'd'));
  await new Promise((r) => setTimeout(r, 60));
  await fs.appendFile(log, line(5, 'stdout', 'P', 'e'));
  stop();
  await done;
  assert.deepEqual(got, ['a\n', 'b\n', 'c\n', 'd\n', 'e']);
});

test('a consumer that stops at any record leaves no file open (the client of a follow gone early)', async (t) => {
  const dir = await tmp(t);
  const log = path.join(dir, 'ctr.log');
  await fs.writeFile(log + '.1', line(1, 'stdout', 'F', 'old'));
  await fs.writeFile(log, line(2, 'stdout', 'F', 'a') + line(3, 'stdout', 'F', 'b'));
  const openOnLog = async () => {
    let n = 0;
    for (const fd of await fs.readdir('/proc/self/fd')) {
      const target = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target === log || target === log + '.1') n++;
    }
    return n;
  };
  const never = new Promise<never>(() => {});
  // Stop after the k-th record: in the rotated file, in the already-written part of the live file, and
  // once following (the record appended after the reader caught up).
  for (const [k, follow] of [[1, false], [2, false], [2, true], [3, true], [4, true]] as const) {
    const reader = readLogs({ logPath: log, stdout: true, stderr: true, tail: null, follow, stopped: never, pollMs: 20 });
    let seen = 0;
    if (k === 4) setTimeout(() => void fs.appendFile(log, line(4, 'stdout', 'F', 'c')), 50);
    for await (const r of reader) {
      assert.ok(r.data.length > 0);
      if (++seen === k) break;
    }
    assert.equal(seen, k, `read ${k} records (follow ${follow})`);
    assert.equal(await openOnLog(), 0, `no log file left open after stopping at record ${k} (follow ${follow})`);
  }
});
