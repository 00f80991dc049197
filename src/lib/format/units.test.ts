// Tests of human sizes, size parsing, durations and ps status words against go-units' and moby's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, ellipsis, fromHumanSize, humanDuration, humanSize, humanSizeWithPrecision, ramInBytes, statusText, timeAgo } from './units.js';
import { InvalidParameterError } from '../../errors.js';

test('humanSize is HumanSizeWithPrecision(n, 3): decimal units, %.3g', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [1200, '1.2kB'],
    [4_260_000, '4.26MB'],
    [1_234_567, '1.23MB'],
    [1_999_999, '2MB'],
    [999_900, '1e+03kB'], // Go's %.3g of 999.9 really does print this
    [5.5e12, '5.5TB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
  assert.equal(humanSizeWithPrecision(1_234_567, 4), '1.235MB');
  assert.equal(humanSizeWithPrecision(2_500, 1), '2kB'); // half to even on an exact tie, as strconv
});

test('bytesSize: binary units, 4 significant digits', () => {
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1023), '1023B');
  assert.equal(bytesSize(1024), '1KiB');
  assert.equal(bytesSize(1536 * 1024), '1.5MiB');
  assert.equal(bytesSize(1024 ** 6), '1EiB');
  assert.equal(bytesSize(1000 * 1024 ** 3), '1000GiB');
});

test('ramInBytes parses docker -m values', () => {
  const KiB = 1024;
  const MiB = KiB * 1024;
  const GiB = MiB * 1024;
  const cases: [string, number][] = [
    ['32', 32],
    ['32b', 32],
    ['32B', 32],
    ['32k', 32 * KiB],
    ['32K', 32 * KiB],
    ['32kb', 32 * KiB],
    ['32KiB', 32 * KiB],
    ['512m', 512 * MiB],
    ['1g', GiB],
    ['1.5g', 1.5 * GiB],
    ['32.3', 32],
    ['32 MB', 32 * MiB],
    ['2p', 2 * 1024 ** 5],
  ];
  for (const [s, want] of cases) assert.equal(ramInBytes(s), want, s);
  assert.equal(fromHumanSize('1kB'), 1000);
  assert.equal(fromHumanSize('1.5M'), 1_500_000);
});

test('ramInBytes refuses what go-units refuses, with its messages', () => {
  const cases: [string, string][] = [
    ['', "invalid size: ''"],
    ['hello', "invalid size: 'hello'"],
    ['-32', "invalid size: '-32'"],
    ['32x', "invalid suffix: 'x'"],
    ['32mbb', "invalid suffix: 'mbb'"],
    ['32kib2', 'strconv.ParseFloat: parsing "32kib2": invalid syntax'],
    ['32mi', "invalid suffix: 'mi'"],
    ['1.2.3m', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
  ];
  for (const [s, msg] of cases) {
    assert.throws(() => ramInBytes(s), (e: unknown) => e instanceof InvalidParameterError && e.message === msg, s);
  }
});

test('humanDuration follows go-units thresholds', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [-5 * s, 'Less than a second'],
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * s, '1 second'],
    [45 * s, '45 seconds'],
    [59 * s + 999, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [89 * m, 'About an hour'],
    [90 * m, '2 hours'],
    [47 * h, '47 hours'],
    [47.5 * h, '2 days'],
    [13 * d, '13 days'],
    [14 * d, '2 weeks'],
    [59 * d, '8 weeks'],
    [60 * d, '2 months'],
    [729 * d, '24 months'],
    [730 * d, '2 years'],
    [3 * 365 * d, '3 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
  assert.equal(timeAgo('2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:03:10Z')), '3 minutes ago');
});

test('statusText words states as docker ps does', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const base = { Running: false, Paused: false, Restarting: false, Dead: false, ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' };
  assert.equal(statusText(base, now), 'Created');
  const up = { ...base, Running: true, StartedAt: '2024-01-01T00:59:55Z' };
  assert.equal(statusText(up, now), 'Up 5 seconds');
  assert.equal(statusText({ ...up, Paused: true }, now), 'Up 5 seconds (Paused)');
  assert.equal(statusText({ ...up, Health: { Status: 'healthy' } }, now), 'Up 5 seconds (healthy)');
  assert.equal(statusText({ ...up, Health: { Status: 'starting' } }, now), 'Up 5 seconds (health: starting)');
  assert.equal(statusText({ ...up, Restarting: true, ExitCode: 1, FinishedAt: '2024-01-01T00:59:58Z' }, now), 'Restarting (1) 2 seconds ago');
  const exited = { ...base, StartedAt: '2024-01-01T00:00:00Z', FinishedAt: '2024-01-01T00:57:00Z', ExitCode: 137 };
  assert.equal(statusText(exited, now), 'Exited (137) 3 minutes ago');
  assert.equal(statusText({ ...exited, Dead: true }, now), 'Dead');
  assert.equal(statusText({ ...exited, RemovalInProgress: true }, now), 'Removal In Progress');
  assert.equal(statusText({ ...exited, FinishedAt: '0001-01-01T00:00:00Z' }, now), '');
});

test('ellipsis cuts to display width with "…"', () => {
  assert.equal(ellipsis('abcdef', 10), 'abcdef');
  assert.equal(ellipsis('abcdef', 6), 'abcdef');
  assert.equal(ellipsis('abcdefg', 6), 'abcde…');
  assert.equal(ellipsis('abc', 1), 'a');
  assert.equal(ellipsis('abc', 0), '');
  // Wide characters count two columns.
  assert.equal(ellipsis('日本語テキスト', 6), '日本…');
});
