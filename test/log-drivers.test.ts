// Log drivers as Docker reports and refuses them. berth keeps every log in conmon's k8s-file format at
// LogPath (see src/engine/containers/log-drivers.ts); the driver name is the one the client asked for,
// json-file by default, so clients that read logs only from drivers they know (json-file, local) do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from './harness/index.js';

const d = await startDaemon({ after });

test('a container created without --log-driver reports json-file (Docker\'s default) and its logs read back', async () => {
  const r = await d.docker(['run', '--name', 'plain', 'busybox', 'echo', 'hello']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.docker(['inspect', '-f', '{{.HostConfig.LogConfig.Type}}', 'plain'])).stdout.trim(), 'json-file');
  assert.equal((await d.docker(['logs', 'plain'])).stdout, 'hello\n');
});

test('--log-driver local and k8s-file are kept and read; none keeps nothing and logs refuses as Docker', async () => {
  for (const drv of ['local', 'k8s-file', 'json-file']) {
    const r = await d.docker(['run', '--name', `drv-${drv}`, '--log-driver', drv, 'busybox', 'echo', drv]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await d.docker(['inspect', '-f', '{{.HostConfig.LogConfig.Type}}', `drv-${drv}`])).stdout.trim(), drv);
    assert.equal((await d.docker(['logs', `drv-${drv}`])).stdout, `${drv}\n`);
  }
  // Docker: `docker run --log-driver none` still prints the attached output; `docker logs` then fails
  // with "configured logging driver does not support reading" (status 501).
  const none = await d.docker(['run', '--name', 'quiet', '--log-driver', 'none', 'busybox', 'echo', 'live']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'live\n');
  const logs = await d.docker(['logs', 'quiet']);
  assert.notEqual(logs.code, 0);
  assert.match(logs.stderr, /configured logging driver does not support reading/);
  const api = await d.api('GET', '/containers/quiet/logs?stdout=1');
  assert.equal(api.status, 501, api.text);
});

test('an unknown log driver is refused at create with Docker\'s message, nothing is created', async () => {
  const before = (await d.api('GET', '/containers/json?all=1')).json().length;
  const r = await d.docker(['create', '--log-driver', 'splunk-ish', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /logger: no log driver named 'splunk-ish' is registered/);
  assert.equal((await d.api('GET', '/containers/json?all=1')).json().length, before);
});
