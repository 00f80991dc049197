// Unit tests of the kept user lookups: an answer is reused only while /etc/passwd and /etc/group are
// the same files, and never through a link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserLookup, userFilesStamp } from './user-lookup.js';

function rootWith(passwd: string, group: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-users-'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), passwd);
  fs.writeFileSync(path.join(root, 'etc', 'group'), group);
  return root;
}

test('a lookup is kept while the files stay the same, and redone when passwd changes', async (t) => {
  const root = rootWith('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', 'root:x:0:\napp:x:1000:\n');
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  // Files changed in the last moment are not vouched for (times tick coarsely): let them settle.
  await new Promise((r) => setTimeout(r, 150));
  const users = new UserLookup();
  const a = await users.resolve('c1', root, 'app', []);
  assert.equal(a.uid, 1000);
  assert.equal(await users.resolve('c1', root, 'app', []), a, 'the same answer object: kept');
  // Another spec or another --group-add is another question.
  assert.notEqual(await users.resolve('c1', root, 'app', ['1000']), a);
  // A changed passwd, even of the same size, is read again (and, just changed, not kept).
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:2000:2000::/home/app:/bin/sh\n');
  assert.equal((await users.resolve('c1', root, 'app', [])).uid, 2000);
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:3000:3000::/home/app:/bin/sh\n');
  assert.equal((await users.resolve('c1', root, 'app', [])).uid, 3000);
  users.forget('c1');
  assert.equal((await users.resolve('c1', root, 'app', [])).uid, 3000);
});

test('a passwd that is a link is never kept (it is read inside the root each time)', async (t) => {
  const root = rootWith('', 'root:x:0:\n');
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.rmSync(path.join(root, 'etc', 'passwd'));
  fs.writeFileSync(path.join(root, 'etc', 'passwd.real'), 'app:x:1234:1234::/:/bin/sh\n');
  fs.symlinkSync('passwd.real', path.join(root, 'etc', 'passwd'));
  assert.equal(userFilesStamp(root), null);
  const users = new UserLookup();
  assert.equal((await users.resolve('c1', root, 'app', [])).uid, 1234);
  fs.writeFileSync(path.join(root, 'etc', 'passwd.real'), 'app:x:4321:4321::/:/bin/sh\n');
  assert.equal((await users.resolve('c1', root, 'app', [])).uid, 4321);
});
