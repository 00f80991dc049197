// overlayfs adapter: option planning (unit) and real mount/unmount (root only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isMounted, mountOverlay, mountPoints, overlayOptions, unmountOverlay } from './overlay.js';
import { tempDir } from './test-support.js';

const root = process.getuid?.() === 0 && fs.readFileSync('/proc/filesystems', 'utf8').includes('overlay');

test('options: absolute paths when short, relative to the common parent when long, refusal beyond a page', () => {
  const short = overlayOptions({ lower: ['/d/l2', '/d/l1'], upper: '/d/u', work: '/d/w', target: '/d/m' }, true);
  assert.equal(short.options, 'lowerdir=/d/l2:/d/l1,upperdir=/d/u,workdir=/d/w,index=off');
  assert.equal(short.cwd, undefined);
  const base = '/var/lib/berth/overlay';
  const lower = Array.from({ length: 50 }, (_, i) => `${base}/${String(i).padStart(64, 'a')}/diff`);
  const long = overlayOptions({ lower, upper: `${base}/c/upper`, work: `${base}/c/work`, target: '/x' }, false);
  assert.equal(long.cwd, base);
  assert.ok(long.options.startsWith(`lowerdir=${'0'.padStart(64, 'a')}/diff:`));
  assert.ok(long.options.length <= 4000);
  const huge = Array.from({ length: 200 }, (_, i) => `${base}/${String(i).padStart(64, 'a')}/diff`);
  assert.throws(() => overlayOptions({ lower: huge, upper: `${base}/u`, work: `${base}/w`, target: '/x' }, false), /at most one page/);
  assert.throws(() => overlayOptions({ lower: ['/a:b'], upper: '/u', work: '/w', target: '/m' }, false), /may not contain/);
});

test('mountPoints decodes mountinfo escapes', () => {
  const info = '36 25 0:31 / /a\\040b rw,relatime shared:1 - overlay overlay rw\n';
  assert.deepEqual(mountPoints(info), ['/a b']);
});

test('mount and unmount an overlay: layers merge, writes go to upper, both idempotent', { skip: !root && 'needs root and overlayfs' }, async (t) => {
  const dir = await tempDir('berth-overlay-');
  const target = path.join(dir, 'merged');
  t.after(async () => {
    await unmountOverlay(target).catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const l1 = path.join(dir, 'l1');
  const l2 = path.join(dir, 'l2');
  await fsp.mkdir(l1, { recursive: true });
  await fsp.mkdir(l2, { recursive: true });
  await fsp.writeFile(path.join(l1, 'a'), 'from l1');
  await fsp.writeFile(path.join(l1, 'b'), 'from l1');
  await fsp.writeFile(path.join(l2, 'b'), 'from l2');
  const spec = { lower: [l2, l1], upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), target };
  assert.equal(await isMounted(target), false);
  await mountOverlay(spec);
  await mountOverlay(spec); // idempotent
  assert.equal(await isMounted(target), true);
  assert.equal(await fsp.readFile(path.join(target, 'a'), 'utf8'), 'from l1');
  assert.equal(await fsp.readFile(path.join(target, 'b'), 'utf8'), 'from l2');
  await fsp.writeFile(path.join(target, 'c'), 'new');
  assert.equal(await fsp.readFile(path.join(spec.upper, 'c'), 'utf8'), 'new');
  assert.equal(fs.existsSync(path.join(l1, 'c')), false);
  // A busy mount (a process with its cwd inside) is detached lazily rather than failing.
  const fd = fs.openSync(path.join(target, 'a'), 'r');
  try {
    await unmountOverlay(target);
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(await isMounted(target), false);
  await unmountOverlay(target); // idempotent
});

test('a long layer list mounts through relative paths', { skip: !root && 'needs root and overlayfs' }, async (t) => {
  const dir = await tempDir('berth-overlay-long-');
  const target = path.join(dir, 'merged');
  t.after(async () => {
    await unmountOverlay(target).catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const lower: string[] = [];
  for (let i = 0; i < 50; i++) {
    const l = path.join(dir, 'layers', i.toString(16).padStart(64, '0'), 'diff');
    await fsp.mkdir(l, { recursive: true });
    await fsp.writeFile(path.join(l, `f${i}`), String(i));
    lower.push(l);
  }
  const spec = { lower, upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), target };
  assert.ok(overlayOptions(spec, true).cwd, 'this layer list needs relative paths');
  await mountOverlay(spec);
  assert.equal(await fsp.readFile(path.join(target, 'f0'), 'utf8'), '0');
  assert.equal(await fsp.readFile(path.join(target, 'f49'), 'utf8'), '49');
});
