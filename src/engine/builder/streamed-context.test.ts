// The streamed build context against real tars (made with tar-stream, gzip with zlib) and a real temp
// directory: what the tree holds, what gets written on demand, and the hostile shapes it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { receiveContext } from './streamed-context.js';
import { InvalidParameterError } from '../../errors.js';

type E = { name: string; body?: string | Buffer; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; mode?: number; mtime?: Date };

function tarOf(entries: E[]): Promise<Buffer> {
  const pk = tar.pack();
  for (const e of entries) pk.entry({ name: e.name, type: e.type ?? 'file', mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), ...(e.linkname ? { linkname: e.linkname } : {}), ...(e.mtime ? { mtime: e.mtime } : {}) }, e.body ?? '');
  pk.finalize();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    pk.on('data', (c: unknown) => parts.push(c as Buffer));
    pk.on('end', () => resolve(Buffer.concat(parts)));
    pk.on('error', reject);
  });
}

/** The bytes in chunks of `step`, as a socket would hand them over. */
async function* chunks(buf: Buffer, step = 4096): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < buf.length; o += step) yield buf.subarray(o, o + step);
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-streamed-ctx-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

for (const budget of [64 << 20, 8]) {
  test(`files, directories, links; hashes taken in passing; written on demand (memory budget ${budget} bytes)`, withDir(async (dir) => {
    const big = Buffer.alloc(300_000, 7);
    const mtime = new Date(1_600_000_000_000);
    const buf = await tarOf([
      { name: 'Dockerfile', body: 'FROM busybox\n' },
      { name: 'app/', type: 'directory', mode: 0o750, mtime },
      { name: 'app/one.txt', body: 'one', mode: 0o600, mtime },
      { name: 'app/big.bin', body: big },
      { name: 'app/link', type: 'symlink', linkname: 'one.txt' },
      { name: 'hard', type: 'link', linkname: 'app/one.txt' },
      { name: 'other.txt', body: 'other' },
    ]);
    const ctx = await receiveContext(chunks(buf, 1000), dir, 'Dockerfile', { memoryBudget: budget });
    try {
      assert.equal(ctx.dockerfile, 'FROM busybox\n');
      assert.equal(ctx.tree.get('app/big.bin')!.digest, sha(big));
      assert.equal(ctx.tree.get('hard')!.digest, sha('one'));
      assert.deepEqual(await ctx.select('app/*.txt'), ['app/one.txt']);
      assert.equal(await ctx.isDir('app'), true);
      const h = await ctx.hash(['app']);
      assert.deepEqual(Object.keys(h), ['app', 'app/big.bin', 'app/link', 'app/one.txt']);
      assert.equal(fs.existsSync(path.join(dir, 'context')), false, 'nothing on disk before a step needs it');
      const root = await ctx.materialize(['app']);
      assert.equal(fs.readFileSync(path.join(root, 'app/one.txt'), 'utf8'), 'one');
      assert.equal(sha(fs.readFileSync(path.join(root, 'app/big.bin'))), sha(big));
      assert.equal(fs.readlinkSync(path.join(root, 'app/link')), 'one.txt');
      assert.equal(fs.statSync(path.join(root, 'app/one.txt')).mode & 0o7777, 0o600);
      assert.equal(fs.statSync(path.join(root, 'app')).mode & 0o7777, 0o750);
      assert.equal(fs.statSync(path.join(root, 'app/one.txt')).mtimeMs, mtime.getTime());
      assert.equal(fs.statSync(path.join(root, 'app')).mtimeMs, mtime.getTime());
      assert.equal(fs.existsSync(path.join(root, 'other.txt')), false, 'only what the step reads is written');
      await ctx.materialize(['other.txt', 'hard']);
      assert.equal(fs.readFileSync(path.join(root, 'other.txt'), 'utf8'), 'other');
      assert.equal(fs.readFileSync(path.join(root, 'hard'), 'utf8'), 'one');
      // The hash of what was written, read back from disk, is the hash the tree gave.
      const { DiskSourceTree } = await import('./build-context.js');
      assert.deepEqual(await new DiskSourceTree(root, 'context').hash(['app']), h);
      assert.equal(fs.existsSync(path.join(dir, 'context.spool')), budget === 8, 'the spool file is used only past the budget');
    } finally {
      ctx.close();
    }
    assert.equal(fs.existsSync(path.join(dir, 'context.spool')), false, 'close removes the spool');
  }));
}

