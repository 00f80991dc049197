// Restart policies through the real docker CLI (and berth's) against berthd: always restarts one
// container (same ID) with a growing RestartCount, on-failure:N stops after N, a user's stop ends the
// loop, a daemon restart brings back always and unless-stopped ones (also those that exited while it
// was down), and bad policies are refused in Docker's words.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitFor } from './harness/index.js';

const d = await startDaemon({ after });
const berth = d.engine === 'berthd';

async function docker(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const inspect = async (format: string, name: string) => (await docker(['inspect', '-f', format, name])).trim();

test('--restart=always: the same container runs again and again, RestartCount grows, ps and inspect say Restarting', async () => {
  const id = (await docker(['run', '-d', '--name', 'loop', '--restart=always', 'busybox', 'echo', 'done'])).trim();
  const seen = new Set<string>();
  await waitFor('three restarts', async () => {
    const [count, status] = (await inspect('{{.RestartCount}} {{.State.Status}}', 'loop')).split(' ');
    seen.add(status!);
    return Number(count) >= 3 ? count : null;
  }, 20_000);
  assert.equal(await inspect('{{.Id}}', 'loop'), id, 'one container, one ID');
  const logs = await d.docker(['logs', 'loop']);
  assert.ok(logs.stdout.split('\n').filter((l) => l === 'done').length >= 3, 'each run wrote to the same log');
  // Between runs it is "restarting": ps shows Restarting (0) ..., inspect Restarting true.
  const ps = await waitFor('a Restarting status in ps', async () => {
    const line = (await docker(['ps', '-a', '--filter', 'name=loop', '--format', '{{.Status}}|{{.State}}'])).trim();
    return /^Restarting \(0\) .* ago\|restarting$/.test(line) ? line : null;
  }, 20_000);
  assert.match(ps, /Restarting/);
  assert.equal(await inspect('{{.HostConfig.RestartPolicy.Name}}', 'loop'), 'always');
  // A user's stop ends the loop, even between two runs.
  await docker(['stop', 'loop']);
  const count = await inspect('{{.RestartCount}}', 'loop');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await inspect('{{.State.Status}}', 'loop'), 'exited');
  assert.equal(await inspect('{{.RestartCount}}', 'loop'), count, 'no restart after the stop');
  await docker(['rm', '-f', 'loop']);
});

test('--restart=on-failure:3 restarts a failing container three times, then leaves it exited; a success is not restarted', async () => {
  await docker(['run', '-d', '--name', 'fails', '--restart=on-failure:3', 'busybox', 'false']);
  await waitFor('three restarts and a final exit', async () => ((await inspect('{{.RestartCount}} {{.State.Status}}', 'fails')) === '3 exited' ? true : null), 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await inspect('{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', 'fails'), '3 exited 1');
  await docker(['run', '-d', '--name', 'succeeds', '--restart=on-failure', 'busybox', 'true']);
  await waitFor('the exit', async () => ((await inspect('{{.State.Status}}', 'succeeds')) === 'exited' ? true : null));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await inspect('{{.RestartCount}}', 'succeeds'), '0');
  await docker(['rm', '-f', 'fails', 'succeeds']);
});

test('bad policies and --rm with a policy are refused, nothing is made', async () => {
  const before = (await docker(['ps', '-aq'])).trim();
  for (const [policy, msg] of [
    ['sometimes', /invalid restart policy/],
    ['on-failure:-1', /negative|invalid/],
  ] as const) {
    const r = await d.docker(['run', '-d', `--restart=${policy}`, 'busybox', 'true']);
    assert.equal(r.code, 125, `${policy}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  // The CLI refuses --rm with --restart itself; the API refuses it too.
  const api = await d.api('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } } });
  assert.equal(api.status, 400, api.text);
  assert.match(api.text, /can't create 'AutoRemove' container with restart policy/);
  const always3 = await d.api('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } } } });
  assert.equal(always3.status, 400, always3.text);
  assert.equal((await docker(['ps', '-aq'])).trim(), before);
});

test('a daemon restart brings back always and unless-stopped containers, not one stopped by hand; also one that exited while it was down', { skip: !berth && 'berthd only (restarts the daemon)' }, async () => {
  await docker(['run', '-d', '--name', 'alw', '--restart=always', 'busybox', 'sleep', '2']);
  await docker(['run', '-d', '--name', 'unl', '--restart=unless-stopped', 'busybox', 'sleep', '300']);
  await docker(['run', '-d', '--name', 'unl-stopped', '--restart=unless-stopped', 'busybox', 'sleep', '300']);
  await docker(['stop', '-t', '0', 'unl-stopped']);
  await d.stop();
  // alw exits (sleep 2) while berthd is down; conmon keeps its exit code.
  await new Promise((r) => setTimeout(r, 3000));
  await d.start();
  await waitFor('alw to run again', async () => ((await inspect('{{.State.Status}}', 'alw')) === 'running' ? true : null), 20_000);
  assert.ok(Number(await inspect('{{.RestartCount}}', 'alw')) >= 1);
  assert.equal(await inspect('{{.State.Status}}', 'unl'), 'running', 'still running under its monitor');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await inspect('{{.State.Status}}', 'unl-stopped'), 'exited', 'stopped by hand: unless-stopped keeps it stopped');
  await docker(['rm', '-f', 'alw', 'unl', 'unl-stopped']);
});

test('berth run --restart=always and berth stop, as with the docker CLI', { skip: !berth && 'berth CLI' }, async () => {
  const r = await d.berth(['run', '-d', '--name', 'bloop', '--restart=always', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('a restart', async () => (Number(await inspect('{{.RestartCount}}', 'bloop')) >= 1 ? true : null), 20_000);
  assert.equal((await d.berth(['stop', 'bloop'])).code, 0);
  assert.equal(await inspect('{{.State.Status}}', 'bloop'), 'exited');
  assert.equal((await d.berth(['rm', 'bloop'])).code, 0);
});

test('a stop that lands while a policy restart is under way still leaves the container stopped (8 rounds)', async () => {
  // The restart runs under the container's lock; a stop arriving meanwhile waits for it, then stops
  // the container it started, and no later restart brings it back.
  for (let i = 0; i < 8; i++) {
    const name = `race-${i}`;
    await docker(['run', '-d', '--name', name, '--restart=always', 'busybox', 'true']);
    await new Promise((r) => setTimeout(r, 150 + i * 60));
    await docker(['stop', '-t', '1', name]);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await inspect('{{.State.Status}}', name), 'exited', `round ${i}`);
    await docker(['rm', '-f', name]);
  }
});
