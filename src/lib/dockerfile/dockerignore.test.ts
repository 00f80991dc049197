import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnored, parseDockerignore } from './dockerignore.js';

const ig = (rules: string, p: string) => isIgnored(parseDockerignore(rules), p);

test('plain names exclude the path and everything below it', () => {
  assert.equal(ig('node_modules', 'node_modules'), true);
  assert.equal(ig('node_modules', 'node_modules/a/b.js'), true);
  assert.equal(ig('node_modules', 'src/node_modules'), false);
  assert.equal(ig('/tmp', 'tmp/x'), true);
  assert.equal(ig('./a/../b', 'b'), true);
});

test('* and ? stay in one directory; ** crosses any number', () => {
  assert.equal(ig('*.md', 'README.md'), true);
  assert.equal(ig('*.md', 'docs/README.md'), false);
  assert.equal(ig('*/*.md', 'docs/README.md'), true);
  assert.equal(ig('**/*.md', 'README.md'), true);
  assert.equal(ig('**/*.md', 'a/b/c/README.md'), true);
  assert.equal(ig('a/**/z', 'a/z'), true);
  assert.equal(ig('a/**/z', 'a/b/c/z'), true);
  assert.equal(ig('a/**', 'a/b/c'), true);
  assert.equal(ig('**', 'anything/at/all'), true);
  assert.equal(ig('?.txt', 'a.txt'), true);
  assert.equal(ig('?.txt', 'ab.txt'), false);
  assert.equal(ig('[a-c].txt', 'b.txt'), true);
  assert.equal(ig('[!a-c].txt', 'b.txt'), false);
  assert.equal(ig('\\*.txt', '*.txt'), true);
  assert.equal(ig('\\*.txt', 'a.txt'), false);
  assert.equal(ig('a.b', 'axb'), false);
});

test('! exceptions: the last matching line wins', () => {
  const rules = '# comment\n*.log\n!keep.log\nlogs\n!logs/important\n';
  assert.equal(ig(rules, 'x.log'), true);
  assert.equal(ig(rules, 'keep.log'), false);
  assert.equal(ig(rules, 'logs/a'), true);
  assert.equal(ig(rules, 'logs/important'), false);
  assert.equal(ig(rules, 'logs/important/deep'), false);
  assert.equal(ig('!keep.log\n*.log', 'keep.log'), true);
  assert.equal(ig('*\n!Dockerfile\n!src', 'src/main.c'), false);
  assert.equal(ig('*\n!Dockerfile\n!src', 'other'), true);
});

test('blank lines, comments, CRLF, whitespace around patterns', () => {
  assert.equal(ig('\r\n  secret.txt  \r\n#x\r\n', 'secret.txt'), true);
  assert.equal(ig('#secret.txt', 'secret.txt'), false);
  assert.throws(() => parseDockerignore('!'), /illegal exclusion pattern/);
  assert.deepEqual(parseDockerignore('.\n/\n'), []);
});
