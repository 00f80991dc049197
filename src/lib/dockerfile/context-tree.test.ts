import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextTree, cleanSource, globToRegExp, type TreeEntry } from './context-tree.js';
import { parseDockerignore } from './dockerignore.js';

const file = (digest: string, mode = 0o644): TreeEntry<string> => ({ type: 'file', mode, size: 1, digest, data: digest });
const dir = (mode = 0o755): TreeEntry<string> => ({ type: 'dir', mode, size: 0 });
const link = (to: string): TreeEntry<string> => ({ type: 'symlink', mode: 0o777, size: 0, linkname: to });

/** A tree filled as the tar reader fills it: parents resolved, then put. */
function treeOf(entries: [string, TreeEntry<string>][]): ContextTree<string> {
  const t = new ContextTree<string>();
  for (const [name, e] of entries) {
    const comps = name.split('/');
    t.put([t.resolveParent(comps.slice(0, -1), name), comps[comps.length - 1]!].filter(Boolean).join('/'), e);
  }
  return t;
}

test('filling: implicit parents, replacement, a directory over a directory keeps its contents', () => {
  const t = treeOf([['a/b/c.txt', file('c')], ['a', dir(0o700)], ['x', file('x1')], ['x', dir()], ['x/y', file('y')]]);
  assert.deepEqual(t.keys(), ['a', 'a/b', 'a/b/c.txt', 'x', 'x/y']);
  assert.equal(t.get('a')!.mode, 0o700);
  assert.equal(t.get('a/b')!.mode, 0o755, 'implicit parents are 0755');
  t.put('a', file('now a file'));
  assert.deepEqual(t.keys(), ['a', 'x', 'x/y'], 'a file over a directory removes what was below');
  assert.deepEqual(t.list(''), ['a', 'x']);
});

test('filling: parents through symlinks stay inside the context; a file in the way is an error', () => {
  const t = treeOf([['real/', dir()], ['via', link('real')], ['abs', link('/real')], ['up', link('../../..')]]);
  assert.equal(t.resolveParent(['via'], 'via/f'), 'real');
  assert.equal(t.resolveParent(['abs', 'sub'], 'abs/sub/f'), 'real/sub');
  assert.equal(t.resolveParent(['up', 'etc'], 'up/etc/passwd'), 'etc', '.. is clamped at the root');
  t.put('f', file('f'));
  assert.throws(() => t.resolveParent(['f'], 'f/x'), /invalid tar entry "f\/x": f is not a directory/);
  t.put('loop', link('loop'));
  assert.throws(() => t.resolveParent(['loop'], 'loop/x'), /too many levels of symbolic links/);
});

test('hardlinks copy the entry they name; a missing or directory target is refused', () => {
  const t = treeOf([['d/', dir()], ['d/f', file('F')]]);
  t.hardlink('h', ['d', 'f'], 'h', 'd/f');
  assert.equal(t.get('h')!.digest, 'F');
  assert.throws(() => t.hardlink('h2', ['nope'], 'h2', 'nope'), /target is not in the layer/);
  assert.throws(() => t.hardlink('h3', ['d'], 'h3', 'd'), /target is a directory/);
  assert.throws(() => t.hardlink('h4', [], 'h4', ''), /invalid hardlink/);
});

test('resolve and lookup follow symlinks inside the context only', () => {
  const t = treeOf([['app/', dir()], ['app/x', file('X')], ['l1', link('app')], ['l2', link('/app/x')], ['esc', link('/etc')]]);
  assert.equal(t.resolve('l1/x'), 'app/x');
  assert.equal(t.resolve('l2'), 'app/x');
  assert.equal(t.resolve('l2', false), 'l2');
  assert.equal(t.lookup('l2')!.entry.digest, 'X');
  assert.equal(t.lookup('esc/passwd'), undefined, 'an absolute link points into the context, not the host');
  assert.equal(t.resolve('a/../../app'), 'app');
});

