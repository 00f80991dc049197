// Hostile image tarballs (through `docker load` and `docker import`) never write outside the layer:
// `..` paths, absolute paths, symlinks and hardlinks that lead out, device nodes (which must at least
// stay unreadable from the container, as Docker's device cgroup keeps them). Each load either
// fails with a clear error or succeeds with the dangerous entries neutralised; the host is untouched
// and the daemon keeps working. Whiteouts in an upper layer hide lower files, as in Docker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { startDaemon, BUSYBOX_TAR } from './harness/index.js';
import { writeDockerArchive, type LayerEntry } from './harness/archives.js';

const d = await startDaemon({ after });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-hostile-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
/** A host directory that hostile entries aim at; it must stay empty. */
const target = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-hostile-target-'));
after(() => fs.rmSync(target, { recursive: true, force: true }));

const hostileLayers: Record<string, LayerEntry[]> = {
  'dot-dot path': [{ name: `../../../../../../../../${target.slice(1)}/dotdot`, content: 'escaped\n' }],
  'absolute path': [{ name: `${target}/absolute`, content: 'escaped\n' }],
  'symlink out, then a file through it': [
    { name: 'link', type: 'symlink', linkname: target },
    { name: 'link/through-symlink', content: 'escaped\n' },
  ],
  'relative symlink climbing out, then a file through it': [
    { name: 'up', type: 'symlink', linkname: `../../../../../../../../..${target}` },
    { name: 'up/through-relative', content: 'escaped\n' },
  ],
  'hardlink to a host file': [{ name: 'hard', type: 'link', linkname: '/etc/shadow' }],
  'device node': [{ name: 'dev-sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o600 }],
};

for (const [what, entries] of Object.entries(hostileLayers)) {
  test(`load of a layer with a ${what} writes nothing outside the layer`, async () => {
    const tag = `hostile/${what.replace(/[^a-z]+/g, '-')}:v1`;
    const archive = path.join(tmp, 'hostile.tar');
    await writeDockerArchive(archive, { repoTags: [tag], layers: [{ tarFile: BUSYBOX_TAR }, { entries }] });
    const r = await d.docker(['load', '-i', archive]);
    assert.deepEqual(fs.readdirSync(target), [], `nothing written to ${target} (load: ${r.code} ${r.stdout}${r.stderr})`);
    if (r.code !== 0) {
      // The failure comes inside load's 200 JSON stream, as Docker's, and the CLI prints its message.
      assert.match(r.stderr, /invalid|outside|error/i, 'a refused load says why');
    } else {
      // Loaded: the dangerous entry is neutralised inside the container too.
      // Docker itself creates device nodes from layers; the device cgroup is what keeps them shut. So
      // the check is that the container cannot read through one, whether or not the node exists.
      const ls = await d.docker(['run', '--rm', tag, 'sh', '-c', 'cat /hard 2>/dev/null | head -c 40; head -c 16 /dev-sda 2>/dev/null | od -c | head -1; true']);
      assert.equal(ls.code, 0, ls.stderr);
      assert.doesNotMatch(ls.stdout, /root:[^:]*:\d+:/, 'the hardlink does not expose the host /etc/shadow');
      assert.doesNotMatch(ls.stdout, /^0000000 +\S/m, 'the device node cannot be read from the container');
      await d.docker(['rmi', tag]);
    }
    assert.deepEqual(fs.readdirSync(target), []);
    assert.equal((await d.api('GET', '/_ping')).text, 'OK');
  });
}

test('import of a rootfs tar with a dot-dot path writes nothing outside', async () => {
  const archive = path.join(tmp, 'hostile-import.tar');
  // An import takes a plain rootfs tar: reuse the builder's layer writer through a one-layer archive
  // and import just that layer.
  await writeDockerArchive(archive, { repoTags: ['unused:v1'], layers: [{ entries: [{ name: 'ok', content: 'fine\n' }, { name: `../../../../../../..${target}/imported`, content: 'escaped\n' }] }] });
  const r = await d.docker(['import', archive, 'hostile/import:v1']);
  // Either way (refused, or imported without the entry), the host is untouched.
  assert.deepEqual(fs.readdirSync(target), [], `import: ${r.code} ${r.stdout}${r.stderr}`);
  if (r.code === 0) await d.docker(['rmi', 'hostile/import:v1']);
});

test('whiteouts in an upper layer hide files of the lower one; opaque dirs hide a whole dir', async () => {
  const archive = path.join(tmp, 'whiteout.tar');
  const tag = 'whiteout/test:v1';
  await writeDockerArchive(archive, {
    repoTags: [tag],
    layers: [
      { tarFile: BUSYBOX_TAR },
      { entries: [{ name: 'data/', type: 'directory', mode: 0o755 }, { name: 'data/keep', content: 'keep\n' }, { name: 'data/drop', content: 'drop\n' }, { name: 'opq/', type: 'directory', mode: 0o755 }, { name: 'opq/old', content: 'old\n' }] },
      { entries: [{ name: 'data/.wh.drop', content: '' }, { name: 'opq/', type: 'directory', mode: 0o755 }, { name: 'opq/.wh..wh..opq', content: '' }, { name: 'opq/new', content: 'new\n' }, { name: 'bin/.wh.vi', content: '' }] },
    ],
  });
  const load = await d.docker(['load', '-i', archive]);
  assert.equal(load.code, 0, load.stderr);
  const r = await d.docker(['run', '--rm', tag, 'sh', '-c', 'ls /data; echo --; ls /opq; echo --; ls /bin/vi 2>&1 || true']);
  assert.equal(r.code, 0, r.stderr);
  const [data, opq, vi] = r.stdout.split('--\n');
  assert.equal(data, 'keep\n');
  assert.equal(opq, 'new\n');
  assert.match(vi!, /No such file or directory/);
  await d.docker(['rmi', tag]);
});

/** A tar archive (in memory) of the given entries, for PUT /containers/{id}/archive. */
async function tarOf(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      e.type === 'symlink'
        ? pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname }, (err) => (err ? reject(err) : resolve()))
        : pack.entry({ name: e.name }, e.content ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('docker cp (PUT archive) with escaping entries or through a symlink stays inside the container', async () => {
  const run = await d.docker(['run', '-d', 'busybox', 'sh', '-c', `ln -s ${target} /tmp/evil-link; sleep 300`]);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  try {
    // Entries that climb out of the destination directory.
    const climb = await tarOf([{ name: `../../../../../../../..${target}/cp-dotdot`, content: 'escaped\n' }]);
    const r1 = await d.api('PUT', `/containers/${id}/archive?path=/tmp`, { body: climb, headers: { 'Content-Type': 'application/x-tar' } });
    assert.ok([200, 400, 403, 500].includes(r1.status), `answered: ${r1.status} ${r1.text}`);
    // A destination that is a symlink inside the container to a host-looking absolute path: resolved
    // in the container's root, never on the host.
    const through = await tarOf([{ name: 'cp-through-link', content: 'inside\n' }]);
    const r2 = await d.api('PUT', `/containers/${id}/archive?path=/tmp/evil-link`, { body: through, headers: { 'Content-Type': 'application/x-tar' } });
    assert.ok(r2.status < 500, `answered: ${r2.status} ${r2.text}`);
    // An entry that is a symlink out, followed by a file through it.
    const linkThenFile = await tarOf([
      { name: 'out', type: 'symlink', linkname: target },
      { name: 'out/cp-via-entry-link', content: 'escaped\n' },
    ]);
    const r3 = await d.api('PUT', `/containers/${id}/archive?path=/tmp`, { body: linkThenFile, headers: { 'Content-Type': 'application/x-tar' } });
    assert.ok(r3.status < 600, `answered: ${r3.status}`);
    assert.deepEqual(fs.readdirSync(target), [], 'nothing reached the host directory');
    if (r2.status === 200) {
      const inside = await d.docker(['exec', id, 'cat', `${target}/cp-through-link`]);
      assert.equal(inside.stdout, 'inside\n', 'the file landed at the link target inside the container');
    }
    assert.equal((await d.api('GET', '/_ping')).text, 'OK');
  } finally {
    await d.docker(['rm', '-f', id]);
  }
});
