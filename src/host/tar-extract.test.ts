// Layer extraction against tars built here with tar-stream, hostile ones included. Runs as root (lchown,
// mknod, trusted.* xattrs), as berthd does. Every test works in its own temp dir, removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import tar from 'tar-stream';
import { Readable } from 'node:stream';
import { extractLayer, entryComponents, symlinkEscapes, UnsafeTarError } from './tar-extract.js';

type E = Partial<tar.Header> & { name: string; body?: string };

async function makeTar(entries: E[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((res, rej) => pack.entry({ mtime: new Date(1_600_000_000_000), ...h }, body ?? '', (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function tmpdirs(t: import('node:test').TestContext): Promise<{ base: string; root: string; outside: string }> {
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-tar-'));
  t.after(() => fsp.rm(base, { recursive: true, force: true }));
  const root = path.join(base, 'layer');
  const outside = path.join(base, 'outside');
  await fsp.mkdir(root);
  await fsp.mkdir(outside);
  return { base, root, outside };
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const n of await fsp.readdir(d)) {
      const p = path.join(d, n);
      out.push(path.join(rel, n));
      const st = await fsp.lstat(p);
      if (st.isDirectory()) await walk(p, path.join(rel, n));
    }
  };
  await walk(dir, '');
  return out.sort();
}

test('entry names are cleaned as Docker does; climbing out is refused', () => {
  assert.deepEqual(entryComponents('./a/b/'), ['a', 'b']);
  assert.deepEqual(entryComponents('/etc/passwd'), ['etc', 'passwd']);
  assert.deepEqual(entryComponents('a/../b'), ['b']);
  assert.throws(() => entryComponents('../x'), UnsafeTarError);
  assert.throws(() => entryComponents('a/../../x'), UnsafeTarError);
  assert.equal(symlinkEscapes(['a', 'l'], '../x'), false);
  assert.equal(symlinkEscapes(['a', 'l'], '../../x'), true);
  assert.equal(symlinkEscapes(['l'], '/anything/../../..'), false);
});

test('extracts files, dirs, symlinks, hardlinks, fifos with modes, owners and mtimes; diff ID of the plain tar', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', type: 'file', mode: 0o4755, uid: 1000, gid: 1001, body: 'ELF...' },
    { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
    { name: 'bin/ls', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/bb2', type: 'link', linkname: 'bin/busybox' },
    { name: 'ro/', type: 'directory', mode: 0o555 },
    { name: 'ro/f', type: 'file', mode: 0o600, body: 'x' },
    { name: 'deep/a/b/c.txt', type: 'file', mode: 0o644, body: 'no parent entries' },
    { name: 'run/fifo', type: 'fifo', mode: 0o620 },
  ]);
  const r = await extractLayer(Readable.from([buf]), root);
  assert.equal(r.diffId, sha(buf));
  assert.equal(r.tarSize, buf.length);
  // Docker's layer size: file bytes plus symlink target lengths; the hardlink counts once.
  assert.equal(r.contentSize, 'ELF...'.length + 1 + 'no parent entries'.length + '/bin/busybox'.length + 'busybox'.length);
  const bb = await fsp.lstat(path.join(root, 'bin/busybox'));
  assert.equal(bb.mode & 0o7777, 0o4755);
  assert.equal(bb.uid, 1000);
  assert.equal(bb.gid, 1001);
  assert.equal(bb.mtimeMs, 1_600_000_000_000);
  assert.equal(bb.nlink, 2);
  assert.equal(await fsp.readlink(path.join(root, 'bin/sh')), '/bin/busybox');
  assert.equal(await fsp.readFile(path.join(root, 'bin/ls'), 'utf8'), 'ELF...');
  const ro = await fsp.stat(path.join(root, 'ro'));
  assert.equal(ro.mode & 0o777, 0o555);
  assert.equal(ro.mtimeMs, 1_600_000_000_000);
  assert.equal(await fsp.readFile(path.join(root, 'deep/a/b/c.txt'), 'utf8'), 'no parent entries');
  const fifo = await fsp.lstat(path.join(root, 'run/fifo'));
  assert.ok(fifo.isFIFO());
  assert.equal(fifo.mode & 0o777, 0o620);
});

test('gzip input gives the diff ID of the uncompressed tar', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([{ name: 'hello', type: 'file', body: 'world' }]);
  const r = await extractLayer(Readable.from([zlib.gzipSync(buf)]), root);
  assert.equal(r.diffId, sha(buf));
  assert.equal(await fsp.readFile(path.join(root, 'hello'), 'utf8'), 'world');
  await assert.rejects(extractLayer(Readable.from([buf]), path.join(root, 'x'), {}), /ENOENT/);
});

test('an expected diff ID that does not match is an error', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([{ name: 'f', type: 'file', body: '1' }]);
  await assert.rejects(extractLayer(Readable.from([buf]), root, { expectedDiffId: `sha256:${'0'.repeat(64)}` }), /diff ID mismatch/);
});

