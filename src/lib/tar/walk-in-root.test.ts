import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkInRoot, WalkError, type PathKind } from './walk-in-root.js';

/** A tiny tree: paths to kinds; mkdir adds directories and is recorded. */
function tree(entries: Record<string, PathKind>) {
  const made: string[] = [];
  const look = (rel: string[]) => entries[rel.join('/')] ?? { kind: 'missing' as const };
  const mkdir = (rel: string[]) => {
    made.push(rel.join('/'));
    entries[rel.join('/')] = { kind: 'dir' };
  };
  return { look, mkdir, made };
}

test('plain directories, missing ones made, . and empty components skipped', () => {
  const t = tree({ a: { kind: 'dir' } });
  assert.deepEqual(walkInRoot(['a', '.', '', 'b', 'c'], t.look, t.mkdir), ['a', 'b', 'c']);
  assert.deepEqual(t.made, ['a/b', 'a/b/c']);
});

test('.. is clamped at the root: nothing climbs out', () => {
  const t = tree({});
  assert.deepEqual(walkInRoot(['..', '..', 'etc'], t.look, t.mkdir), ['etc']);
  assert.deepEqual(walkInRoot(['x', '..', '..', 'y'], t.look, t.mkdir), ['y']);
});

test('symlinks are followed inside the root: relative, absolute (from the root), and climbing ones clamped', () => {
  const t = tree({
    lib: { kind: 'dir' },
    rel: { kind: 'symlink', target: 'lib' },
    abs: { kind: 'symlink', target: '/lib' },
    out: { kind: 'symlink', target: '../../../../host' },
  });
  assert.deepEqual(walkInRoot(['rel', 'x'], t.look, t.mkdir), ['lib', 'x']);
  assert.deepEqual(walkInRoot(['abs', 'y'], t.look, t.mkdir), ['lib', 'y']);
  assert.deepEqual(walkInRoot(['out', 'z'], t.look, t.mkdir), ['host', 'z'], 'a link out of the root lands inside it');
});

test('a symlink loop and a file on the way are refused with the path reached', () => {
  const loop = tree({ a: { kind: 'symlink', target: 'b' }, b: { kind: 'symlink', target: 'a' } });
  assert.throws(() => walkInRoot(['a', 'x'], loop.look, loop.mkdir), (e: unknown) => e instanceof WalkError && e.reason === 'loop');
  const file = tree({ d: { kind: 'dir' }, 'd/f': { kind: 'other' } });
  assert.throws(() => walkInRoot(['d', 'f', 'g'], file.look, file.mkdir), (e: unknown) => e instanceof WalkError && e.reason === 'not-a-directory' && e.at === 'd/f' && e.message === 'd/f is not a directory');
});
