// Tests of container names, the name rules and IDs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADJECTIVES, SURNAMES, generateName, isFullId, newId, randomName, shortId, validateName, validateVolumeName } from './index.js';
import { ConflictError, InvalidParameterError } from '../../errors.js';

/** A deterministic random source cycling through the given values. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test('word lists: enough words, no duplicates, every combination a valid name', () => {
  assert.ok(ADJECTIVES.length >= 100 && SURNAMES.length >= 150);
  assert.equal(new Set(ADJECTIVES).size, ADJECTIVES.length);
  assert.equal(new Set(SURNAMES).size, SURNAMES.length);
  for (const w of [...ADJECTIVES, ...SURNAMES]) assert.match(w, /^[a-z]+$/, w);
});

test('randomName picks adjective_surname from the random source, a digit on retries', () => {
  assert.equal(randomName(seq(0, 0)), `${ADJECTIVES[0]}_${SURNAMES[0]}`);
  assert.equal(randomName(seq(0.999999, 0.999999)), `${ADJECTIVES.at(-1)}_${SURNAMES.at(-1)}`);
  assert.equal(randomName(seq(0, 0, 0.75), 1), `${ADJECTIVES[0]}_${SURNAMES[0]}7`);
  // A source that returns exactly 1 must not run off the end of the lists.
  assert.match(randomName(() => 1, 1), /^[a-z]+_[a-z]+9$/);
});

test('generateName skips taken names, then falls back to the short ID, then gives up', () => {
  const first = `${ADJECTIVES[0]}_${SURNAMES[0]}`;
  assert.equal(generateName(seq(0), () => false), first);
  // The first name is taken: the retry carries a digit (always 0 from this source).
  assert.equal(generateName(seq(0), (n) => n === first), `${first}0`);
  const tries: string[] = [];
  const id = 'f'.repeat(64);
  assert.equal(generateName(seq(0), (n) => (tries.push(n), n !== 'ffffffffffff'), id), 'ffffffffffff');
  assert.equal(tries.length, 7); // six random names, then the short ID
  assert.equal(tries[0], first);
  assert.match(tries[1]!, /\d$/);
  assert.throws(() => generateName(seq(0), () => true, id), ConflictError);
  assert.throws(() => generateName(seq(0), () => true), ConflictError);
});

test('validateName follows Docker: at least two characters, allowed set, optional leading slash', () => {
  assert.equal(validateName('web-1.a_b'), 'web-1.a_b');
  assert.equal(validateName('/web'), 'web');
  assert.equal(validateName('0x'), '0x');
  for (const bad of ['a', '', '-web', '_web', '.web', 'we b', 'wé', 'a/b', '//ab']) {
    assert.throws(
      () => validateName(bad),
      (e: unknown) => e instanceof InvalidParameterError && e.message === `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      bad,
    );
  }
});

test('validateVolumeName gives the local driver messages (checked against dockerd 20.10)', () => {
  validateVolumeName('ok-1.2_3');
  assert.throws(() => validateVolumeName('a'), { message: 'volume name is too short, names should be at least two alphanumeric characters' });
  assert.throws(() => validateVolumeName('a b'), {
    message: '"a b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  });
  assert.throws(() => validateVolumeName('/abs'), InvalidParameterError);
  assert.throws(() => validateVolumeName('_x'), InvalidParameterError);
});

test('shortId drops the algorithm prefix and keeps 12 characters', () => {
  assert.equal(shortId('sha256:0123456789abcdef0123'), '0123456789ab');
  assert.equal(shortId('0123456789abcdef'), '0123456789ab');
  assert.equal(shortId('abc'), 'abc');
});

test('newId: 64 hex digits, drawn again while the short form is all digits', () => {
  let calls = 0;
  const bytes = (n: number) => {
    calls++;
    // First draw: 0x11 bytes -> "1111..." (all digits); second: 0xab bytes.
    return new Uint8Array(n).fill(calls === 1 ? 0x11 : 0xab);
  };
  const id = newId(bytes);
  assert.equal(calls, 2);
  assert.equal(id, 'ab'.repeat(32));
  assert.ok(isFullId(id));
  assert.ok(!isFullId('AB'.repeat(32)));
});