test('gzip contexts, .dockerignore applied after the Dockerfile is read, a Dockerfile elsewhere', withDir(async (dir) => {
  const buf = zlib.gzipSync(await tarOf([
    { name: '.dockerignore', body: 'build\nci/Dockerfile.ci\n*.log\n' },
    { name: 'ci/Dockerfile.ci', body: 'FROM scratch\n' },
    { name: 'build/out', body: 'x' },
    { name: 'a.log', body: 'l' },
    { name: 'src/main.c', body: 'int main;' },
  ]));
  const ctx = await receiveContext(chunks(buf, 3), dir, 'ci/Dockerfile.ci');
  try {
    assert.equal(ctx.dockerfile, 'FROM scratch\n');
    assert.deepEqual(ctx.tree.keys(), ['.dockerignore', 'ci', 'src', 'src/main.c']);
    await assert.rejects(ctx.select('build/out'), /file not found in build context or excluded by \.dockerignore/);
  } finally {
    ctx.close();
  }
  await assert.rejects(receiveContext(chunks(await tarOf([{ name: 'x', body: 'y' }])), dir, 'Dockerfile'), /Cannot locate specified Dockerfile: Dockerfile/);
  await assert.rejects(receiveContext(chunks(await tarOf([{ name: 'Dockerfile', type: 'directory' }])), dir, 'Dockerfile'), /Cannot locate specified Dockerfile/);
  await assert.rejects(receiveContext(chunks(await tarOf([{ name: 'Dockerfile', body: 'FROM x' }, { name: '.dockerignore', body: '[' }])), dir, 'Dockerfile'), /failed to parse \.dockerignore/);
}));

test('hostile and broken tars are refused with a 400-kind error; nothing is written anywhere', withDir(async (dir) => {
  const marker = path.join(dir, 'outside.txt');
  const cases: [E[], RegExp][] = [
    [[{ name: 'Dockerfile', body: 'x' }, { name: `../../../..${marker}`, body: 'escaped' }], /outside of the layer/],
    [[{ name: 'Dockerfile', body: 'x' }, { name: 'l', type: 'symlink', linkname: '../../etc' }], /invalid symlink "l" -> "..\/..\/etc": it points outside of the layer/],
    [[{ name: 'Dockerfile', body: 'x' }, { name: 'h', type: 'link', linkname: '../../etc/passwd' }], /invalid hardlink "h" -> "..\/..\/etc\/passwd": it points outside of the layer/],
    [[{ name: 'Dockerfile', body: 'x' }, { name: 'h', type: 'link', linkname: 'nope' }], /target is not in the layer/],
    [[{ name: 'Dockerfile', body: 'x' }, { name: 'f', body: 'x' }, { name: 'f/under', body: 'y' }], /invalid tar entry "f\/under": f is not a directory/],
  ];
  for (const [entries, msg] of cases) {
    await assert.rejects(receiveContext(chunks(await tarOf(entries)), dir, 'Dockerfile'), (e: Error) => e instanceof InvalidParameterError && msg.test(e.message));
  }
  const good = await tarOf([{ name: 'Dockerfile', body: 'FROM x\n' }, { name: 'f', body: 'x'.repeat(3000) }]);
  await assert.rejects(receiveContext(chunks(good.subarray(0, 1500)), dir, 'Dockerfile'), /unexpected end of tar data/);
  await assert.rejects(receiveContext(chunks(Buffer.from('not a tar '.repeat(100))), dir, 'Dockerfile'), /invalid tar header/);
  assert.deepEqual(fs.readdirSync(dir), [], 'no spool, no context directory, nothing outside');
  // A symlink to an absolute path is fine in a context, but resolves inside it.
  const ctx = await receiveContext(chunks(await tarOf([{ name: 'Dockerfile', body: 'x' }, { name: 'sys', type: 'symlink', linkname: '/etc' }])), dir, 'Dockerfile');
  try {
    await assert.rejects(ctx.select('sys/passwd'), /file not found in build context/);
  } finally {
    ctx.close();
  }
}));

test('a client that goes away mid-upload: the read fails and leaves nothing', withDir(async (dir) => {
  const ac = new AbortController();
  const buf = await tarOf([{ name: 'Dockerfile', body: 'x' }, { name: 'big', body: Buffer.alloc(200_000) }]);
  async function* cut(): AsyncGenerator<Uint8Array> {
    yield buf.subarray(0, 5000);
    ac.abort();
    yield buf.subarray(5000, 10000);
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  }
  await assert.rejects(receiveContext(cut(), dir, 'Dockerfile', { signal: ac.signal, memoryBudget: 8 }));
  assert.deepEqual(fs.readdirSync(dir), []);
}));
