// Unit tests of in-root path resolution over a table of links (what a tree on disk or a build
// context would answer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScoped, SymlinkLoopError } from './scoped-resolve.js';

const LINKS: Record<string, string> = {
  'etc/passwd': '../usr/lib/passwd', // relative
  abs: '/usr/lib', // absolute: from the root
  up: '../../../../etc', // ".." past the root: clamped at it
  loop: 'loop',
  'usr/lib/self': '.',
};
const readLink = (parts: string[]) => LINKS[parts.join('/')] ?? null;
const resolve = (p: string, followFinal = true) => resolveScoped(p, followFinal, readLink, 40).join('/');

test('links are followed inside the root, absolute ones from the root, ".." clamped at it', () => {
  assert.equal(resolve('/etc/passwd'), 'usr/lib/passwd');
  assert.equal(resolve('abs/x'), 'usr/lib/x');
  assert.equal(resolve('up/hosts'), 'etc/hosts');
  assert.equal(resolve('../../etc/./x'), 'etc/x');
  assert.equal(resolve('usr/lib/self/self/y'), 'usr/lib/y');
});

test('the final link is kept when not followed; missing components stay as written', () => {
  assert.equal(resolve('etc/passwd', false), 'etc/passwd');
  assert.equal(resolve('abs', false), 'abs');
  assert.equal(resolve('no/such/dir'), 'no/such/dir');
  assert.equal(resolve(''), '');
});

test('a loop ends with SymlinkLoopError', () => {
  assert.throws(() => resolve('loop/x'), (e: unknown) => e instanceof SymlinkLoopError && /too many levels of symbolic links: loop\/x/.test(e.message));
});
