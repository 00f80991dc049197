import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteSize } from './byte-size.js';
import { normaliseHost, parseDaemonFlags } from './flags.js';

test('byte sizes are binary like docker RAMInBytes', () => {
  assert.equal(parseByteSize('10m'), 10 * 1024 * 1024);
  assert.equal(parseByteSize('1g'), 1024 ** 3);
  assert.equal(parseByteSize('512k'), 512 * 1024);
  assert.equal(parseByteSize('100'), 100);
  assert.equal(parseByteSize('2MB'), 2 * 1024 * 1024);
  assert.throws(() => parseByteSize('ten'), /invalid size/);
});

test('host addresses normalise as dockerd does', () => {
  assert.equal(normaliseHost('/run/x.sock'), 'unix:///run/x.sock');
  assert.equal(normaliseHost(':2375'), 'tcp://127.0.0.1:2375');
  assert.equal(normaliseHost('tcp://0.0.0.0:2375'), 'tcp://0.0.0.0:2375');
  assert.throws(() => normaliseHost('ftp://x'), /invalid host/);
});

test('daemon flags: roots, repeated hosts, log opts, defaults', () => {
  const c = parseDaemonFlags(['--data-root', '/tmp/d', '--exec-root', '/tmp/e', '-H', 'unix:///tmp/e/a.sock', '-H', 'tcp://127.0.0.1:2399', '--log-opt', 'max-size=1m', '--log-opt', 'max-file=5']);
  assert.equal(c.dataRoot, '/tmp/d');
  assert.equal(c.execRoot, '/tmp/e');
  assert.deepEqual(c.hosts, ['unix:///tmp/e/a.sock', 'tcp://127.0.0.1:2399']);
  assert.equal(c.pidfile, '/tmp/e/berthd.pid');
  assert.equal(c.logMaxSize, 1024 * 1024);
  assert.equal(c.logMaxFile, 5);
  assert.deepEqual(c.logOpts, { 'max-size': '1m', 'max-file': '5' });
  const d = parseDaemonFlags(['--exec-root', '/tmp/z']);
  assert.deepEqual(d.hosts, ['unix:///tmp/z/berth.sock']);
  assert.equal(d.dataRoot, '/var/lib/berth');
  assert.equal(parseDaemonFlags(['-g', '/tmp/g']).dataRoot, '/tmp/g');
  assert.throws(() => parseDaemonFlags(['--log-opt', 'max-file=0']), /max-file/);
});

test('--start-ahead: on by default, off with =false, and only true or false', () => {
  assert.equal(parseDaemonFlags([]).startAhead, true);
  assert.equal(parseDaemonFlags(['--start-ahead=false']).startAhead, false);
  assert.equal(parseDaemonFlags(['--start-ahead', 'true']).startAhead, true);
  assert.throws(() => parseDaemonFlags(['--start-ahead=maybe']));
});
