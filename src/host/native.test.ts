// mount(2)/umount2(2) through the native addon, against the real kernel (the tests run as root, as
// berthd does). Skipped, and saying why, when the addon was not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as native from './native.js';
import { isMounted } from './overlay.js';

const skip = native.available ? false : 'native addon not built (native/build/Release/berth_native.node)';

test('mounts and unmounts a tmpfs; errors carry the errno name', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-native-'));
  t.after(async () => {
    if (await isMounted(dir)) await native.umount(dir, native.MNT_DETACH);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await native.mount('tmpfs', dir, 'tmpfs', native.MS_NOSUID | native.MS_NODEV, 'size=1m,mode=0700');
  assert.equal(await isMounted(dir), true);
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  // Busy while a file is open in it: EBUSY, then the lazy unmount succeeds.
  const fd = fs.openSync(path.join(dir, 'f'), 'r');
  await assert.rejects(native.umount(dir), { code: 'EBUSY', syscall: 'umount2' });
  await native.umount(dir, native.MNT_DETACH);
  fs.closeSync(fd);
  assert.equal(await isMounted(dir), false);
  await assert.rejects(native.mount('tmpfs', path.join(dir, 'missing'), 'tmpfs', 0, null), { code: 'ENOENT', syscall: 'mount' });
  await assert.rejects(native.umount(dir), { code: 'EINVAL' });
  assert.throws(() => native.umount('a\0b'), TypeError);
});
