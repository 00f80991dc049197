import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { LineSplitter, parseJsonLine, readJsonStream } from './json-stream.js';

test('lines split across chunks are joined', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"a":'), []);
  assert.deepEqual(s.push('1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(s.push(':2}\n'), ['{"b":2}']);
  assert.deepEqual(s.flush(), []);
});

test('concatenated objects on one line are separated, braces in strings ignored', () => {
  assert.deepEqual(parseJsonLine('{"a":"}{"}{"b":2}'), [{ a: '}{' }, { b: 2 }]);
  assert.throws(() => parseJsonLine('nonsense'));
});

test('readJsonStream yields every value including an unterminated last line', async () => {
  const out: unknown[] = [];
  for await (const v of readJsonStream(Readable.from([Buffer.from('{"status":"x"}\n{"str'), Buffer.from('eam":"y"}')]))) out.push(v);
  assert.deepEqual(out, [{ status: 'x' }, { stream: 'y' }]);
});