test('hostile: .. escaping the root is refused and nothing is written outside', async (t) => {
  const { root, outside } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'ok', type: 'file', body: 'fine' },
    { name: '../outside/pwned', type: 'file', body: 'bad' },
  ]);
  await assert.rejects(extractLayer(Readable.from([buf]), root), UnsafeTarError);
  assert.deepEqual(await fsp.readdir(outside), []);
});

test('hostile: absolute names land inside the layer', async (t) => {
  const { root, outside } = await tmpdirs(t);
  const buf = await makeTar([{ name: `${outside}/abs`, type: 'file', body: 'inside' }]);
  await extractLayer(Readable.from([buf]), root);
  assert.deepEqual(await fsp.readdir(outside), []);
  assert.equal(await fsp.readFile(path.join(root, outside, 'abs'), 'utf8'), 'inside');
});

test('hostile: a relative symlink climbing out is refused', async (t) => {
  const { root, outside } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'a/', type: 'directory' },
    { name: 'a/evil', type: 'symlink', linkname: '../../outside' },
    { name: 'a/evil/pwned', type: 'file', body: 'bad' },
  ]);
  await assert.rejects(extractLayer(Readable.from([buf]), root), /invalid symlink "a\/evil" -> "..\/..\/outside"/);
  assert.deepEqual(await fsp.readdir(outside), []);
});

test('hostile: writes through an absolute symlink stay in the layer (resolved as a chroot would)', async (t) => {
  const { root, outside } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'rootlink', type: 'symlink', linkname: '/' },
    { name: 'outlink', type: 'symlink', linkname: outside },
    { name: 'dotdot', type: 'symlink', linkname: '/../../../../..' + outside },
    { name: 'rootlink/etc/evil', type: 'file', body: 'a' },
    { name: 'outlink/evil', type: 'file', body: 'b' },
    { name: 'dotdot/evil2', type: 'file', body: 'c' },
  ]);
  await extractLayer(Readable.from([buf]), root);
  assert.deepEqual(await fsp.readdir(outside), []);
  assert.ok(!fs.existsSync('/etc/evil'));
  assert.equal(await fsp.readFile(path.join(root, 'etc/evil'), 'utf8'), 'a');
  assert.equal(await fsp.readFile(path.join(root, outside, 'evil'), 'utf8'), 'b');
  assert.equal(await fsp.readFile(path.join(root, outside, 'evil2'), 'utf8'), 'c');
});

test('hostile: a file entry replaces a symlink instead of writing through it', async (t) => {
  const { root, outside } = await tmpdirs(t);
  await fsp.writeFile(path.join(outside, 'victim'), 'original');
  const buf = await makeTar([
    { name: 'f', type: 'symlink', linkname: path.join(outside, 'victim') },
    { name: 'f', type: 'file', body: 'overwritten?' },
  ]);
  await extractLayer(Readable.from([buf]), root);
  assert.equal(await fsp.readFile(path.join(outside, 'victim'), 'utf8'), 'original');
  assert.ok((await fsp.lstat(path.join(root, 'f'))).isFile());
});

