// Tests of volume list and prune filters (behaviour checked against dockerd 20.10 where it applies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFilter, matchLabels, pruneFilter } from './volume-filters.js';
import { ANONYMOUS_LABEL, type VolumeRecord } from './volume-model.js';
import { InvalidParameterError } from '../../errors.js';

const vol = (name: string, labels: Record<string, string> = {}): VolumeRecord => ({ name, driver: 'local', mountpoint: `/v/${name}/_data`, createdAt: '2024-01-01T00:00:00Z', labels, options: {} });
const vols = [vol('foo'), vol('lab1', { x: 'y', z: '' }), vol('opt1'), vol('a'.repeat(64), { [ANONYMOUS_LABEL]: '' })];
const names = (pred: (v: VolumeRecord) => boolean) => vols.filter(pred).map((v) => v.name);
const used = new Set(['foo']);
const inUse = (n: string) => used.has(n);

test('name is a regular expression; driver matches exactly', () => {
  assert.deepEqual(names(listFilter({ name: ['ab'] }, inUse)), ['lab1']);
  assert.deepEqual(names(listFilter({ name: ['^o.*1$'] }, inUse)), ['opt1']);
  assert.deepEqual(names(listFilter({ name: ['foo', 'opt'] }, inUse)), ['foo', 'opt1']);
  assert.deepEqual(names(listFilter({ name: ['('] }, inUse)), []);
  assert.deepEqual(names(listFilter({ driver: ['loc'] }, inUse)), []);
  assert.equal(names(listFilter({ driver: ['local'] }, inUse)).length, 4);
});

test('label filters: key, key=value, key= (empty value); several must all match', () => {
  assert.deepEqual(names(listFilter({ label: ['x'] }, inUse)), ['lab1']);
  assert.deepEqual(names(listFilter({ label: ['x=y'] }, inUse)), ['lab1']);
  assert.deepEqual(names(listFilter({ label: ['z='] }, inUse)), ['lab1']);
  assert.deepEqual(names(listFilter({ label: ['x=q'] }, inUse)), []);
  assert.deepEqual(names(listFilter({ label: ['x', 'nope'] }, inUse)), []);
  assert.ok(matchLabels({ a: '1=2' }, ['a=1=2']));
});

test('dangling: true is unused, false is used; bad values and keys are refused as Docker words it', () => {
  assert.deepEqual(names(listFilter({ dangling: ['false'] }, inUse)), ['foo']);
  assert.deepEqual(names(listFilter({ dangling: ['1'] }, inUse)), ['lab1', 'opt1', 'a'.repeat(64)]);
  assert.throws(() => listFilter({ dangling: ['maybe'] }, inUse), (e: unknown) => e instanceof InvalidParameterError && e.message === "Invalid filter 'dangling=[maybe]'");
  assert.throws(() => listFilter({ bogus: ['x'] }, inUse), { message: "Invalid filter 'bogus'" });
  assert.throws(() => listFilter({ 'label!': ['x'] }, inUse), { message: "Invalid filter 'label!'" });
});

test('prune: anonymous only by default, all=true for every volume, old clients prune all', () => {
  assert.deepEqual(names(pruneFilter({}, false)), ['a'.repeat(64)]);
  assert.deepEqual(names(pruneFilter({ all: ['true'] }, false)), vols.map((v) => v.name));
  assert.deepEqual(names(pruneFilter({}, true)), vols.map((v) => v.name));
  assert.deepEqual(names(pruneFilter({ all: ['false'] }, true)), ['a'.repeat(64)]);
  assert.deepEqual(names(pruneFilter({ all: ['1'], label: ['x'] }, false)), ['lab1']);
  assert.deepEqual(names(pruneFilter({ all: ['1'], 'label!': ['x=y'] }, false)), ['foo', 'opt1', 'a'.repeat(64)]);
  assert.throws(() => pruneFilter({ name: ['x'] }, false), { message: "Invalid filter 'name'" });
  assert.throws(() => pruneFilter({ dangling: ['true'] }, false), { message: "Invalid filter 'dangling'" });
});
