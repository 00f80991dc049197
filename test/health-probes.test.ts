// Healthcheck probes as Docker reports them: stdout and stderr in one buffer, cut at 4096 bytes and
// marked "..."; the exit code; a probe past its timeout killed, with Docker's message, and not left
// running. The same checks pass against the reference dockerd (BERTH_TEST_ENGINE=dockerd).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { probeServerPids, startDaemon, waitFor } from './harness/index.js';

const d = await startDaemon({ after });

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

async function health(name: string): Promise<Health> {
  const r = await d.api('GET', `/containers/${name}/json`);
  assert.equal(r.status, 200, r.text);
  return r.json().State.Health as Health;
}

async function probedUntil(name: string, what: string, ok: (h: Health) => boolean): Promise<Health> {
  return waitFor(what, async () => {
    const h = await health(name);
    return ok(h) ? h : null;
  }, 20_000, 200);
}

test('a probe\'s output is stdout and stderr in one buffer, with its exit code', async () => {
  const r = await d.docker(['run', '-d', '--name', 'talky', '--health-cmd', 'echo out; echo err >&2; exit 2', '--health-interval', '1s', '--health-retries', '1', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  after(() => d.docker(['rm', '-f', 'talky']));
  const h = await probedUntil('talky', 'talky unhealthy', (x) => x.Status === 'unhealthy' && x.Log.length > 0);
  const last = h.Log.at(-1)!;
  assert.equal(last.ExitCode, 2);
  // Both streams are there; their order is not promised (each engine reads them from two pipes).
  assert.ok(['out\nerr\n', 'err\nout\n'].includes(last.Output), JSON.stringify(last.Output));
});

test('a longer output is cut at 4096 bytes and marked "..."', async () => {
  const r = await d.docker(['run', '-d', '--name', 'verbose', '--health-cmd', 'head -c 10000 /dev/zero | tr "\\0" x', '--health-interval', '1s', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  after(() => d.docker(['rm', '-f', 'verbose']));
  const h = await probedUntil('verbose', 'a probe of verbose', (x) => x.Log.length > 0);
  assert.equal(h.Log.at(-1)!.ExitCode, 0);
  assert.equal(h.Log.at(-1)!.Output, 'x'.repeat(4096) + '...');
});

test('a probe past its timeout is killed: "Health check exceeded timeout", and no probe process stays', async () => {
  const r = await d.docker(['run', '-d', '--name', 'slow', '--health-cmd', 'sleep 30', '--health-interval', '1s', '--health-timeout', '500ms', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  after(() => d.docker(['rm', '-f', 'slow']));
  const h = await probedUntil('slow', 'two timed-out probes of slow', (x) => x.Log.length >= 2);
  for (const e of h.Log) {
    assert.equal(e.ExitCode, -1);
    assert.equal(e.Output, 'Health check exceeded timeout (500ms)');
  }
  // At most the probe under way is running: the earlier ones were killed.
  const top = await d.docker(['top', 'slow', '-o', 'pid,args']);
  assert.equal(top.code, 0, top.stderr);
  const probes = top.stdout.split('\n').filter((l) => /sleep 30$/.test(l.trim()));
  assert.ok(probes.length <= 1, top.stdout);
});

test('a probe whose command cannot be run fails with the runtime\'s message and -1, as a probe that could not run', async () => {
  const r = await d.api('POST', '/containers/create?name=missing', { body: { Image: 'busybox', Cmd: ['sleep', '300'], Healthcheck: { Test: ['CMD', 'nosuch'], Interval: 1e9, Retries: 2 } } });
  assert.equal(r.status, 201, r.text);
  after(() => d.docker(['rm', '-f', 'missing']));
  assert.equal((await d.docker(['start', 'missing'])).code, 0);
  const h = await probedUntil('missing', 'missing unhealthy', (x) => x.Status === 'unhealthy');
  for (const e of h.Log) {
    assert.equal(e.ExitCode, -1);
    assert.match(e.Output, /exec: "nosuch": executable file not found in \$PATH/);
  }
});

test('berthd: probes go through one probe server; one killed mid-probe is replaced, and its probe still counts', { skip: d.engine === 'dockerd' ? 'berthd\'s own helper' : process.env.BERTH_NO_PROBE_SERVER === '1' ? 'the probe server is turned off' : false }, async () => {
  // A probe that takes a second, every second: most of the time one is under way.
  const r = await d.docker(['run', '-d', '--name', 'served', '--health-cmd', 'sleep 1; echo served', '--health-interval', '1s', '--health-timeout', '20s', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  after(() => d.docker(['rm', '-f', 'served']));
  await probedUntil('served', 'served healthy', (x) => x.Status === 'healthy');
  const [server, ...more] = probeServerPids(d.pid!);
  assert.ok(server, 'a probe server runs beside berthd');
  assert.deepEqual(more, [], 'one server for all probes');
  // Kill it while a probe runs (its `sleep 1` is in the container's process list).
  await waitFor('a probe under way', async () => {
    const top = await d.docker(['top', 'served', '-o', 'pid,args']);
    return top.stdout.split('\n').some((l) => /\bsleep 1$/.test(l.trim())) || null;
  }, 10_000, 50);
  process.kill(server, 'SIGKILL');
  const killedAt = Date.now();
  // The probe under way at the kill ran again as a plain exec instead of failing (a crashed helper
  // must not make a container unhealthy); later probes go through a new server.
  const h = await probedUntil('served', 'a good probe after the kill', (x) => x.Log.some((e) => Date.parse(e.Start) > killedAt + 100 && e.ExitCode === 0));
  assert.deepEqual(h.Log.map((e) => [e.ExitCode, e.Output]), h.Log.map(() => [0, 'served\n']));
  assert.ok(h.Log.some((e) => Date.parse(e.Start) < killedAt && Date.parse(e.End) > killedAt), `a probe spans the kill: ${JSON.stringify(h.Log)} (killed at ${new Date(killedAt).toISOString()})`);
  const now = probeServerPids(d.pid!);
  assert.equal(now.length, 1);
  assert.notEqual(now[0], server);
  assert.equal(h.Status, 'healthy');
});
