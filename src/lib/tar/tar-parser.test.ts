import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { TarFormatError, TarParser, parsePax, type TarHeader } from './tar-parser.js';

interface Seen {
  h: TarHeader;
  body: Buffer;
}

/** Parses `buf` pushed in pieces of `step` bytes; returns the entries with their reassembled content. */
function parse(buf: Buffer, step: number): Seen[] {
  const out: Seen[] = [];
  let cur: { h: TarHeader; parts: Buffer[] } | null = null;
  const p = new TarParser({
    entry: (h) => {
      assert.equal(cur, null, 'entry() while another is open');
      cur = { h, parts: [] };
    },
    data: (d) => cur!.parts.push(Buffer.from(d)),
    end: () => {
      out.push({ h: cur!.h, body: Buffer.concat(cur!.parts) });
      cur = null;
    },
  });
  for (let o = 0; o < buf.length; o += step) p.push(buf.subarray(o, o + step));
  p.finish();
  return out;
}

function pack(entries: { header: Partial<tar.Header> & { name: string }; body?: Buffer | string }[]): Promise<Buffer> {
  const pk = tar.pack();
  for (const e of entries) pk.entry(e.header as tar.Header, e.body ?? '');
  pk.finalize();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    pk.on('data', (c: unknown) => parts.push(c as Buffer));
    pk.on('end', () => resolve(Buffer.concat(parts)));
    pk.on('error', reject);
  });
}

