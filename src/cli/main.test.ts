// The CLI's parsing and error paths, run in-process with captured streams (no daemon needed: every
// case fails or finishes before the first request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { runCli } from './main.js';
import type { CliIO } from './context.js';

function io(env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const w = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const stdin = new PassThrough();
  stdin.end();
  const x: CliIO = { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)), stdin, env: { BERTH_HOST: 'unix:///nonexistent/berth-test.sock', ...env }, cwd: '/' };
  return { io: x, out: () => out, err: () => err };
}

test('run --help prints docker-style usage and exits 0', async () => {
  const t = io();
  assert.equal(await runCli(['run', '--help'], t.io), 0);
  assert.match(t.out(), /^Usage:  berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n\nCreate and run a new container from an image\n/);
  assert.match(t.out(), /\n  -h, --hostname string +Container host name\n/);
  assert.match(t.out(), /Aliases:\n  berth container run, berth run\n/);
});

test('help COMMAND and group help', async () => {
  const t = io();
  assert.equal(await runCli(['help', 'ps'], t.io), 0);
  assert.match(t.out(), /^Usage:  berth ps \[OPTIONS\]/);
  const g = io();
  assert.equal(await runCli(['volume'], g.io), 0);
  assert.match(g.out(), /^Usage:  berth volume COMMAND\n\nManage volumes\n\nCommands:\n  create/);
});

test('unknown flags exit 125 with the usage; missing arguments exit 1', async () => {
  const a = io();
  assert.equal(await runCli(['ps', '--bogus'], a.io), 125);
  assert.equal(a.err(), "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  const b = io();
  assert.equal(await runCli(['run', '-z', 'busybox'], b.io), 125);
  assert.match(b.err(), /^unknown shorthand flag: 'z' in -z\n/);
  const c = io();
  assert.equal(await runCli(['run'], c.io), 1);
  assert.match(c.err(), /^berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run \[OPTIONS\] IMAGE/);
  const d = io();
  assert.equal(await runCli(['rename', 'a'], d.io), 1);
  assert.match(d.err(), /'berth rename' requires 2 arguments/);
  const e = io();
  assert.equal(await runCli(['run', '-m', '5x', 'busybox'], e.io), 125);
  assert.match(e.err(), /^invalid argument "5x" for "-m, --memory" flag: invalid suffix: 'x'\n\nUsage:/);
});

test('unknown commands exit 1', async () => {
  const t = io();
  assert.equal(await runCli(['psx'], t.io), 1);
  assert.match(t.err(), /^berth: unknown command: berth psx\n/);
  const g = io();
  assert.equal(await runCli(['container', 'nope'], g.io), 1);
  assert.match(g.err(), /unknown command: berth container nope/);
});

test('an unreachable daemon is reported; run maps it to 125 like docker', async () => {
  const t = io();
  assert.equal(await runCli(['logs', 'x'], t.io), 1);
  assert.match(t.err(), /^Cannot connect to the berth daemon at unix:\/\/\/nonexistent\/berth-test\.sock\. Is the berth daemon running\?\n$/);
  const r = io();
  assert.equal(await runCli(['run', '--rm=true', 'busybox', 'echo', '--rm=false'], r.io), 125);
  assert.match(r.err(), /^berth: Cannot connect to the berth daemon/);
});

test('-H beats BERTH_HOST', async () => {
  const t = io();
  assert.equal(await runCli(['-H', 'unix:///nonexistent/other.sock', 'logs', 'x'], t.io), 1);
  assert.match(t.err(), /other\.sock/);
});
