// Unit tests of the probe server's frames (probe-frames.ts), as native/berth_nsexec_serve.c writes
// and reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProbeResponses, encodeProbeRequest } from './probe-frames.js';

/** A response as the server writes it (respond() in berth_nsexec_serve.c). */
function response(id: string, code: number, sig: number, pid: number, timedOut: number, log: string, out: Buffer): Buffer {
  const head = Buffer.from(`${id}\0${code}\0${sig}\0${pid}\0${timedOut}\0${Buffer.byteLength(log)}\0${out.length}\0`, 'latin1');
  const body = Buffer.concat([head, Buffer.from(log), out]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

test('a request: length, then id, timeout, the counted arguments and environment, each NUL-ended', () => {
  const f = encodeProbeRequest({ id: 'a1', timeoutMs: 1500.4, args: ['--pid', '42', '--', 'sh', '-c', 'echo é'], env: ['PATH=/bin', 'X='] });
  const body = f.subarray(4);
  assert.equal(f.readUInt32LE(0), body.length);
  assert.deepEqual(body.toString('utf8').split('\0'), ['a1', '1500', '6', '--pid', '42', '--', 'sh', '-c', 'echo é', '2', 'PATH=/bin', 'X=', '']);
  assert.throws(() => encodeProbeRequest({ id: 'x', timeoutMs: 1, args: ['a\0b'], env: [] }), /NUL/);
  assert.throws(() => encodeProbeRequest({ id: 'x', timeoutMs: 1, args: ['x'.repeat(1 << 20)], env: [] }), /larger than the server takes/);
});

test('responses: several in one read, a partial one kept for the next, binary output intact', () => {
  const out = Buffer.from([0, 1, 2, 255, 0x0a]);
  const a = response('1', 0, 0, 4242, 0, '{"pid":4242}\n', Buffer.from('ok\n'));
  const b = response('2', -1, 9, 0, 1, '', out);
  const all = Buffer.concat([a, b]);
  const first = decodeProbeResponses(all.subarray(0, a.length + 7));
  assert.equal(first.responses.length, 1);
  assert.deepEqual(
    { ...first.responses[0]!, output: first.responses[0]!.output.toString() },
    { id: '1', code: 0, signal: null, pid: 4242, timedOut: false, log: '{"pid":4242}\n', output: 'ok\n' },
  );
  assert.equal(first.rest.length, 7);
  const second = decodeProbeResponses(Buffer.concat([first.rest, all.subarray(a.length + 7)]));
  assert.equal(second.rest.length, 0);
  const r = second.responses[0]!;
  assert.deepEqual([r.id, r.code, r.signal, r.pid, r.timedOut, r.log], ['2', null, 9, 0, true, '']);
  assert.deepEqual([...r.output], [...out]);
  assert.deepEqual(decodeProbeResponses(Buffer.alloc(3)).responses, [], 'less than a length: wait for more');
});

test('a frame that is not a response is refused, not half-read', () => {
  const bad = (body: string) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(Buffer.byteLength(body));
    return Buffer.concat([len, Buffer.from(body)]);
  };
  assert.throws(() => decodeProbeResponses(bad('1\x000\x000')), /cut short/);
  assert.throws(() => decodeProbeResponses(bad('1\x00zero\x000\x000\x000\x000\x000\x00')), /not a number/);
  assert.throws(() => decodeProbeResponses(bad('1\x000\x000\x000\x000\x005\x000\x00ab')), /do not add up/);
  const huge = Buffer.alloc(4);
  huge.writeUInt32LE(0xffffffff);
  assert.throws(() => decodeProbeResponses(huge), /frame of/);
});