test('hostile: hardlinks to paths outside the layer are refused', async (t) => {
  const { root, outside } = await tmpdirs(t);
  await fsp.writeFile(path.join(outside, 'secret'), 's');
  for (const linkname of ['../outside/secret', '../../../../etc/passwd']) {
    const buf = await makeTar([{ name: 'h', type: 'link', linkname }]);
    await assert.rejects(extractLayer(Readable.from([buf]), root), /invalid hardlink/);
  }
  // Through an in-layer symlink to the host path: resolved inside the layer, where it does not exist.
  const buf = await makeTar([
    { name: 'o', type: 'symlink', linkname: outside },
    { name: 'h', type: 'link', linkname: 'o/secret' },
  ]);
  await assert.rejects(extractLayer(Readable.from([buf]), root), /invalid hardlink/);
  assert.equal((await fsp.stat(path.join(outside, 'secret'))).nlink, 1);
});

test('hostile: device nodes are skipped, not created', async (t) => {
  const { root } = await tmpdirs(t);
  const warnings: string[] = [];
  const buf = await makeTar([
    { name: 'dev/', type: 'directory' },
    { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
    { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1 },
    { name: 'after', type: 'file', body: 'ok' },
  ]);
  const r = await extractLayer(Readable.from([buf]), root, { warn: (m) => warnings.push(m) });
  assert.deepEqual(r.skipped, ['dev/sda', 'dev/mem']);
  assert.deepEqual(await fsp.readdir(path.join(root, 'dev')), []);
  assert.equal(warnings.length, 2);
  assert.equal(await fsp.readFile(path.join(root, 'after'), 'utf8'), 'ok');
});

test('hostile: a path through a regular file is an error', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'file', type: 'file', body: 'x' },
    { name: 'file/child', type: 'file', body: 'y' },
  ]);
  await assert.rejects(extractLayer(Readable.from([buf]), root), /is not a directory/);
});

test('whiteouts become overlayfs whiteouts and opaque directories', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.motd', type: 'file' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/.wh..wh..opq', type: 'file' },
    { name: 'opq/new', type: 'file', body: 'n' },
    { name: '.wh..wh.plnk', type: 'directory' },
  ]);
  await extractLayer(Readable.from([buf]), root);
  const wh = await fsp.lstat(path.join(root, 'etc/motd'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.deepEqual(await listTree(root), ['etc', 'etc/motd', 'opq', 'opq/new']);
  const x = execFileSync('getfattr', ['--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', path.join(root, 'opq')]).toString();
  assert.equal(x, 'y');
});

test('hostile: a directory replaced by a symlink does not get its mode applied through the link', async (t) => {
  const { root, outside } = await tmpdirs(t);
  await fsp.chmod(outside, 0o700);
  const buf = await makeTar([
    { name: 'd/', type: 'directory', mode: 0o777 },
    { name: 'd', type: 'symlink', linkname: outside },
  ]);
  await extractLayer(Readable.from([buf]), root);
  assert.equal((await fsp.stat(outside)).mode & 0o777, 0o700);
  assert.equal(await fsp.readlink(path.join(root, 'd')), outside);
});

test('hostile: whiteouts naming . or .. are refused', async (t) => {
  const { root, base } = await tmpdirs(t);
  await fsp.writeFile(path.join(base, 'sibling'), 'keep');
  for (const name of ['.wh...', 'a/.wh...', '.wh..', '.wh.']) {
    const buf = await makeTar([{ name: 'a/', type: 'directory' }, { name, type: 'file' }]);
    await assert.rejects(extractLayer(Readable.from([buf]), root), /invalid whiteout/);
  }
  assert.equal(await fsp.readFile(path.join(base, 'sibling'), 'utf8'), 'keep');
  assert.ok(fs.existsSync(root));
});

test('truncated tar is an error', async (t) => {
  const { root } = await tmpdirs(t);
  const buf = await makeTar([{ name: 'big', type: 'file', body: 'z'.repeat(5000) }]);
  await assert.rejects(extractLayer(Readable.from([buf.subarray(0, 1500)]), root));
});
