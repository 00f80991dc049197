import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRamBytes, parseNanoCpus, parseUlimit, parseRestartPolicy, parseKvFile, resolveEnvFlag, kvToMap, parseSwapBytes, validateLabel } from './flag-values.js';

test('RAM sizes use binary multipliers and accept docker spellings', () => {
  assert.equal(parseRamBytes('512m'), 512 * 1024 * 1024);
  assert.equal(parseRamBytes('512M'), 512 * 1024 * 1024);
  assert.equal(parseRamBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseRamBytes('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseRamBytes('10kb'), 10240);
  assert.equal(parseRamBytes('100'), 100);
  assert.equal(parseRamBytes('100b'), 100);
  assert.equal(parseRamBytes('4 m'), 4 * 1024 * 1024);
  assert.throws(() => parseRamBytes('512x'), /invalid suffix: 'x'/);
  assert.throws(() => parseRamBytes('12mbb'), /invalid suffix/);
  assert.throws(() => parseRamBytes('abc'), /invalid size: 'abc'/);
  assert.equal(parseSwapBytes('-1'), -1);
});

test('--cpus becomes nano CPUs exactly', () => {
  assert.equal(parseNanoCpus('1.5'), 1_500_000_000);
  assert.equal(parseNanoCpus('2'), 2_000_000_000);
  assert.equal(parseNanoCpus('0.001'), 1_000_000);
  assert.equal(parseNanoCpus('.5'), 500_000_000);
  assert.throws(() => parseNanoCpus('0.0000000001'), /too precise/);
  assert.throws(() => parseNanoCpus('x'), /failed to parse x as a rational number/);
});

test('ulimits: soft:hard, hard defaults to soft, validated names and order', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=512'), { Name: 'nproc', Soft: 512, Hard: 512 });
  assert.throws(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
  assert.throws(() => parseUlimit('nofile'), /invalid ulimit argument: nofile/);
  assert.throws(() => parseUlimit('nofile=10:5'), /soft limit must be less than or equal to hard limit: 10 > 5/);
});

test('restart policies', () => {
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always' });
  assert.deepEqual(parseRestartPolicy(''), { Name: '' });
  assert.throws(() => parseRestartPolicy(':3'), /no policy provided before colon/);
  assert.throws(() => parseRestartPolicy('on-failure:x'), /must be an integer/);
});

test('env flags and env files', () => {
  const env: Record<string, string> = { HOME: '/root' };
  const look = (k: string) => env[k];
  assert.equal(resolveEnvFlag('A=1', look), 'A=1');
  assert.equal(resolveEnvFlag('HOME', look), 'HOME=/root');
  assert.equal(resolveEnvFlag('UNSET', look), 'UNSET');
  assert.throws(() => resolveEnvFlag('=x', look), /invalid environment variable: =x/);
  assert.deepEqual(parseKvFile('\uFEFF# comment\n\n  A=1\nB= spaced value \nHOME\nUNSET\nC=\n', look), ['A=1', 'B= spaced value ', 'HOME=/root', 'C=']);
  assert.throws(() => parseKvFile('MY VAR=1\n', look), /variable 'MY VAR' contains whitespaces/);
  assert.throws(() => parseKvFile('=1\n', look), /no variable name on line '=1'/);
});

test('kv maps and labels', () => {
  assert.deepEqual(kvToMap(['a=b=c', 'd']), { a: 'b=c', d: '' });
  assert.equal(validateLabel('a=b'), 'a=b');
  assert.throws(() => validateLabel('=b'), /empty name/);
});
