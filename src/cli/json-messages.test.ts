import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { displayJsonMessages, renderJsonMessage, StreamError } from './json-messages.js';

function sink() {
  let s = '';
  return { w: new Writable({ write(c, _e, cb) { s += String(c); cb(); } }), text: () => s };
}

test('stream text, status lines, errors', async () => {
  assert.equal(renderJsonMessage({ stream: 'Loaded image: busybox:latest\n' }), 'Loaded image: busybox:latest\n');
  assert.equal(renderJsonMessage({ status: 'sha256:abc' }), 'sha256:abc\n');
  assert.equal(renderJsonMessage({ id: 'l1', status: 'Loading layer', progress: '[==>]' }), 'l1: Loading layer [==>]\n');
  const s = sink();
  await displayJsonMessages(Readable.from(['{"status":"sha256:x"}\n']), s.w);
  assert.equal(s.text(), 'sha256:x\n');
  await assert.rejects(displayJsonMessages(Readable.from(['{"errorDetail":{"message":"bad tar"},"error":"bad tar"}\n']), sink().w), (e: unknown) => e instanceof StreamError && (e as Error).message === 'bad tar');
});