test('select: names, wildcards per segment, Docker\'s errors', () => {
  const t = treeOf([['src/', dir()], ['src/a.js', file('a')], ['src/b.js', file('b')], ['src/c.txt', file('c')], ['src/sub/', dir()], ['src/sub/d.js', file('d')], ['lnk', link('src')]]);
  assert.deepEqual(t.select('src/a.js'), ['src/a.js']);
  assert.deepEqual(t.select('./src/../src/'), ['src']);
  assert.deepEqual(t.select('src/*.js'), ['src/a.js', 'src/b.js']);
  assert.deepEqual(t.select('*/*.js'), ['lnk/a.js', 'lnk/b.js', 'src/a.js', 'src/b.js']);
  assert.deepEqual(t.select('src/?.txt'), ['src/c.txt']);
  assert.deepEqual(t.select('src/[ab].js'), ['src/a.js', 'src/b.js']);
  assert.deepEqual(t.select('src/s*/d.js'), ['src/sub/d.js']);
  assert.throws(() => t.select('missing.txt'), /COPY failed: file not found in build context or excluded by \.dockerignore: stat missing\.txt: file does not exist/);
  assert.throws(() => t.select('missing.txt', 'stage'), /COPY failed: stat missing\.txt: file does not exist/);
  assert.throws(() => t.select('*.none'), /no source files were specified/);
  assert.throws(() => t.select('../x'), /forbidden path outside the build context: \.\.\/x/);
  assert.equal(cleanSource('a/./b/../c/'), 'a/c');
  assert.equal(globToRegExp('a\\*').test('a*'), true);
  assert.equal(globToRegExp('[!a]').test('a'), false);
});

test('hash inputs: type bits, mode, content or link target; a named symlink is followed, one below is not', () => {
  const t = treeOf([['d/', dir(0o750)], ['d/f', file('FF', 0o600)], ['d/l', link('f')], ['top', link('d/f')]]);
  assert.deepEqual([...t.hashInputs(['d'])], [
    ['d', '16384:488:'],
    ['d/f', '32768:384:FF'],
    ['d/l', '40960:511:f'],
  ]);
  assert.deepEqual([...t.hashInputs(['top'])], [['top', '32768:384:FF']]);
  assert.deepEqual([...t.hashInputs([''])].map(([k]) => k), ['.', 'd', 'd/f', 'd/l', 'top']);
  assert.throws(() => t.hashInputs(['nope']), /file not found in build context/);
});

test('.dockerignore: excluded trees go, exceptions keep what they re-include and its parents', () => {
  const t = treeOf([
    ['Dockerfile', file('df')],
    ['node_modules/', dir()],
    ['node_modules/x.js', file('x')],
    ['logs/', dir()],
    ['logs/a.log', file('a')],
    ['logs/keep.log', file('k')],
    ['docs/', dir()],
    ['docs/README.md', file('r')],
    ['src/', dir()],
    ['src/a.md', file('m')],
  ]);
  t.applyIgnore(parseDockerignore('node_modules\nlogs\n!logs/keep.log\n**/*.md\n!docs/README.md\n'));
  assert.deepEqual(t.keys(), ['Dockerfile', 'docs', 'docs/README.md', 'logs', 'logs/keep.log', 'src']);
  const t2 = treeOf([['a/', dir()], ['a/b', file('b')], ['c', file('c')]]);
  t2.applyIgnore(parseDockerignore('a\n'));
  assert.deepEqual(t2.keys(), ['c']);
});

test('subtreeKeys: the keys a copy of some sources reads, parents first', () => {
  const t = treeOf([['a/', dir()], ['a/b/', dir()], ['a/b/c', file('c')], ['a-x', file('ax')], ['z', file('z')]]);
  assert.deepEqual(t.subtreeKeys(['a']), ['a', 'a/b', 'a/b/c']);
  assert.deepEqual(t.subtreeKeys(['z', 'missing']), ['z']);
  assert.deepEqual(t.keys(), ['a', 'a-x', 'a/b', 'a/b/c', 'z'], 'a parent sorts before its children');
});
