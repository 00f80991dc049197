import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, RecordJoiner, formatTimestampNs, parseLogLine, parseTimestampNs, rotatedNames, rotationPlan } from './k8s-log.js';

test('timestamps with nanoseconds and offsets', () => {
  assert.equal(parseTimestampNs('2024-01-01T00:00:00.000000001+00:00'), 1704067200000000001n);
  assert.equal(parseTimestampNs('2024-01-01T01:00:00.5+01:00'), 1704067200500000000n);
  assert.equal(parseTimestampNs('2024-01-01T00:00:00Z'), 1704067200000000000n);
  assert.equal(parseTimestampNs('yesterday'), null);
  assert.equal(formatTimestampNs(1704067200000000001n), '2024-01-01T00:00:00.000000001Z');
});

test('parse F and P lines, keeping arbitrary bytes', () => {
  const l = parseLogLine(Buffer.from('2024-01-01T00:00:00.000000000+00:00 stderr F oops: a b '))!;
  assert.equal(l.stream, 'stderr');
  assert.equal(l.partial, false);
  assert.equal(l.text.toString(), 'oops: a b ');
  const p = parseLogLine(Buffer.concat([Buffer.from('2024-01-01T00:00:00.000000000+00:00 stdout P '), Buffer.from([0xff, 0x00])]))!;
  assert.equal(p.partial, true);
  assert.deepEqual([...p.text], [0xff, 0x00]);
  assert.equal(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stdout F'))!.text.length, 0);
  assert.equal(parseLogLine(Buffer.from('garbage line')), null);
  assert.equal(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stdin F x')), null);
});

test('partials join per stream with the first piece timestamp', () => {
  const j = new RecordJoiner();
  const L = (s: string) => parseLogLine(Buffer.from(s))!;
  assert.equal(j.push(L('2024-01-01T00:00:01Z stdout P hel')), null);
  const e = j.push(L('2024-01-01T00:00:02Z stderr F err'))!;
  assert.equal(e.data.toString(), 'err\n');
  const r = j.push(L('2024-01-01T00:00:03Z stdout F lo'))!;
  assert.equal(r.data.toString(), 'hello\n');
  assert.equal(r.timeNs, parseTimestampNs('2024-01-01T00:00:01Z'));
  j.push(L('2024-01-01T00:00:04Z stdout P tail-without-newline'));
  assert.deepEqual(j.flush().map((x) => x.data.toString()), ['tail-without-newline']);
});

test('line splitter keeps incomplete lines', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(Buffer.from('a\nb')).map(String), ['a']);
  assert.deepEqual(s.push(Buffer.from('c\n\n')).map(String), ['bc', '']);
  assert.equal(s.pendingBytes, 0);
});

test('rotated files are listed oldest first', () => {
  assert.deepEqual(rotatedNames('ctr.log', ['ctr.log', 'ctr.log.1', 'ctr.log.10', 'ctr.log.2', 'ctr.log.x', 'other']), ['ctr.log.10', 'ctr.log.2', 'ctr.log.1', 'ctr.log']);
});

test('rotation keeps max-file files including the live one', () => {
  assert.deepEqual(rotationPlan('ctr.log', ['ctr.log', 'ctr.log.1', 'ctr.log.2'], 3), {
    remove: ['ctr.log.2'],
    renames: [
      ['ctr.log.1', 'ctr.log.2'],
      ['ctr.log', 'ctr.log.1'],
    ],
  });
  assert.deepEqual(rotationPlan('ctr.log', ['ctr.log'], 1), { remove: ['ctr.log'], renames: [] });
});

test('rotateLog shifts the files on disk', async (t) => {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const { rotateLog } = await import('./log-rotator.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-rot-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'ctr.log');
  await fs.writeFile(log, 'new');
  await fs.writeFile(log + '.1', 'mid');
  await fs.writeFile(log + '.2', 'old');
  await rotateLog(log, 3);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['ctr.log.1', 'ctr.log.2']);
  assert.equal(await fs.readFile(log + '.1', 'utf8'), 'new');
  assert.equal(await fs.readFile(log + '.2', 'utf8'), 'mid');
});

test('lastChunks keeps the newest pieces, cut at line ends', async () => {
  const { lastChunks } = await import('./k8s-log.js');
  const data = Buffer.from('aaaa\nbbbb\ncccc\ndddd\neeee\n');
  assert.deepEqual(lastChunks(data, 10, 2).map(String), ['bbbb\ncccc\n', 'dddd\neeee\n']);
  assert.deepEqual(lastChunks(data, 4, 1).map(String), ['eeee\n'], 'a line longer than max-size is a piece of its own');
  assert.deepEqual(lastChunks(data, 100, 3).map(String), ['aaaa\nbbbb\ncccc\ndddd\neeee\n']);
  assert.deepEqual(lastChunks(data, 10, 0), []);
});

test('enforceLogBounds cuts a burst that outran rotation once the container exited', async (t) => {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const { enforceLogBounds } = await import('./log-rotator.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-rot-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'ctr.log');
  const lines = Array.from({ length: 100 }, (_, i) => `2024-01-01T00:00:00.000000000+00:00 stdout F line ${i + 1}\n`);
  await fs.writeFile(log, lines.join(''));
  // Running: the live file is only rotated (conmon still writes it), the reopen is asked for.
  let reopened = 0;
  assert.equal(await enforceLogBounds(log, 500, 2, async () => void reopened++), false, 'rotated: not in bounds');
  assert.equal(reopened, 1);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['ctr.log.1']);
  // Next round (settled): .1 is cut to one piece of at most 500 bytes holding the newest lines.
  await fs.writeFile(log, '');
  assert.equal(await enforceLogBounds(log, 500, 2, async () => void reopened++), false, 'cut: not in bounds');
  const one = await fs.readFile(log + '.1', 'utf8');
  assert.ok(one.length <= 500 && one.endsWith('line 100\n'), one);
  // Nothing left to do: in bounds.
  assert.equal(await enforceLogBounds(log, 500, 2, async () => void reopened++), true);
  assert.equal(reopened, 1);
  // Exited: everything settled; max-file 2 keeps ctr.log and ctr.log.1, newest last.
  await fs.writeFile(log, lines.slice(0, 30).join(''));
  await enforceLogBounds(log, 500, 2, null);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['ctr.log', 'ctr.log.1']);
  const live = await fs.readFile(log, 'utf8');
  assert.ok(live.length <= 500 && live.endsWith('line 30\n'), live);
});

test('LogRotator: a log found in bounds is only stat-ed until it reaches max-size, then rotated', async (t) => {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const { LogRotator } = await import('./log-rotator.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-rot-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'ctr.log');
  await fs.writeFile(log, 'x'.repeat(100));
  let reopened = 0;
  const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as ConstructorParameters<typeof LogRotator>[0]['log'];
  const r = new LogRotator({ log: silent, targets: () => [{ logPath: log, bundleDir: dir, maxSize: 500, maxFile: 2 }], reopen: async () => void reopened++ });
  await r.checkOnce();
  await r.checkOnce();
  assert.equal(reopened, 0);
  assert.deepEqual(await fs.readdir(dir), ['ctr.log']);
  // The live file past max-size is noticed by its size alone, and rotated.
  await fs.appendFile(log, 'y'.repeat(450));
  await r.checkOnce();
  assert.equal(reopened, 1);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['ctr.log.1']);
});
