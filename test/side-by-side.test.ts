// Two berthd daemons (and a real dockerd) on one host, each with its own roots, socket and bridge,
// do not see or touch each other's containers: the same container name in both, separate lists, and
// stopping one daemon leaves the other (and its own containers, kept by conmon) running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon } from './harness/index.js';

const a = await startDaemon({ after });
const b = await startDaemon({ after });

async function runDetached(d: typeof a, name: string): Promise<string> {
  const r = await d.docker(['run', '-d', '--name', name, 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test('the same name in two daemons; each lists only its own containers', async () => {
  const idA = await runDetached(a, 'shared-name');
  const idB = await runDetached(b, 'shared-name');
  assert.notEqual(idA, idB);
  assert.equal((await a.docker(['ps', '-q', '--no-trunc'])).stdout.trim(), idA);
  assert.equal((await b.docker(['ps', '-q', '--no-trunc'])).stdout.trim(), idB);
  assert.equal((await a.docker(['inspect', '-f', '{{.Id}}', 'shared-name'])).stdout.trim(), idA);
  assert.equal((await b.docker(['inspect', '-f', '{{.Id}}', 'shared-name'])).stdout.trim(), idB);
});

test('stopping one daemon leaves the other serving, and both sets of containers running', async () => {
  const pidA = (await a.docker(['inspect', '-f', '{{.State.Pid}}', 'shared-name'])).stdout.trim();
  const pidB = (await b.docker(['inspect', '-f', '{{.State.Pid}}', 'shared-name'])).stdout.trim();
  await a.stop('SIGTERM');
  assert.equal((await b.api('GET', '/_ping')).text, 'OK');
  assert.equal((await b.docker(['exec', 'shared-name', 'echo', 'b-alive'])).stdout, 'b-alive\n');
  assert.ok(fs.existsSync(`/proc/${pidA}`), 'a container of the stopped daemon keeps running');
  assert.ok(fs.existsSync(`/proc/${pidB}`));
  await a.start();
  assert.equal((await a.docker(['inspect', '-f', '{{.State.Pid}} {{.State.Running}}', 'shared-name'])).stdout.trim(), `${pidA} true`);
  for (const d of [a, b]) assert.equal((await d.docker(['rm', '-f', 'shared-name'])).code, 0);
  assert.ok(!fs.existsSync(`/proc/${pidA}`) || fs.readFileSync(`/proc/${pidA}/stat`, 'utf8').includes(') Z'), 'rm -f ended the process');
});

test('beside a real dockerd with its own bridge', async (t) => {
  const ref = await startDaemon(t, { engine: 'dockerd' });
  const idRef = (await ref.docker(['run', '-d', '--network', 'none', '--name', 'shared-name', 'busybox', 'sleep', '300'])).stdout.trim();
  const idA = await runDetached(a, 'shared-name');
  assert.equal((await ref.docker(['ps', '-q', '--no-trunc'])).stdout.trim(), idRef);
  assert.equal((await a.docker(['ps', '-q', '--no-trunc'])).stdout.trim(), idA);
  assert.equal((await ref.docker(['rm', '-f', 'shared-name'])).code, 0);
  assert.equal((await a.docker(['exec', 'shared-name', 'true'])).code, 0, 'removing dockerd\'s container left berth\'s alone');
  assert.equal((await a.docker(['rm', '-f', 'shared-name'])).code, 0);
});