/** A raw 512-byte header with a correct checksum (for shapes tar-stream does not write). */
function rawHeader(fields: { name: string; flag: string; size: number; magic?: 'gnu' | 'ustar'; mode?: number; sizeBase256?: boolean }): Buffer {
  const b = Buffer.alloc(512);
  b.write(fields.name, 0, 100, 'utf8');
  b.write(((fields.mode ?? 0o644).toString(8).padStart(7, '0')) + '\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (fields.sizeBase256) {
    b[124] = 0x80;
    b.writeUIntBE(fields.size, 124 + 12 - 6, 6);
  } else b.write(fields.size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('14000000000\0', 136, 'latin1');
  b.write(fields.flag, 156, 'latin1');
  if (fields.magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  else b.write('ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of b) sum += c;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

test('entries of every kind, with their content, whatever the chunking', async () => {
  const big = Buffer.alloc(70_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const buf = await pack([
    { header: { name: 'dir/', type: 'directory', mode: 0o750 } },
    { header: { name: 'dir/a.txt', mode: 0o640, mtime: new Date(1_700_000_000_000) }, body: 'hello\n' },
    { header: { name: 'empty', mode: 0o600 }, body: '' },
    { header: { name: 'big.bin', mode: 0o644 }, body: big },
    { header: { name: 'ln', type: 'symlink', linkname: '../elsewhere' } },
    { header: { name: 'hard', type: 'link', linkname: 'dir/a.txt' } },
    { header: { name: 'pipe', type: 'fifo', mode: 0o644 } },
    { header: { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 } },
    { header: { name: `${'long/'.repeat(40)}name.txt` }, body: 'deep' },
  ]);
  for (const step of [1, 7, 511, 512, 513, 4096, 65536, buf.length]) {
    const got = parse(buf, step);
    assert.deepEqual(got.map((e) => [e.h.name, e.h.type]), [
      ['dir/', 'directory'],
      ['dir/a.txt', 'file'],
      ['empty', 'file'],
      ['big.bin', 'file'],
      ['ln', 'symlink'],
      ['hard', 'link'],
      ['pipe', 'fifo'],
      ['dev', 'character-device'],
      [`${'long/'.repeat(40)}name.txt`, 'file'],
    ], `step ${step}`);
    assert.equal(got[1]!.body.toString(), 'hello\n');
    assert.equal(got[1]!.h.mode, 0o640);
    assert.equal(got[1]!.h.mtime.getTime(), 1_700_000_000_000);
    assert.equal(got[0]!.h.mode, 0o750);
    assert.equal(got[2]!.body.length, 0);
    assert.equal(createHash('sha256').update(got[3]!.body).digest('hex'), createHash('sha256').update(big).digest('hex'));
    assert.equal(got[4]!.h.linkname, '../elsewhere');
    assert.equal(got[5]!.h.linkname, 'dir/a.txt');
    assert.deepEqual([got[7]!.h.devmajor, got[7]!.h.devminor], [1, 3]);
    assert.equal(got[8]!.body.toString(), 'deep');
  }
});

test('GNU long names and long link names, base-256 sizes, old-style directories', () => {
  const longName = 'n/'.repeat(80) + 'file';
  const longLink = 't/'.repeat(80) + 'target';
  const parts = [
    rawHeader({ name: '././@LongLink', flag: 'L', size: longName.length + 1, magic: 'gnu' }),
    Buffer.from(longName + '\0'),
    pad(longName.length + 1),
    rawHeader({ name: 'truncated', flag: '0', size: 3, magic: 'gnu', sizeBase256: true }),
    Buffer.from('abc'),
    pad(3),
    rawHeader({ name: '././@LongLink', flag: 'K', size: longLink.length, magic: 'gnu' }),
    Buffer.from(longLink),
    pad(longLink.length),
    rawHeader({ name: 'sl', flag: '2', size: 0, magic: 'gnu' }),
    rawHeader({ name: 'olddir/', flag: '0', size: 0 }),
    Buffer.alloc(1024),
  ];
  const got = parse(Buffer.concat(parts), 100);
  assert.deepEqual(got.map((e) => [e.h.name, e.h.type]), [
    [longName, 'file'],
    ['sl', 'symlink'],
    ['olddir/', 'directory'],
  ]);
  assert.equal(got[0]!.body.toString(), 'abc');
  assert.equal(got[1]!.h.linkname, longLink);
});

test('PAX records override the header; global ones apply to every later entry', () => {
  assert.deepEqual([...parsePax(Buffer.from('11 path=ab\n16 linkpath=xyz\n'))], [['path', 'ab'], ['linkpath', 'xyz']]);
  const rec = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let n = body.length + 1;
    while (String(n).length + body.length !== n) n = String(n).length + body.length;
    return `${n}${body}`;
  };
  const g = rec('mtime', '1234');
  const x = rec('path', 'from/pax.txt') + rec('size', '2');
  const parts = [
    rawHeader({ name: 'pax_global_header', flag: 'g', size: g.length }),
    Buffer.from(g),
    pad(g.length),
    rawHeader({ name: 'PaxHeaders/x', flag: 'x', size: x.length }),
    Buffer.from(x),
    pad(x.length),
    rawHeader({ name: 'short', flag: '0', size: 0 }),
    Buffer.from('hi'),
    pad(2),
    rawHeader({ name: 'next', flag: '0', size: 0 }),
    Buffer.alloc(1024),
  ];
  const got = parse(Buffer.concat(parts), 33);
  assert.deepEqual(got.map((e) => [e.h.name, e.body.toString(), e.h.mtime.getTime()]), [
    ['from/pax.txt', 'hi', 1_234_000],
    ['next', '', 1_234_000],
  ]);
});

test('bad input: checksum, number fields, truncation, oversized records', () => {
  const good = rawHeader({ name: 'a', flag: '0', size: 4 });
  const bad = Buffer.from(good);
  bad[0] = 0x62; // name changed, checksum not
  assert.throws(() => parse(Buffer.concat([bad, Buffer.from('abcd'), pad(4)]), 512), (e: unknown) => e instanceof TarFormatError && /checksum/.test(e.message));
  assert.throws(() => parse(Buffer.concat([good, Buffer.from('ab')]), 512), /unexpected end of tar data/);
  assert.throws(() => parse(good.subarray(0, 300), 512), /unexpected end of tar data/);
  const garbage = rawHeader({ name: 'x', flag: '0', size: 0 });
  garbage.write('9z', 124, 'latin1');
  garbage.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of garbage) sum += c;
  garbage.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.throws(() => parse(garbage, 512), /bad number field/);
  assert.throws(() => parse(rawHeader({ name: 'p', flag: 'x', size: 2 << 20 }), 512), /too large/);
  // Not a tar at all.
  assert.throws(() => parse(Buffer.from('x'.repeat(600)), 512), TarFormatError);
});

test('the end-of-archive block stops parsing; nothing after it is read; an archive without one is accepted', async () => {
  const buf = await pack([{ header: { name: 'a' }, body: 'x' }]);
  assert.equal(parse(Buffer.concat([buf, Buffer.from('trailing garbage')]), 512).length, 1);
  const noEnd = buf.subarray(0, 1024); // header + one data block, no zero blocks
  assert.equal(parse(noEnd, 512).length, 1);
  assert.equal(parse(Buffer.alloc(0), 512).length, 0);
});
