// Tests of Go's fmt rules over JSON-like values: %v printing, strconv float formatting (with Go's
// round-half-to-even on exact ties, where JavaScript's toFixed rounds up), and Printf's verbs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatE, formatF, formatG, formatValue, goQuote, sprint, sprintf, sprintln } from './go-fmt.js';

test('formatValue prints like fmt %v', () => {
  assert.equal(formatValue('s'), 's');
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue(-0.5), '-0.5');
  assert.equal(formatValue(1e6 + 0.5), '1.0000005e+06');
  assert.equal(formatValue(0.00001), '1e-05');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(null), '<nil>');
  assert.equal(formatValue([1, 'a', [null]]), '[1 a [<nil>]]');
  assert.equal(formatValue({ b: 1, a: { c: [] } }), 'map[a:map[c:[]] b:1]');
});

test('formatF rounds exact ties to even as strconv does', () => {
  assert.equal(formatF(2.5, 0), '2');
  assert.equal(formatF(3.5, 0), '4');
  assert.equal(formatF(0.125, 2), '0.12');
  assert.equal(formatF(0.375, 2), '0.38');
  assert.equal(formatF(0.5, 0), '0');
  assert.equal(formatF(1.005, 2), '1.00'); // 1.005 is really 1.00499999...
  assert.equal(formatF(-1.5, 0), '-2');
  assert.equal(formatF(0.0001234, 3), '0.000');
  assert.equal(formatF(99.995, 1), '100.0');
  assert.equal(formatF(123.456, 6), '123.456000');
});

test('formatG and formatE follow strconv (precision, exponent threshold, trimming)', () => {
  assert.equal(formatG(999.9, 3), '1e+03');
  assert.equal(formatG(1234, 3), '1.23e+03');
  assert.equal(formatG(100, 4), '100');
  assert.equal(formatG(0.5, 3), '0.5');
  assert.equal(formatG(1.5, 6, true), '1.50000');
  assert.equal(formatG(123456, -1), '123456');
  assert.equal(formatG(1234567, -1), '1.234567e+06');
  assert.equal(formatG(0.0001, -1), '0.0001');
  assert.equal(formatE(15, 0), '2e+01');
  assert.equal(formatE(25, 0), '2e+01'); // tie to even
  assert.equal(formatE(1234.5678, 3), '1.235e+03');
  assert.equal(formatE(0, 2, true), '0.00E+00');
  assert.equal(formatE(1e-100, 1), '1.0e-100');
});

test('sprintf: flags, widths, precision, bad verbs, missing and extra operands', () => {
  assert.equal(sprintf('%5.2f|%-4s|%05d|%+d|%x|%X|%o|%b|%c|%U|%t', [3.14159, 'ab', 42, 7, 'hi', 255, 8, 5, 65, 9731, true]), ' 3.14|ab  |00042|+7|6869|FF|10|101|A|U+2603|true');
  assert.equal(sprintf('%6.2f|%-6d|%06.2f|%x', [-3.14159, -42, -1.5, -255]), ' -3.14|-42   |-01.50|-ff');
  assert.equal(sprintf('%q %v %s', ['a"b', [1, 2], ['x', 'y']]), '"a\\"b" [1 2] [x y]');
  assert.equal(sprintf('%s', [5]), '%!s(int=5)');
  assert.equal(sprintf('%d', ['x']), '%!d(string=x)');
  assert.equal(sprintf('%d', [1.5]), '%!d(float64=1.5)');
  assert.equal(sprintf('%d %d', [1]), '1 %!d(MISSING)');
  assert.equal(sprintf('%d', [1, 'b']), '1%!(EXTRA string=b)');
  assert.equal(sprintf('100%%', []), '100%');
  assert.equal(sprintf('%', []), '%!(NOVERB)');
  assert.equal(sprintf('%*d|%.*f', [4, 7, 1, 2.25]), '   7|2.2');
  assert.equal(sprintf('%.2s|%10s', ['héllo', 'é']), 'hé|         é');
  assert.equal(sprintf('%.2f', [2]), '2.00'); // an integral JSON number may be a float64 field
});

test('sprint, sprintln and goQuote', () => {
  assert.equal(sprint([1, 2, 'a', 3, true, false]), '1 2a3 true false');
  assert.equal(sprintln(['a', 1]), 'a 1\n');
  assert.equal(goQuote('tab\tnl\n\x01é"\\'), '"tab\\tnl\\n\\x01é\\"\\\\"');
});
