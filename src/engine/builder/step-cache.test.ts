import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheKey, StepCache, whyMissed, type StepInputs } from './step-cache.js';

const base: StepInputs = { parent: 'sha256:p', createdBy: '/bin/sh -c make', args: { A: '1' }, sources: { 'app/one.txt': 'h1', 'app/sub/two.txt': 'h2' } };

test('why a step missed: one line, the first cause in order', () => {
  assert.equal(whyMissed(undefined, base), null);
  assert.equal(whyMissed(base, { ...base, parentRebuilt: true }), 'cache miss: parent step rebuilt');
  assert.equal(whyMissed(base, { ...base, parent: 'sha256:q' }), 'cache miss: parent step rebuilt');
  assert.equal(whyMissed(base, { ...base, args: { A: '2' } }), 'cache miss: build arg A changed');
  assert.equal(whyMissed(base, { ...base, args: {} }), 'cache miss: build arg A changed');
  assert.equal(whyMissed(base, { ...base, sources: { 'app/one.txt': 'h1', 'app/sub/two.txt': 'X' } }), 'cache miss: app/sub/two.txt changed');
  assert.equal(whyMissed(base, { ...base, sources: { ...base.sources, 'app/new.txt': 'n' } }), 'cache miss: app/new.txt added');
  assert.equal(whyMissed(base, { ...base, sources: { 'app/one.txt': 'h1' } }), 'cache miss: app/sub/two.txt removed');
  assert.equal(whyMissed(base, { ...base, createdBy: '/bin/sh -c make all' }), 'cache miss: instruction changed');
  assert.equal(whyMissed(base, base), 'cache miss: cached image was removed');
});

test('cache keys differ by parent, command and extra inputs', () => {
  const k = cacheKey('p', 'c', 'x');
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey('p', 'c', 'x'), k);
  assert.notEqual(cacheKey('q', 'c', 'x'), k);
  assert.notEqual(cacheKey('p', 'd', 'x'), k);
  assert.notEqual(cacheKey('p', 'c', 'y'), k);
});

test('the index survives a reload (atomic files under the builder directory)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-stepcache-'));
  try {
    const a = new StepCache(dir);
    await a.record('k1', 'sha256:img', 'sig1', base);
    await a.flush();
    const b = new StepCache(dir);
    assert.equal(await b.lookup('k1'), 'sha256:img');
    assert.deepEqual(await b.previous('sig1'), base);
    assert.equal(await b.lookup('nope'), undefined);
    fs.writeFileSync(path.join(dir, 'cache.json'), '{broken');
    assert.equal(await new StepCache(dir).lookup('k1'), undefined, 'a broken index is an empty cache, not an error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a build that changes nothing writes nothing (a cached build waits for no fsync)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-stepcache-'));
  try {
    const a = new StepCache(dir);
    await a.record('k1', 'sha256:img', 'sig1', { ...base, parentRebuilt: true });
    await a.flush();
    const ino = (f: string) => fs.statSync(path.join(dir, f)).ino;
    const before = [ino('cache.json'), ino('steps.json')];
    const b = new StepCache(dir);
    await b.init();
    // The same inputs again, now from cache: whether the parent was rebuilt is not part of the record.
    await b.record('k1', 'sha256:img', 'sig1', base);
    await b.flush();
    assert.deepEqual([ino('cache.json'), ino('steps.json')], before, 'files not rewritten');
    await b.record('k1', 'sha256:other', 'sig1', base);
    await b.flush();
    assert.notEqual(ino('cache.json'), before[0], 'a changed entry is written (a new file renamed over the old)');
    assert.equal(await new StepCache(dir).lookup('k1'), 'sha256:other');
    assert.deepEqual(await new StepCache(dir).previous('sig1'), base);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
