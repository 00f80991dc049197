// posix_spawn through the native addon, against real programs: pipes on any descriptor number, exit
// codes and signals, and the same through the child_process fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable, Writable } from 'node:stream';
import { fastSpawn } from './fast-spawn.js';
import { runCommand } from './command.js';
import * as native from './native.js';

function collect(s: Readable): Promise<string> {
  return new Promise((resolve) => {
    let t = '';
    s.on('data', (b: Buffer) => (t += b.toString()));
    s.on('close', () => resolve(t));
  });
}

for (const mode of ['posix_spawn', 'child_process'] as const) {
  const skip = mode === 'posix_spawn' && !native.available ? 'native addon not built' : false;
  test(`${mode}: stdin, stdout, stderr and fd 3 are pipes; the exit code comes back`, { skip }, async (t) => {
    if (mode === 'child_process') {
      process.env.BERTH_NO_FAST_SPAWN = '1';
      t.after(() => delete process.env.BERTH_NO_FAST_SPAWN);
    }
    const c = fastSpawn('/bin/sh', ['-c', 'read x; echo "out $x"; echo err >&2; echo three >&3; exit 3'], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['write', 'read', 'read', 'read'],
    });
    const [stdin, stdout, stderr, fd3] = c.streams as [Writable, Readable, Readable, Readable];
    const texts = Promise.all([collect(stdout), collect(stderr), collect(fd3)]);
    stdin.end('hello\n');
    const exit = await c.exited;
    assert.deepEqual(await texts, ['out hello\n', 'err\n', 'three\n']);
    assert.equal(exit.code, 3);
  });
}

test('posix_spawn: a killed child reports its signal; a missing program throws ENOENT; cwd applies', { skip: !native.available && 'native addon not built' }, async () => {
  const c = fastSpawn('/bin/sleep', ['10'], { env: {}, stdio: ['ignore', 'ignore', 'ignore'] });
  c.kill('SIGKILL');
  const exit = await c.exited;
  assert.equal(exit.code, null);
  assert.equal(exit.signal, 9);
  assert.throws(() => fastSpawn('/nonexistent/prog', [], { env: {}, stdio: ['ignore'] }), { code: 'ENOENT' });
  const pwd = fastSpawn('/bin/pwd', [], { env: {}, cwd: '/usr/lib', stdio: ['ignore', 'read'] });
  assert.equal(await collect(pwd.streams[1] as Readable), '/usr/lib\n');
  // Many at once: each exit is reaped and reported to its own waiter.
  const many = Array.from({ length: 20 }, (_, i) => fastSpawn('/bin/sh', ['-c', `exit ${i}`], { env: {}, stdio: ['ignore'] }).exited);
  assert.deepEqual((await Promise.all(many)).map((e) => e.code), Array.from({ length: 20 }, (_, i) => i));
});

test('runCommand finds programs in PATH, collects output, feeds input, and times out', async () => {
  const r = await runCommand('sh', ['-c', 'cat; echo e >&2; exit 2'], { input: 'in\n' });
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, 'in\n', 'e\n']);
  const slow = await runCommand('sleep', ['5'], { timeoutMs: 50 });
  assert.equal(slow.signal, 'SIGTERM');
  await assert.rejects(runCommand('no-such-program-berth', []), { code: 'ENOENT' });
});

test('posix_spawn: the child gets only the listed descriptors, even ones a library opened without close-on-exec', { skip: !native.available && 'native addon not built' }, async (t) => {
  const os = await import('node:os');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const { SeqpacketServer, SeqpacketSocket } = await import('node-unix-socket');
  // node-unix-socket opens its sockets without close-on-exec, as the attach sockets to conmon are.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-spawnfd-'));
  const server = new SeqpacketServer();
  server.listen(path.join(dir, 's'));
  const client = new SeqpacketSocket();
  await new Promise<void>((r) => client.connect(path.join(dir, 's'), () => r()));
  t.after(() => {
    client.destroy();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // What the shell itself has open: its three listed descriptors, and no socket of ours.
  const c = fastSpawn('/bin/sh', ['-c', 'for f in /proc/$$/fd/*; do readlink $f; done'], { env: {}, stdio: ['ignore', 'read', 'ignore'] });
  const links = (await collect(c.streams[1] as Readable)).split('\n').filter(Boolean);
  await c.exited;
  assert.deepEqual(links.filter((l) => l.startsWith('socket:')), [], links.join(', '));
});
