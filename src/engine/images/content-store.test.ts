// The filesystem content store on real files: verified ingest, nothing visible on a mismatch or a
// failing source, idempotent re-ingest, delete, and clean-up of unfinished ingests at init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FsContentStore } from './content-store.js';
import { LeaseManager } from './leases.js';
import type { Digest } from '../../lib/oci/digest.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}` as Digest;

async function store(t: import('node:test').TestContext): Promise<{ cs: FsContentStore; root: string }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-content-'));
  t.after(() => fsp.rm(root, { recursive: true, force: true }));
  const cs = new FsContentStore(root);
  await cs.init();
  return { cs, root };
}

test('ingest hashes, verifies and stores; get/open/info/has/list/delete', async (t) => {
  const { cs } = await store(t);
  const info = await cs.ingest(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { expected: sha('hello world'), expectedSize: 11 });
  assert.deepEqual(info, { digest: sha('hello world'), size: 11 });
  assert.equal((await cs.get(info.digest)).toString(), 'hello world');
  let streamed = '';
  for await (const c of cs.open(info.digest)) streamed += c;
  assert.equal(streamed, 'hello world');
  assert.ok(await cs.has(info.digest));
  assert.deepEqual(await cs.list(), [info.digest]);
  // Same content again: no error, same answer.
  assert.deepEqual(await cs.put('hello world'), info);
  await cs.delete(info.digest);
  assert.equal(await cs.has(info.digest), false);
  await assert.rejects(cs.get(info.digest), /not found/);
});

test('a digest or size mismatch, or a failing source, leaves nothing visible', async (t) => {
  const { cs, root } = await store(t);
  await assert.rejects(cs.put('abc', { expected: sha('abd') }), /digest mismatch/);
  await assert.rejects(cs.put('abc', { expectedSize: 4 }), /size mismatch/);
  const failing = new Readable({
    read() {
      this.push('partial');
      this.destroy(new Error('connection lost'));
    },
  });
  await assert.rejects(cs.ingest(failing), /connection lost/);
  const ac = new AbortController();
  const slow = new Readable({ read() {} });
  slow.push('x');
  const p = cs.ingest(slow, { signal: ac.signal });
  ac.abort();
  await assert.rejects(p, /abort/i);
  assert.deepEqual(await cs.list(), []);
  assert.deepEqual(await fsp.readdir(path.join(root, 'ingest')), []);
});

test('init removes unfinished ingests; leases guard commits', async (t) => {
  const { cs, root } = await store(t);
  await fsp.writeFile(path.join(root, 'ingest', 'leftover'), 'half');
  await cs.init();
  assert.deepEqual(await fsp.readdir(path.join(root, 'ingest')), []);
  const leases = new LeaseManager();
  const lease = leases.open();
  const { digest } = await cs.put('leased', { lease });
  assert.ok(leases.isHeld(`blob:${digest}`));
  lease.release();
  assert.ok(!leases.isHeld(`blob:${digest}`));
});
