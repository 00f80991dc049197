// The one test suite every storage driver passes (filesystem, memory, and the S3 driver to come):
// call driverSuite() from the driver's own test file with a factory for a fresh, empty driver.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { StorageKeyError, StorageNotFoundError, type StorageDriver } from './driver.js';

export interface DriverFixture {
  driver: StorageDriver;
  cleanup(): Promise<void>;
}

async function readAll(r: Readable | undefined): Promise<Buffer | undefined> {
  if (!r) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** A source that yields `good` and then fails, as a client connection cut halfway does. */
function failingSource(good: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(good);
      } else {
        this.destroy(new Error('connection reset by peer'));
      }
    },
  });
}

export function driverSuite(name: string, make: () => Promise<DriverFixture>): void {
  describe(`storage driver contract: ${name}`, () => {
    const withDriver = (fn: (d: StorageDriver) => Promise<void>) => async () => {
      const f = await make();
      try {
        await fn(f.driver);
      } finally {
        await f.cleanup();
      }
    };

    test('put, get, stat, and absence', withDriver(async (d) => {
      assert.equal(await d.getContent('a/b'), undefined);
      assert.equal(await d.stat('a/b'), undefined);
      assert.equal(await d.reader('a/b'), undefined);
      await d.putContent('a/b', 'hello');
      assert.equal((await d.getContent('a/b'))?.toString(), 'hello');
      const st = await d.stat('a/b');
      assert.equal(st?.size, 5);
      assert.equal(st?.isPrefix, false);
      assert.equal((await d.stat('a'))?.isPrefix, true);
      await d.putContent('a/b', Buffer.from('replaced'));
      assert.equal((await d.getContent('a/b'))?.toString(), 'replaced');
      assert.equal(await d.getContent('a'), undefined, 'a prefix is not an object');
    }));

    test('streams in and out, whole and by span', withDriver(async (d) => {
      const data = crypto.randomBytes(300_000);
      const n = await d.putStream('blobs/x', Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      assert.equal(n, data.length);
      assert.ok((await readAll(await d.reader('blobs/x')))!.equals(data));
      assert.ok((await readAll(await d.reader('blobs/x', { start: 10, end: 19 })))!.equals(data.subarray(10, 20)));
    }));

    test('a write cut halfway leaves nothing visible, and keeps what was there', withDriver(async (d) => {
      await assert.rejects(d.putStream('k/new', failingSource(Buffer.alloc(5000, 1))));
      assert.equal(await d.stat('k/new'), undefined);
      assert.deepEqual(await d.list('k'), []);
      await d.putContent('k/old', 'old');
      await assert.rejects(d.putStream('k/old', failingSource(Buffer.alloc(5000, 2))));
      assert.equal((await d.getContent('k/old'))?.toString(), 'old');
    }));

    test('list names direct children only, sorted; [] for nothing', withDriver(async (d) => {
      await d.putContent('r/a/x', '1');
      await d.putContent('r/a/y/z', '2');
      await d.putContent('r/b', '3');
      assert.deepEqual(await d.list('r'), ['a', 'b']);
      assert.deepEqual(await d.list('r/a'), ['x', 'y']);
      assert.deepEqual(await d.list('nothing'), []);
      assert.deepEqual(await d.list('r/b'), [], 'an object has no children');
      assert.deepEqual(await d.list(''), ['r']);
    }));

    test('delete removes an object or a whole prefix; absent is fine', withDriver(async (d) => {
      await d.putContent('p/q/1', '1');
      await d.putContent('p/q/2', '2');
      await d.putContent('p/r', '3');
      await d.delete('p/q/1');
      assert.deepEqual(await d.list('p/q'), ['2']);
      await d.delete('p/q');
      assert.deepEqual(await d.list('p'), ['r']);
      await d.delete('p/q');
      await d.delete('never/there');
      await d.delete('p/r');
      assert.deepEqual(await d.list(''), [], 'a prefix with nothing left under it is gone, as in an object store');
    }));

    test('move replaces the target whole and removes the source', withDriver(async (d) => {
      await d.putContent('m/src', 'new');
      await d.putContent('m/dst', 'old');
      await d.move('m/src', 'm/dst');
      assert.equal((await d.getContent('m/dst'))?.toString(), 'new');
      assert.equal(await d.stat('m/src'), undefined);
      await d.move('m/dst', 'elsewhere/deep/dst');
      assert.equal((await d.getContent('elsewhere/deep/dst'))?.toString(), 'new');
      await assert.rejects(d.move('m/none', 'm/x'), StorageNotFoundError);
      assert.deepEqual(await d.list('m'), [], 'the moved-from prefix is empty and gone');
    }));

    test('keys outside the contract are refused', withDriver(async (d) => {
      for (const k of ['', '../x', 'a/../../x', 'a//b', '/a', '.tmp/x', 'a/.hidden']) {
        await assert.rejects(d.putContent(k, 'x'), StorageKeyError, k);
      }
      await assert.rejects(d.getContent('../etc/passwd'), StorageKeyError);
    }));

    test('readers racing a replacement see the old or the new object whole', withDriver(async (d) => {
      const a = Buffer.alloc(200_000, 0x61);
      const b = Buffer.alloc(300_000, 0x62);
      await d.putContent('race/k', a);
      const writes = Array.from({ length: 5 }, (_, i) => d.putStream('race/k', Readable.from([i % 2 ? a : b])));
      const reads = Array.from({ length: 20 }, () => d.getContent('race/k'));
      for (const r of await Promise.all(reads)) assert.ok(r!.equals(a) || r!.equals(b), `a torn read of ${r!.length} bytes`);
      await Promise.all(writes);
      const end = await d.getContent('race/k');
      assert.ok(end!.equals(a) || end!.equals(b));
    }));

    test('concurrent writers of the same content leave it whole', withDriver(async (d) => {
      const data = crypto.randomBytes(500_000);
      await Promise.all(Array.from({ length: 6 }, () => d.putStream('same/k', Readable.from([data.subarray(0, 250_000), data.subarray(250_000)]))));
      assert.ok((await d.getContent('same/k'))!.equals(data));
    }));
  });
}
