import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { extractInto, packPath, rebaseName, safeJoin, splitCpArg } from './cp-archive.js';

test('splitCpArg as docker', () => {
  assert.deepEqual(splitCpArg('ctr:/etc/passwd'), { container: 'ctr', path: '/etc/passwd' });
  assert.deepEqual(splitCpArg('/abs:x'), { container: '', path: '/abs:x' });
  assert.deepEqual(splitCpArg('./rel:x'), { container: '', path: './rel:x' });
  assert.deepEqual(splitCpArg('file.txt'), { container: '', path: 'file.txt' });
});

test('rebase and safe joins', () => {
  assert.equal(rebaseName('out/sub/f', 'out', 'new'), 'new/sub/f');
  assert.equal(rebaseName('out', 'out', 'new'), 'new');
  assert.equal(rebaseName('other/f', 'out', 'new'), null);
  assert.equal(safeJoin('/d', '../../etc/passwd'), '/d/etc/passwd');
  assert.equal(safeJoin('/d', 'a/b'), '/d/a/b');
});

test('pack then extract round-trips a tree with renaming, and entries cannot escape', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cp-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'src/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/sub/f'), 'hello');
  fs.symlinkSync('sub/f', path.join(dir, 'src/link'));
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  await extractInto(packPath(path.join(dir, 'src'), 'src'), out, { from: 'src', to: 'renamed' });
  assert.equal(fs.readFileSync(path.join(out, 'renamed/sub/f'), 'utf8'), 'hello');
  assert.equal(fs.readlinkSync(path.join(out, 'renamed/link')), 'sub/f');

  // A hostile archive: a symlink pointing out, then a file written through it.
  const pack = tar.pack();
  pack.entry({ name: 'evil', type: 'symlink', linkname: '/tmp' });
  pack.entry({ name: 'evil/pwned', type: 'file' }, 'x');
  pack.finalize();
  const out2 = path.join(dir, 'out2');
  fs.mkdirSync(out2);
  await assert.rejects(extractInto(pack as unknown as import("node:stream").Readable, out2), /through a symlink/);
  assert.equal(fs.existsSync('/tmp/pwned'), false);
});
