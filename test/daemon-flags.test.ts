// berthd's dockerd-style flags, end to end: several -H listeners (unix and tcp on loopback), the
// socket's mode, the pidfile (written, refused while its owner runs, removed on SIGTERM), daemon-wide
// --log-opt defaults that bound container logs, and a bad flag refused with a message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import http from 'node:http';
import { startDaemon, run, BERTHD_BIN } from './harness/index.js';

/** A free TCP port on 127.0.0.1 (tests listen on loopback only). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const port = await freePort();
const d = await startDaemon({ after }, { args: [`-H`, `tcp://127.0.0.1:${port}`, '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2'] });

test('every -H address answers: the unix socket (mode 0660) and tcp on loopback', async () => {
  assert.equal((await d.api('GET', '/_ping')).text, 'OK');
  assert.equal(fs.statSync(d.socket).mode & 0o777, 0o660, 'socket mode 0660');
  const body = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/_ping' }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.equal(body, 'OK');
  const v = await d.docker(['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(v.stdout.trim(), '1.45', v.stderr);
});

test('the pidfile holds the daemon PID, and a second daemon with it refuses to start', async () => {
  assert.equal(fs.readFileSync(d.pidfile, 'utf8').trim(), String(d.pid));
  const other = path.join(d.base, 'second');
  const r = await run(process.execPath, [BERTHD_BIN, '-H', `unix://${other}.sock`, '--data-root', `${other}-data`, '--exec-root', `${other}-exec`, '--pidfile', d.pidfile], { timeout: 20_000 });
  assert.notEqual(r.code, 0, 'a second daemon on the same pidfile exits');
  assert.match(r.stdout + r.stderr, /pid file found/);
  assert.equal((await d.api('GET', '/_ping')).text, 'OK', 'the first one is untouched');
});

test('daemon --log-opt defaults bound a container\'s log on disk, and logs reads the newest lines', async () => {
  const r = await d.docker(['run', '--name', 'chatty', 'busybox', 'sh', '-c', 'for i in $(seq 1 500); do echo "chatty line $i"; done']);
  assert.equal(r.code, 0, r.stderr);
  const logPath = (await d.docker(['inspect', '-f', '{{.LogPath}}', 'chatty'])).stdout.trim();
  const files = fs.readdirSync(path.dirname(logPath)).filter((f) => f.startsWith(path.basename(logPath)));
  const total = files.reduce((n, f) => n + fs.statSync(path.join(path.dirname(logPath), f)).size, 0);
  assert.ok(files.length <= 2, `at most max-file files: ${files.join(', ')}`);
  assert.ok(total <= 4 * 1024, `about max-size × max-file bytes on disk, got ${total}`);
  const logs = (await d.docker(['logs', 'chatty'])).stdout.trim().split('\n');
  assert.equal(logs.at(-1), 'chatty line 500');
  assert.equal((await d.docker(['rm', 'chatty'])).code, 0);
});

test('daemon --log-opt defaults show in the container\'s HostConfig.LogConfig, as dockerd merges them', async () => {
  const r = await d.docker(['create', '--name', 'logcfg', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  const cfg = JSON.parse((await d.docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', 'logcfg'])).stdout);
  assert.deepEqual(cfg, { 'max-size': '1k', 'max-file': '2' });
  // A container's own --log-opt wins over the daemon's.
  const own = await d.docker(['create', '--name', 'logcfg-own', '--log-opt', 'max-size=5k', 'busybox', 'true']);
  assert.equal(own.code, 0, own.stderr);
  const ownCfg = JSON.parse((await d.docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', 'logcfg-own'])).stdout);
  assert.equal(ownCfg['max-size'], '5k');
  // dockerd merges its options whenever the container's driver is the daemon's, named or not, and
  // never into another driver's (a local container keeps local's own defaults).
  assert.equal((await d.docker(['create', '--name', 'logcfg-named', '--log-driver', 'json-file', 'busybox', 'true'])).code, 0);
  assert.deepEqual(JSON.parse((await d.docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', 'logcfg-named'])).stdout), { 'max-size': '1k', 'max-file': '2' });
  assert.equal((await d.docker(['create', '--name', 'logcfg-local', '--log-driver', 'local', 'busybox', 'true'])).code, 0);
  assert.deepEqual(JSON.parse((await d.docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', 'logcfg-local'])).stdout), {});
  assert.equal((await d.docker(['info', '--format', '{{.LoggingDriver}}'])).stdout.trim(), 'json-file');
  assert.equal((await d.docker(['rm', 'logcfg', 'logcfg-own', 'logcfg-named', 'logcfg-local'])).code, 0);
});

test('berthd --log-driver and --log-opt are checked at start-up with dockerd\'s words', { skip: d.engine === 'dockerd' && 'berthd flags' }, async () => {
  const flags = (...extra: string[]) => [BERTHD_BIN, '--data-root', path.join(d.base, 'bad-data'), '--exec-root', path.join(d.base, 'bad-exec'), ...extra];
  // dockerd starts with an unknown driver and refuses each create with this; berthd refuses to start.
  const drv = await run(process.execPath, flags('--log-driver', 'splunk-ish'), { timeout: 20_000 });
  assert.notEqual(drv.code, 0);
  assert.match(drv.stderr, /error looking up logging plugin splunk-ish: plugin "splunk-ish" not found/);
  const opt = await run(process.execPath, flags('--log-opt', 'foo=bar'), { timeout: 20_000 });
  assert.notEqual(opt.code, 0);
  assert.match(opt.stderr, /failed to set log opts: unknown log opt 'foo' for json-file log driver/);
  const local = await run(process.execPath, flags('--log-driver', 'local', '--log-opt', 'tag=x'), { timeout: 20_000 });
  assert.notEqual(local.code, 0);
  assert.match(local.stderr, /failed to set log opts: unknown log opt 'tag' for log driver local/);
});

test('SIGTERM removes the pidfile and the socket; the next start brings both back', async () => {
  await d.stop('SIGTERM');
  assert.equal(fs.existsSync(d.pidfile), false, 'pidfile removed');
  assert.equal(fs.existsSync(d.socket), false, 'socket removed');
  await d.start();
  assert.equal(fs.readFileSync(d.pidfile, 'utf8').trim(), String(d.pid));
});

test('a bad flag is refused with a message and a non-zero exit', async () => {
  const r = await run(process.execPath, [BERTHD_BIN, '--no-such-flag'], { timeout: 20_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-such-flag/);
  const bad = await run(process.execPath, [BERTHD_BIN, '-H', 'nonsense://x', '--data-root', path.join(d.base, 'bad-data'), '--exec-root', path.join(d.base, 'bad-exec')], { timeout: 20_000 });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /nonsense/);
});
