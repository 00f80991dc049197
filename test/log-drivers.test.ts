// Log drivers as Docker reports, keeps and refuses them. berth keeps every log in conmon's k8s-file
// format (see src/engine/containers/log-drivers.ts); the driver name is the one the client asked for,
// json-file by default, so clients that read logs only from drivers they know (json-file, local) do.
// Docker's answers beside each case were read off dockerd 20.10 (BERTH_TEST_ENGINE=dockerd runs this
// file against it) and current moby's source.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon } from './harness/index.js';

const d = await startDaemon({ after });
const berthOnly = d.engine === 'dockerd' && 'k8s-file is berth\'s (and podman\'s) driver, not Docker\'s';

const inspect = async (name: string) => JSON.parse((await d.docker(['inspect', name])).stdout)[0];

test('a container created without --log-driver reports json-file (Docker\'s default), LogPath names its log, logs read back', async () => {
  const r = await d.docker(['run', '--name', 'plain', 'busybox', 'echo', 'hello']);
  assert.equal(r.code, 0, r.stderr);
  const c = await inspect('plain');
  assert.equal(c.HostConfig.LogConfig.Type, 'json-file');
  assert.notEqual(c.LogPath, '');
  assert.ok(fs.existsSync(c.LogPath), c.LogPath);
  assert.equal((await d.docker(['logs', 'plain'])).stdout, 'hello\n');
  // Docker's own default lists json-file too.
  assert.equal((await d.docker(['info', '--format', '{{.LoggingDriver}}'])).stdout.trim(), 'json-file');
});

test('--log-driver local and json-file are kept and read; local\'s LogPath is empty as in Docker', async () => {
  for (const drv of ['local', 'json-file']) {
    const r = await d.docker(['run', '--name', `drv-${drv}`, '--log-driver', drv, 'busybox', 'echo', drv]);
    assert.equal(r.code, 0, r.stderr);
    const c = await inspect(`drv-${drv}`);
    assert.equal(c.HostConfig.LogConfig.Type, drv);
    // Docker: LogPath is set for json-file only (the local driver's file is not part of the API).
    assert.equal(c.LogPath === '', drv === 'local', `${drv}: LogPath ${JSON.stringify(c.LogPath)}`);
    assert.equal((await d.docker(['logs', `drv-${drv}`])).stdout, `${drv}\n`);
  }
});

test('--log-driver k8s-file (berth\'s own format on disk) is kept, read, and LogPath holds its lines', { skip: berthOnly }, async () => {
  const r = await d.docker(['run', '--name', 'drv-k8s', '--log-driver', 'k8s-file', 'busybox', 'echo', 'k8s']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.docker(['logs', 'drv-k8s'])).stdout, 'k8s\n');
  const c = await inspect('drv-k8s');
  assert.match(fs.readFileSync(c.LogPath, 'utf8'), /^\S+ stdout F k8s$/m, 'TIMESTAMP stream F|P text');
});

test('--log-driver none keeps no log: run still prints, LogPath is empty, logs answers 501 as Docker', async () => {
  // Docker: `docker run --log-driver none` prints the attached output; `docker logs` then fails with
  // "configured logging driver does not support reading", status 501, CLI exit 1.
  const none = await d.docker(['run', '--name', 'quiet', '--log-driver', 'none', 'busybox', 'echo', 'live']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'live\n');
  const c = await inspect('quiet');
  assert.deepEqual([c.HostConfig.LogConfig.Type, c.LogPath], ['none', '']);
  const logs = await d.docker(['logs', 'quiet']);
  assert.equal(logs.code, 1);
  assert.equal(logs.stderr, 'Error response from daemon: configured logging driver does not support reading\n');
  const api = await d.api('GET', '/containers/quiet/logs?stdout=1');
  assert.equal(api.status, 501, api.text);
  assert.deepEqual(api.json(), { message: 'configured logging driver does not support reading' });
  // Docker takes any options for none without checking them (the CLI refuses them before sending).
  const opts = await d.api('POST', '/containers/create?name=quiet-opts', { body: { Image: 'busybox', HostConfig: { LogConfig: { Type: 'none', Config: { foo: 'bar' } } } } });
  assert.equal(opts.status, 201, opts.text);
});

test('an unknown log driver or option is refused at create with Docker\'s message and status, nothing is created', async () => {
  const before = (await d.api('GET', '/containers/json?all=1')).json().length;
  const r = await d.docker(['create', '--log-driver', 'splunk-ish', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  // dockerd looks for a logging plugin of that name.
  assert.equal(r.stderr, 'Error response from daemon: error looking up logging plugin splunk-ish: plugin "splunk-ish" not found\n');
  const create = (LogConfig: unknown) => d.api('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { LogConfig } } });
  const cases: [unknown, string][] = [
    [{ Type: 'splunk-ish' }, 'error looking up logging plugin splunk-ish: plugin "splunk-ish" not found'],
    [{ Type: 'json-file', Config: { foo: 'bar' } }, "unknown log opt 'foo' for json-file log driver"],
    [{ Type: 'local', Config: { tag: 'x' } }, "unknown log opt 'tag' for log driver local"],
    [{ Type: 'json-file', Config: { mode: 'lossy' } }, 'logger: logging mode not supported: lossy'],
    [{ Type: 'json-file', Config: { 'max-buffer-size': '1m' } }, "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
  ];
  for (const [cfg, message] of cases) {
    const res = await create(cfg);
    assert.equal(res.status, 400, `${JSON.stringify(cfg)}: ${res.text}`);
    assert.deepEqual(res.json(), { message });
  }
  // Options every driver takes (mode, the read cache's) are accepted.
  const ok = await create({ Type: 'json-file', Config: { mode: 'non-blocking', 'max-buffer-size': '1m', 'cache-disabled': 'true', env: 'A' } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await d.api('DELETE', `/containers/${ok.json().Id}`)).status, 204);
  assert.equal((await d.api('GET', '/containers/json?all=1')).json().length, before);
});
