// Many clients at once on the same objects: parallel runs, creates racing the removal of their image,
// one container removed from many clients, renames racing creates of the same name. Each race must
// end in a state that some sequential order of the same requests would have left, with Docker's
// answers for the losers, and the daemon's log must show no 500.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDaemon, BUSYBOX_TAR } from './harness/index.js';

const d = await startDaemon({ after });

/** Runs `fn(i)` for i in [0, n), `width` at a time; returns the results in order. */
async function parallel<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

function serverErrors(): string[] {
  return fs
    .readFileSync(d.logFile, 'utf8')
    .split('\n')
    .filter((l) => / 500 [\d.]+ms/.test(l) || /internal error/.test(l));
}

test('60 parallel `docker run --rm`, 30 at a time (start-ahead staging on): every one succeeds', async () => {
  const results = await parallel(60, 30, (i) => d.docker(['run', '--rm', 'busybox', 'sh', '-c', `echo run-${i}`]));
  const failed = results.map((r, i) => ({ r, i })).filter(({ r, i }) => r.code !== 0 || r.stdout.trim() !== `run-${i}`);
  assert.deepEqual(
    failed.map(({ r, i }) => `${i}: exit ${r.code} ${r.stderr.trim()}`),
    [],
  );
  const ps = await d.api('GET', '/containers/json?all=1');
  assert.deepEqual(ps.json(), [], 'every --rm container is gone');
});

test('creates racing a non-forced rmi of their image: never a container whose image is gone', async () => {
  for (let round = 0; round < 12; round++) {
    const tag = `race${round}:latest`;
    const imp = await d.api('POST', `/images/create?fromSrc=-&repo=race${round}&tag=latest&message=${round}`, { file: BUSYBOX_TAR });
    assert.equal(imp.status, 200, imp.text);
    const creates = Array.from({ length: 10 }, () => d.api('POST', '/containers/create', { body: { Image: tag, Cmd: ['true'] } }));
    const rmi = d.api('DELETE', `/images/${tag}`);
    const [rr, ...cr] = await Promise.all([rmi, ...creates]);
    for (const c of cr) {
      assert.ok(c.status === 201 || c.status === 404, `create: ${c.status} ${c.text}`);
      if (c.status === 404) assert.match(c.json().message, /No such image/);
    }
    assert.ok(rr.status === 200 || rr.status === 409, `rmi: ${rr.status} ${rr.text}`);
    const made = cr.filter((c) => c.status === 201).map((c) => c.json().Id as string);
    // Every container that was made names an image that still exists.
    for (const id of made) {
      const ins = await d.api('GET', `/containers/${id}/json`);
      assert.equal(ins.status, 200);
      const img = await d.api('GET', `/images/${ins.json().Image}/json`);
      assert.equal(img.status, 200, `container ${id.slice(0, 12)} names image ${ins.json().Image}, which is gone (rmi said ${rr.status})`);
    }
    // The rmi succeeded only if it came before every create that succeeded: then none did.
    if (rr.status === 200) assert.equal(made.length, 0, 'rmi reported success while creates took the image');
    else assert.match(rr.json().message, /conflict: unable to (remove repository reference|delete)/);
    for (const id of made) assert.equal((await d.api('DELETE', `/containers/${id}`)).status, 204);
    await d.api('DELETE', `/images/${tag}`);
  }
  assert.deepEqual(serverErrors(), []);
});

test('`rm -f` of one running container from 10 clients: one succeeds, the others get No such container', async () => {
  for (let round = 0; round < 5; round++) {
    const r = await d.docker(['run', '-d', '--name', `victim${round}`, 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    const rms = await Promise.all(Array.from({ length: 10 }, () => d.api('DELETE', `/containers/victim${round}?force=1`)));
    const ok = rms.filter((x) => x.status === 204);
    const gone = rms.filter((x) => x.status === 404);
    assert.equal(ok.length, 1, rms.map((x) => `${x.status} ${x.text}`).join(' | '));
    assert.equal(gone.length, 9, rms.map((x) => `${x.status} ${x.text}`).join(' | '));
    for (const g of gone) assert.equal(g.json().message, `No such container: victim${round}`);
    assert.equal((await d.api('GET', `/containers/victim${round}/json`)).status, 404);
  }
  assert.deepEqual(serverErrors(), []);
});

test('renames racing creates of the same name: exactly one holder of the name, the others Conflict', async () => {
  for (let round = 0; round < 8; round++) {
    const src = await d.api('POST', `/containers/create?name=src${round}`, { body: { Image: 'busybox', Cmd: ['true'] } });
    assert.equal(src.status, 201, src.text);
    const want = `wanted${round}`;
    const reqs = [
      d.api('POST', `/containers/src${round}/rename?name=${want}`),
      ...Array.from({ length: 5 }, () => d.api('POST', `/containers/create?name=${want}`, { body: { Image: 'busybox', Cmd: ['true'] } })),
    ];
    const [ren, ...creates] = await Promise.all(reqs);
    const winners = [ren!.status === 204 ? 'rename' : null, ...creates.map((c) => (c.status === 201 ? c.json().Id : null))].filter(Boolean);
    assert.equal(winners.length, 1, [ren!, ...creates].map((x) => `${x.status} ${x.text}`).join(' | '));
    for (const c of creates.filter((x) => x.status !== 201)) {
      assert.equal(c.status, 409, c.text);
      assert.match(c.json().message, new RegExp(`Conflict. The container name "/${want}" is already in use`));
    }
    if (ren!.status !== 204) assert.equal(ren!.status, 409, ren!.text);
    // The name belongs to exactly one container, and inspect agrees with the list.
    const list = (await d.api('GET', '/containers/json?all=1')).json() as { Names: string[]; Id: string }[];
    const holders = list.filter((c) => c.Names.includes(`/${want}`));
    assert.equal(holders.length, 1);
    const byName = await d.api('GET', `/containers/${want}/json`);
    assert.equal(byName.json().Id, holders[0]!.Id);
    for (const c of list) await d.api('DELETE', `/containers/${c.Id}?force=1`);
  }
  assert.deepEqual(serverErrors(), []);
});
