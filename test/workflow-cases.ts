// The everyday Docker workflow as one table of cases, run by docker-cli-workflow.test.ts with the real
// docker CLI and by berth-cli-workflow.test.ts with bin/berth: the same commands, the same expected
// output and exit codes (Docker's). Cases that test the daemon rather than the CLI (cgroups, restart,
// crash-free state) run with the docker CLI only (`only: 'docker'`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, after } from 'node:test';
import { startDaemon, run, waitFor, sleep, httpGet, hostCgroupFile, BUSYBOX_TAR, type TestDaemon, type RunResult, type RunOptions } from './harness/index.js';

export type CliKind = 'docker' | 'berth';

export interface WorkflowContext {
  kind: CliKind;
  d: TestDaemon;
  /** Runs the CLI under test (docker or berth) against the test daemon. */
  cli(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** The same under a pseudo-terminal (for -t). */
  tty(args: readonly string[], opts?: RunOptions & { rows?: number; cols?: number }): Promise<RunResult>;
  /** A scratch directory for files the case writes. */
  tmp: string;
  /** A container/image/volume name unique to this case and CLI. */
  name(suffix?: string): string;
}

export interface WorkflowCase {
  name: string;
  only?: CliKind;
  /**
   * A behaviour berth promises that Docker does not have (yet): skipped when the suite runs against
   * the reference dockerd. Each says why.
   */
  berthOnly?: string;
  run(c: WorkflowContext): Promise<void>;
}

/** Asserts exit code 0 and returns stdout; on failure the message carries the whole result. */
export function ok(r: RunResult, what = 'command'): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Asserts a given exit code, showing the output when it differs. */
export function exitsWith(r: RunResult, code: number, what = 'command'): void {
  assert.equal(r.code, code, `${what}: expected exit ${code}, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX12 = /^[0-9a-f]{12}$/;

async function runDetached(c: WorkflowContext, name: string, ...rest: string[]): Promise<string> {
  const args = rest.length ? rest : ['busybox', 'sleep', '300'];
  const id = ok(await c.cli(['run', '-d', '--name', name, ...args]), `run -d ${name}`).trim();
  assert.match(id, HEX64, 'run -d prints the full container ID');
  return id;
}

async function inspect(c: WorkflowContext, format: string, target: string, kind?: 'container' | 'image'): Promise<string> {
  const args = ['inspect', ...(kind ? ['--type', kind] : []), '-f', format, target];
  return ok(await c.cli(args), `inspect -f ${format} ${target}`).trim();
}

/** The host-side cgroup v1 file (or v2 file) of a running container's PID. */
export const workflowCases: WorkflowCase[] = [
  {
    name: 'version reports the server API version 1.45 on linux',
    async run(c) {
      const out = ok(await c.cli(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']));
      assert.equal(out.trim(), `${c.d.apiVersion} linux`);
    },
  },
  {
    name: 'import from stdin with --change, then images and inspect show it',
    async run(c) {
      const ref = `${c.name('imp')}:v1`;
      const r = await c.cli(['import', '--change', 'CMD ["echo", "imported"]', '--change', 'ENV IMPORTED=yes', '-', ref], {
        input: fs.readFileSync(BUSYBOX_TAR),
      });
      const id = ok(r, 'import').trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/, 'import prints the image ID');
      assert.equal(await inspect(c, '{{.Id}}', ref, 'image'), id);
      assert.equal(await inspect(c, '{{json .Config.Cmd}}', ref, 'image'), '["echo","imported"]');
      const listed = ok(await c.cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']));
      assert.ok(listed.split('\n').includes(`${ref} ${id.slice(7, 19)}`), `images lists ${ref}:\n${listed}`);
      assert.equal(ok(await c.cli(['run', '--rm', ref])).trim(), 'imported', 'the imported CMD runs');
      assert.equal(ok(await c.cli(['run', '--rm', ref, 'sh', '-c', 'echo $IMPORTED'])).trim(), 'yes');
    },
  },
  {
    name: 'import from a file path',
    async run(c) {
      const ref = `${c.name('impfile')}:latest`;
      ok(await c.cli(['import', BUSYBOX_TAR, ref]), 'import FILE');
      assert.equal(ok(await c.cli(['run', '--rm', ref, 'echo', 'from-file'])).trim(), 'from-file');
    },
  },
  {
    name: 'images: table header, -q IDs, busybox:latest present',
    async run(c) {
      const table = ok(await c.cli(['images']));
      assert.match(table.split('\n')[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
      assert.match(table, /^busybox\s+latest\s+[0-9a-f]{12}\s/m);
      const ids = ok(await c.cli(['images', '-q'])).trim().split('\n');
      for (const id of ids) assert.match(id, HEX12);
    },
  },
  {
    name: 'run prints the command output and exits 0',
    async run(c) {
      const r = await c.cli(['run', '--rm', 'busybox', 'echo', 'hello', 'world']);
      assert.equal(ok(r), 'hello world\n');
    },
  },
  {
    name: 'run without a command uses the image CMD (sh reads stdin with -i)',
    async run(c) {
      const r = await c.cli(['run', '--rm', '-i', 'busybox'], { input: 'echo from-cmd\nexit 4\n' });
      exitsWith(r, 4, 'run -i busybox (CMD sh)');
      assert.equal(r.stdout, 'from-cmd\n');
    },
  },
  {
    name: 'run -d starts a detached container that ps lists as Up',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name);
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.Running}}', name), 'running true');
      const ps = ok(await c.cli(['ps']));
      assert.match(ps.split('\n')[0]!, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
      const row = ps.split('\n').find((l) => l.endsWith(` ${name}`));
      assert.ok(row, `ps lists ${name}:\n${ps}`);
      assert.ok(row.startsWith(id.slice(0, 12)), `row starts with the short ID: ${row}`);
      assert.match(row, /\s"sleep 300"\s/);
      assert.match(row, /\sUp (Less than a second|\d+ seconds?)\s/);
      const q = ok(await c.cli(['ps', '-q', '--no-trunc', '--filter', `name=${name}`])).trim();
      assert.equal(q, id);
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'run -i passes piped stdin through and closes it at EOF',
    async run(c) {
      const r = await c.cli(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'line one\nline two\n' });
      assert.equal(ok(r), 'line one\nline two\ndone\n');
      const big = 'x'.repeat(300 * 1024);
      const wc = await c.cli(['run', '--rm', '-i', 'busybox', 'wc', '-c'], { input: big });
      assert.equal(ok(wc).trim(), String(big.length), '300 KiB through stdin intact');
    },
  },
  {
    name: 'run -t gives the process a real terminal (/dev/pts/N, TERM=xterm)',
    async run(c) {
      // A terminal turns \n into \r\n, and `script` adds its own \r: compare without them.
      const r = await c.tty(['run', '-t', '--rm', 'busybox', 'tty']);
      assert.match(ok(r, 'run -t tty').replace(/\r/g, ''), /^\/dev\/pts\/\d+\n$/);
      const term = await c.tty(['run', '-t', '--rm', 'busybox', 'sh', '-c', 'echo $TERM; [ -t 0 ] && echo stdin-is-tty']);
      assert.equal(ok(term).replace(/\r/g, ''), 'xterm\nstdin-is-tty\n');
      const code = await c.tty(['run', '-t', '--rm', 'busybox', 'sh', '-c', 'exit 6']);
      exitsWith(code, 6, 'run -t exit code');
    },
  },
  {
    name: 'run --rm removes the container after it exits',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['run', '--rm', '--name', name, 'busybox', 'true']));
      // The CLI waits for the removal (wait condition=removed), so it is gone at once.
      const left = ok(await c.cli(['ps', '-a', '-q', '--filter', `name=${name}`]));
      assert.equal(left.trim(), '');
    },
  },
  {
    name: 'run -e sets the environment; PATH and HOSTNAME are there',
    async run(c) {
      const out = ok(await c.cli(['run', '--rm', '-e', 'FOO=bar baz', '-e', 'FROMHOST', 'busybox', 'sh', '-c', 'echo "$FOO|$FROMHOST|$PATH|$HOSTNAME"'], {
        env: { FROMHOST: 'passed-through' },
      }));
      const [foo, fromHost, p, hostname] = out.trim().split('|');
      assert.equal(foo, 'bar baz');
      assert.equal(fromHost, 'passed-through', '-e NAME takes the value from the client environment');
      assert.equal(p, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      assert.match(hostname!, HEX12, 'HOSTNAME is the short container ID');
    },
  },
  {
    name: 'run -w sets (and creates) the working directory',
    async run(c) {
      assert.equal(ok(await c.cli(['run', '--rm', '-w', '/tmp', 'busybox', 'pwd'])), '/tmp\n');
      assert.equal(ok(await c.cli(['run', '--rm', '-w', '/made/by/docker', 'busybox', 'pwd'])), '/made/by/docker\n');
    },
  },
  {
    name: 'run -u runs as a named user or uid:gid',
    async run(c) {
      assert.equal(ok(await c.cli(['run', '--rm', '-u', 'nobody', 'busybox', 'id', '-u'])), '65534\n');
      assert.equal(ok(await c.cli(['run', '--rm', '-u', '1234:5678', 'busybox', 'sh', '-c', 'echo $(id -u):$(id -g)'])), '1234:5678\n');
      const bad = await c.cli(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true']);
      assert.notEqual(bad.code, 0, 'an unknown user name is an error');
      assert.match(bad.stderr, /nosuchuser/);
    },
  },
  {
    name: 'run --entrypoint replaces the entrypoint; arguments follow it',
    async run(c) {
      assert.equal(ok(await c.cli(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint'])), 'via entrypoint\n');
      assert.equal(ok(await c.cli(['run', '--rm', '--entrypoint', '/bin/sh', 'busybox', '-c', 'echo $0'])), '/bin/sh\n');
    },
  },
  {
    name: 'exit codes pass through; 127 for a missing command; 126 for a non-executable',
    async run(c) {
      exitsWith(await c.cli(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']), 3, "sh -c 'exit 3'");
      const missing = await c.cli(['run', '--rm', 'busybox', 'no-such-command']);
      exitsWith(missing, 127, 'missing command');
      assert.match(missing.stderr, /no-such-command/);
      assert.match(missing.stderr, /not found|no such file/i);
      const notExec = await c.cli(['run', '--rm', 'busybox', '/etc/passwd']);
      exitsWith(notExec, 126, 'non-executable command');
      assert.match(notExec.stderr, /permission denied/i);
    },
  },
  {
    name: 'a missing image exits 125',
    async run(c) {
      const r = await c.cli(['run', '--rm', '--pull', 'never', 'no-such-image:v9']);
      exitsWith(r, 125, 'missing image with --pull never');
      assert.match(r.stderr, /No such image: no-such-image:v9/);
      // Without --pull never the CLI tries to pull; with no registry that fails too, still 125.
      const pulled = await c.cli(['run', '--rm', 'no-such-image:v9'], { timeout: 60_000 });
      exitsWith(pulled, 125, 'missing image, pull attempted');
    },
  },
  {
    name: 'ps -a shows exited containers with their exit code',
    async run(c) {
      const name = c.name();
      exitsWith(await c.cli(['run', '--name', name, 'busybox', 'sh', '-c', 'exit 3']), 3);
      assert.equal(ok(await c.cli(['ps', '-q', '--filter', `name=${name}`])).trim(), '', 'ps hides exited containers');
      const all = ok(await c.cli(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}|{{.Status}}|{{.Command}}|{{.Image}}']));
      assert.match(all.trim(), new RegExp(`^${name}\\|Exited \\(3\\) (Less than a second|\\d+ seconds?) ago\\|"sh -c 'exit 3'"\\|busybox$`));
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.ExitCode}}', name), 'exited 3');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'logs: stdout and stderr apart, --tail, -t timestamps',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['run', '--name', name, 'busybox', 'sh', '-c', 'echo out1; echo err1 >&2; seq 1 5']));
      const logs = await c.cli(['logs', name]);
      assert.equal(ok(logs), 'out1\n1\n2\n3\n4\n5\n');
      assert.equal(logs.stderr, 'err1\n');
      assert.equal(ok(await c.cli(['logs', '--tail', '2', name])), '4\n5\n');
      const stamped = ok(await c.cli(['logs', '-t', '--tail', '1', name]));
      assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z 5\n$/);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'logs -f follows until the container exits',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, 'busybox', 'sh', '-c', 'echo first; sleep 1; echo second');
      const t0 = Date.now();
      const r = await c.cli(['logs', '-f', name], { timeout: 20_000 });
      assert.equal(ok(r), 'first\nsecond\n');
      assert.ok(Date.now() - t0 < 15_000);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'inspect -f templates: status, name, hostname, image, exit code',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name, '--hostname', 'myhost', '-l', 'team=berth', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{.State.Status}}', name), 'running');
      assert.equal(await inspect(c, '{{.Name}}', name), `/${name}`);
      assert.equal(await inspect(c, '{{.Id}}', id.slice(0, 12)), id, 'inspect by ID prefix');
      assert.equal(await inspect(c, '{{.Config.Hostname}}', name), 'myhost');
      assert.equal(await inspect(c, '{{.Config.Image}}', name), 'busybox');
      assert.equal(await inspect(c, '{{index .Config.Labels "team"}}', name), 'berth');
      assert.equal(ok(await c.cli(['exec', name, 'hostname'])), 'myhost\n');
      const all = JSON.parse(ok(await c.cli(['inspect', name])));
      assert.ok(Array.isArray(all) && all.length === 1 && all[0].Id === id, 'plain inspect prints a JSON array');
      const missing = await c.cli(['inspect', 'no-such-thing-at-all']);
      exitsWith(missing, 1, 'inspect of a missing object');
      assert.match(missing.stderr, /No such object: no-such-thing-at-all/);
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'the default hostname is the short container ID',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name);
      assert.equal(ok(await c.cli(['exec', name, 'hostname'])), `${id.slice(0, 12)}\n`);
      assert.match(ok(await c.cli(['exec', name, 'cat', '/etc/hosts'])), new RegExp(id.slice(0, 12)));
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'exec: output, exit code, -i stdin, -e, -w, -u; not running is refused',
    async run(c) {
      const name = c.name();
      await runDetached(c, name);
      assert.equal(ok(await c.cli(['exec', name, 'echo', 'in', 'exec'])), 'in exec\n');
      exitsWith(await c.cli(['exec', name, 'sh', '-c', 'exit 5']), 5, 'exec exit code');
      assert.equal(ok(await c.cli(['exec', '-i', name, 'sh', '-c', 'tr a-z A-Z'], { input: 'shout\n' })), 'SHOUT\n');
      assert.equal(ok(await c.cli(['exec', '-e', 'V=1', '-w', '/tmp', '-u', 'nobody', name, 'sh', '-c', 'echo $V $(pwd) $(id -u)'])), '1 /tmp 65534\n');
      // dockerd reports every exec start failure as 126 (the CLI maps 127 only for `run`); 127 is
      // accepted too, as the code a shell would give.
      const missing = await c.cli(['exec', name, 'no-such-command']);
      assert.ok([126, 127].includes(missing.code), `exec of a missing command: exit ${missing.code}\n${missing.stdout}${missing.stderr}`);
      assert.match(missing.stdout + missing.stderr, /no-such-command.*(not found|no such file)/i);
      const tty = await c.tty(['exec', '-t', name, 'tty']);
      assert.match(ok(tty, 'exec -t tty').replace(/\r/g, ''), /^\/dev\/pts\/\d+\n$/);
      ok(await c.cli(['kill', name]));
      const stopped = await c.cli(['exec', name, 'true']);
      assert.notEqual(stopped.code, 0);
      assert.match(stopped.stderr, /is not running/);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'stop, start, kill, restart and their states',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name);
      const t0 = Date.now();
      // sleep as PID 1 ignores SIGTERM, so stop -t 1 ends with SIGKILL after one second: 137.
      assert.equal(ok(await c.cli(['stop', '-t', '1', name])).trim(), name);
      assert.ok(Date.now() - t0 < 10_000, 'stop -t 1 does not wait the default 10 s');
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.ExitCode}}', name), 'exited 137');
      assert.equal(ok(await c.cli(['start', name])).trim(), name);
      assert.equal(await inspect(c, '{{.State.Status}}', name), 'running');
      assert.equal(ok(await c.cli(['kill', name])).trim(), name);
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.ExitCode}}', name), 'exited 137');
      ok(await c.cli(['start', name]));
      const pid1 = await inspect(c, '{{.State.Pid}}', name);
      ok(await c.cli(['restart', '-t', '0', name]));
      const pid2 = await inspect(c, '{{.State.Pid}}', name);
      assert.notEqual(pid1, pid2, 'restart runs a new process');
      assert.equal(await inspect(c, '{{.State.Running}}', id), 'true');
      // A shell that traps TERM stops at once with its own exit code.
      const trap = c.name('trap');
      await runDetached(c, trap, 'busybox', 'sh', '-c', "trap 'exit 42' TERM; while true; do sleep 0.1; done");
      ok(await c.cli(['stop', trap]));
      assert.equal(await inspect(c, '{{.State.ExitCode}}', trap), '42');
      ok(await c.cli(['rm', '-f', name, trap]));
    },
  },
  {
    name: 'kill -s sends the given signal',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, 'busybox', 'sh', '-c', "trap 'echo got-usr1; exit 9' USR1; while true; do sleep 0.1; done");
      ok(await c.cli(['kill', '-s', 'USR1', name]));
      await waitFor('container to exit', async () => (await inspect(c, '{{.State.Status}}', name)) === 'exited');
      assert.equal(await inspect(c, '{{.State.ExitCode}}', name), '9');
      assert.equal(ok(await c.cli(['logs', name])), 'got-usr1\n');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'rm of a running container fails with exit 1 and Docker\'s message; rm -f works',
    async run(c) {
      const name = c.name();
      await runDetached(c, name);
      const r = await c.cli(['rm', name]);
      exitsWith(r, 1, 'rm of a running container');
      // Docker 25+ words it so; 20.10 said "You cannot remove a running container ID. Stop the container
      // before attempting removal or force remove". Either is Docker's message.
      assert.match(r.stderr, /Error response from daemon: (cannot remove container "\/[\w.-]+": container is running: stop the container before removing or force remove|You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove)/);
      assert.equal(ok(await c.cli(['rm', '-f', name])).trim(), name);
      const gone = await c.cli(['inspect', '--type', 'container', name]);
      exitsWith(gone, 1);
      assert.match(gone.stderr, new RegExp(`No such container: ${name}`));
    },
  },
  {
    name: 'a second container with the same name is a conflict (125)',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name);
      const r = await c.cli(['run', '-d', '--name', name, 'busybox', 'true']);
      exitsWith(r, 125, 'name conflict');
      assert.match(r.stderr, new RegExp(`Conflict\\. The container name "/${name}" is already in use by container "${id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.`));
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'tag and rmi: tags share the image ID; rmi untags; a used image is a conflict',
    async run(c) {
      const ref = `${c.name('tag')}:v1`;
      const busyboxId = await inspect(c, '{{.Id}}', 'busybox', 'image');
      ok(await c.cli(['tag', 'busybox', ref]));
      assert.equal(await inspect(c, '{{.Id}}', ref, 'image'), busyboxId);
      assert.ok((await inspect(c, '{{json .RepoTags}}', 'busybox', 'image')).includes(ref));
      const rmi = ok(await c.cli(['rmi', ref]));
      assert.equal(rmi.trim(), `Untagged: ${ref}`);
      assert.equal(await inspect(c, '{{.Id}}', 'busybox', 'image'), busyboxId, 'busybox survives');
      const gone = await c.cli(['rmi', ref]);
      exitsWith(gone, 1);
      assert.match(gone.stderr, new RegExp(`No such image: ${ref}`));
      // An image whose only tag is used by a container cannot go without -f.
      const solo = `${c.name('solo')}:v1`;
      ok(await c.cli(['import', '--change', 'LABEL solo=1', BUSYBOX_TAR, solo]));
      const user = c.name('user');
      ok(await c.cli(['create', '--name', user, solo, 'true']));
      const conflict = await c.cli(['rmi', solo]);
      exitsWith(conflict, 1, 'rmi of an image in use');
      assert.match(conflict.stderr, /conflict: unable to (remove|delete)/);
      ok(await c.cli(['rm', user]));
      assert.match(ok(await c.cli(['rmi', solo])), /Deleted: sha256:[0-9a-f]{64}/);
    },
  },
  {
    name: 'history of an imported image',
    async run(c) {
      const table = ok(await c.cli(['history', 'busybox']));
      assert.match(table.split('\n')[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
      assert.match(table, /Imported from -/);
      const ids = ok(await c.cli(['history', '-q', '--no-trunc', 'busybox'])).trim().split('\n');
      assert.equal(ids[0], await inspect(c, '{{.Id}}', 'busybox', 'image'));
    },
  },
  {
    name: 'save, rmi, then load into the same daemon gives the same image back',
    async run(c) {
      const ref = `${c.name('saved')}:v1`;
      const id = ok(await c.cli(['import', '--change', `LABEL saved=${c.kind}`, '--change', 'CMD ["echo", "reloaded"]', BUSYBOX_TAR, ref])).trim();
      const file = path.join(c.tmp, 'saved.tar');
      ok(await c.cli(['save', '-o', file, ref]), 'save -o');
      const listing = await run('tar', ['-tf', file]);
      assert.ok(listing.stdout.split('\n').includes('manifest.json'), `docker-archive has manifest.json:\n${listing.stdout}`);
      ok(await c.cli(['rmi', ref]));
      exitsWith(await c.cli(['image', 'inspect', ref]), 1, 'image gone after rmi');
      const loaded = ok(await c.cli(['load', '-i', file]), 'load -i');
      assert.match(loaded, new RegExp(`Loaded image: ${ref.replace(/[.]/g, '\\.')}`));
      assert.equal(await inspect(c, '{{.Id}}', ref, 'image'), id, 'same image ID after the round trip');
      assert.equal(ok(await c.cli(['run', '--rm', ref])), 'reloaded\n');
      // And through pipes: save to stdout, load from stdin.
      const saved = await c.cli(['save', ref]);
      ok(saved, 'save to stdout');
      ok(await c.cli(['rmi', ref]));
      assert.match(ok(await c.cli(['load'], { input: saved.stdoutBytes })), /Loaded image: /);
      assert.equal(await inspect(c, '{{.Id}}', ref, 'image'), id);
    },
  },
  {
    name: 'events reports a container start (bounded with --since/--until)',
    async run(c) {
      const name = c.name();
      const since = Math.floor(Date.now() / 1000) - 1;
      ok(await c.cli(['run', '--rm', '--name', name, 'busybox', 'true']));
      const until = Math.floor(Date.now() / 1000) + 1;
      const r = await c.cli(['events', '--since', String(since), '--until', String(until), '--filter', `container=${name}`, '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'], { timeout: 20_000 });
      const lines = ok(r, 'events').trim().split('\n');
      for (const action of ['create', 'start', 'die', 'destroy']) {
        assert.ok(lines.includes(`container ${action} ${name}`), `events include ${action}:\n${lines.join('\n')}`);
      }
      assert.ok(lines.indexOf(`container create ${name}`) < lines.indexOf(`container start ${name}`), 'create comes before start');
    },
  },
  {
    name: 'volumes: a named volume persists across containers; volume ls/inspect/rm',
    async run(c) {
      const vol = c.name('vol');
      ok(await c.cli(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'sh', '-c', 'echo persisted > /data/f']));
      assert.equal(ok(await c.cli(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'cat', '/data/f'])), 'persisted\n');
      assert.ok(ok(await c.cli(['volume', 'ls', '-q'])).split('\n').includes(vol));
      assert.equal(await inspect(c, '{{.Driver}}', vol), 'local');
      const inUse = c.name('inuse');
      ok(await c.cli(['create', '--name', inUse, '-v', `${vol}:/data`, 'busybox', 'true']));
      const busy = await c.cli(['volume', 'rm', vol]);
      exitsWith(busy, 1, 'volume rm while in use');
      assert.match(busy.stderr, /volume is in use/);
      ok(await c.cli(['rm', inUse]));
      assert.equal(ok(await c.cli(['volume', 'rm', vol])).trim(), vol);
      assert.ok(!ok(await c.cli(['volume', 'ls', '-q'])).split('\n').includes(vol));
      // A fresh volume of the same name is empty again.
      exitsWith(await c.cli(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'test', '-e', '/data/f']), 1);
      ok(await c.cli(['volume', 'rm', vol]));
    },
  },
  {
    name: 'bind mounts: -v HOST:CTR reads and writes; :ro refuses writes',
    async run(c) {
      const dir = fs.mkdtempSync(path.join(c.tmp, 'bind-'));
      fs.writeFileSync(path.join(dir, 'in'), 'from host\n');
      assert.equal(ok(await c.cli(['run', '--rm', '-v', `${dir}:/mnt`, 'busybox', 'sh', '-c', 'cat /mnt/in; echo from ctr > /mnt/out'])), 'from host\n');
      assert.equal(fs.readFileSync(path.join(dir, 'out'), 'utf8'), 'from ctr\n');
      const ro = await c.cli(['run', '--rm', '-v', `${dir}:/mnt:ro`, 'busybox', 'sh', '-c', 'echo x > /mnt/nope']);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
    },
  },
  {
    name: 'cp into and out of a container',
    async run(c) {
      const name = c.name();
      await runDetached(c, name);
      const src = path.join(c.tmp, 'cp-in.txt');
      fs.writeFileSync(src, 'copied in\n');
      ok(await c.cli(['cp', src, `${name}:/tmp/`]), 'cp in');
      assert.equal(ok(await c.cli(['exec', name, 'cat', '/tmp/cp-in.txt'])), 'copied in\n');
      ok(await c.cli(['exec', name, 'sh', '-c', 'mkdir -p /out/sub && echo copied out > /out/sub/f']));
      const dest = fs.mkdtempSync(path.join(c.tmp, 'cp-out-'));
      ok(await c.cli(['cp', `${name}:/out`, dest]), 'cp out (directory)');
      assert.equal(fs.readFileSync(path.join(dest, 'out', 'sub', 'f'), 'utf8'), 'copied out\n');
      ok(await c.cli(['cp', `${name}:/etc/passwd`, path.join(dest, 'passwd')]), 'cp out (file)');
      assert.match(fs.readFileSync(path.join(dest, 'passwd'), 'utf8'), /^root:x:0:0:/);
      const missing = await c.cli(['cp', `${name}:/no/such/path`, dest]);
      assert.notEqual(missing.code, 0);
      // (Docker 28's client words the 404 so; 20.10's says "No such container:path: NAME:/no/such/path".)
      assert.match(missing.stderr, /Could not find the file \/no\/such\/path in container|No such container:path: [\w-]+:\/no\/such\/path/);
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'cp into a created container before its start: the started process sees the files',
    async run(c) {
      // The common create / cp / start pattern (berthd stages a new container's run right after the
      // create; a cp into it must not be missed by the process that starts).
      const name = c.name();
      ok(await c.cli(['create', '--name', name, 'busybox', 'sh', '-c', 'cat /app/conf.txt /etc/added.txt']));
      const dir = fs.mkdtempSync(path.join(c.tmp, 'cp-created-'));
      fs.mkdirSync(path.join(dir, 'app'));
      fs.writeFileSync(path.join(dir, 'app', 'conf.txt'), 'conf from the host\n');
      fs.writeFileSync(path.join(dir, 'added.txt'), 'added to /etc\n');
      ok(await c.cli(['cp', path.join(dir, 'app'), `${name}:/app`]), 'cp a directory in');
      ok(await c.cli(['cp', path.join(dir, 'added.txt'), `${name}:/etc/added.txt`]), 'cp a file in');
      const out = ok(await c.cli(['start', '-a', name]), 'start -a');
      assert.equal(out, 'conf from the host\nadded to /etc\n');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'export writes the container filesystem as a tar',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['create', '--name', name, 'busybox']));
      const file = path.join(c.tmp, 'export.tar');
      ok(await c.cli(['export', '-o', file, name]), 'export -o');
      const names = (await run('tar', ['-tf', file])).stdout.split('\n').map((n) => n.replace(/^\.\//, ''));
      assert.ok(names.includes('bin/busybox'), 'export has bin/busybox');
      assert.ok(names.includes('etc/passwd'));
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'create then start -a; wait prints the exit code',
    async run(c) {
      const name = c.name();
      const id = ok(await c.cli(['create', '--name', name, 'busybox', 'sh', '-c', 'echo created-then-started; exit 2'])).trim();
      assert.match(id, HEX64);
      assert.equal(await inspect(c, '{{.State.Status}}', name), 'created');
      const ps = ok(await c.cli(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}']));
      assert.equal(ps.trim(), 'Created');
      const started = await c.cli(['start', '-a', name]);
      exitsWith(started, 2, 'start -a');
      assert.equal(started.stdout, 'created-then-started\n');
      assert.equal(ok(await c.cli(['wait', name])), '2\n');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'events reports image tag and untag (filtered by type)',
    async run(c) {
      const ref = `${c.name('evimg')}:v1`;
      const since = Math.floor(Date.now() / 1000) - 1;
      ok(await c.cli(['tag', 'busybox', ref]));
      ok(await c.cli(['rmi', ref]));
      const until = Math.floor(Date.now() / 1000) + 1;
      const r = await c.cli(['events', '--since', String(since), '--until', String(until), '--filter', 'type=image', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'], { timeout: 20_000 });
      const lines = ok(r, 'events').trim().split('\n');
      const fq = `docker.io/library/${ref}`;
      assert.ok(lines.some((l) => l === `image tag ${ref}` || l === `image tag ${fq}`), `a tag event for ${ref}:\n${lines.join('\n')}`);
      assert.ok(lines.some((l) => l.startsWith('image untag ')), `an untag event:\n${lines.join('\n')}`);
      assert.ok(lines.every((l) => l.startsWith('image ')), 'the type filter keeps container events out');
    },
  },
  {
    name: 'logs --since and --until select by time',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['run', '--name', name, 'busybox', 'sh', '-c', 'echo early; sleep 2; echo late']));
      const stamped = ok(await c.cli(['logs', '-t', name])).trim().split('\n');
      assert.equal(stamped.length, 2);
      const lateAt = Date.parse(stamped[1]!.split(' ')[0]!);
      const mid = new Date(lateAt - 1000).toISOString();
      assert.equal(ok(await c.cli(['logs', '--since', mid, name])), 'late\n');
      assert.equal(ok(await c.cli(['logs', '--until', mid, name])), 'early\n');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'info answers with the server facts the CLI prints',
    async run(c) {
      const info = ok(await c.cli(['info']));
      assert.match(info, /Server Version:/);
      assert.match(info, /Operating System:/);
      const f = ok(await c.cli(['info', '--format', '{{.OSType}} {{.Architecture}} {{.NCPU}}']));
      assert.match(f.trim(), /^linux x86_64 \d+$/);
      const counts = ok(await c.cli(['info', '--format', '{{.Images}}']));
      assert.ok(Number(counts) >= 1, 'at least busybox is counted');
    },
  },
  {
    name: 'ps filters (status, label, name) and table formats',
    async run(c) {
      const label = `ps=${c.kind}-${c.name()}`;
      const up = c.name('up');
      await runDetached(c, up, '-l', label, 'busybox', 'sleep', '300');
      const down = c.name('down');
      exitsWith(await c.cli(['run', '--name', down, '-l', label, 'busybox', 'sh', '-c', 'exit 1']), 1);
      const byStatus = ok(await c.cli(['ps', '-a', '--filter', `label=${label}`, '--filter', 'status=exited', '--format', '{{.Names}}']));
      assert.equal(byStatus.trim(), down);
      const byLabel = ok(await c.cli(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}'])).trim().split('\n').sort();
      assert.deepEqual(byLabel, [down, up].sort());
      const table = ok(await c.cli(['ps', '-a', '--filter', `label=${label}`, '--format', 'table {{.Names}}\t{{.Status}}'])).split('\n');
      assert.match(table[0]!, /^NAMES\s+STATUS$/);
      assert.equal(table.filter(Boolean).length, 3);
      const json = ok(await c.cli(['ps', '--filter', `name=${up}`, '--format', '{{json .Labels}}']));
      assert.ok(json.includes(label.split('=')[1]!), json);
      ok(await c.cli(['rm', '-f', up, down]));
    },
  },
  {
    name: 'an anonymous volume is created for -v /path and removed with rm -v',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['run', '--name', name, '-v', '/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']));
      const vol = await inspect(c, '{{range .Mounts}}{{.Name}}{{end}}', name);
      assert.match(vol, HEX64, 'an anonymous volume has a 64-hex name');
      assert.ok(ok(await c.cli(['volume', 'ls', '-q'])).split('\n').includes(vol));
      ok(await c.cli(['rm', '-v', name]));
      assert.ok(!ok(await c.cli(['volume', 'ls', '-q'])).split('\n').includes(vol), 'rm -v removed it');
    },
  },
  {
    name: '--init runs an init as PID 1, so stop of a TERM-ignoring process is quick',
    async run(c) {
      const ps = ok(await c.cli(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']));
      const pid1 = ps.split('\n').find((l) => /^\s*1\s/.test(l));
      assert.ok(pid1 && !/\sps$/.test(pid1), `PID 1 is an init, not the command:\n${ps}`);
      const name = c.name();
      await runDetached(c, name, '--init', 'busybox', 'sleep', '300');
      const t0 = Date.now();
      ok(await c.cli(['stop', name]));
      assert.ok(Date.now() - t0 < 5000, `stop with --init took ${Date.now() - t0} ms (the init forwards TERM)`);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: '--read-only, --cap-drop and --cap-add change what the process may do',
    async run(c) {
      const ro = await c.cli(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
      // Docker's default capability set is 0xa80425fb; dropping CHOWN clears bit 0, NET_ADMIN is bit 12.
      const caps = (args: string[]) => c.cli(['run', '--rm', ...args, 'busybox', 'sh', '-c', 'grep CapBnd /proc/self/status']);
      assert.match(ok(await caps([])), /CapBnd:\s+00000000a80425fb/);
      assert.match(ok(await caps(['--cap-drop', 'CHOWN'])), /CapBnd:\s+00000000a80425fa/);
      assert.match(ok(await caps(['--cap-add', 'NET_ADMIN'])), /CapBnd:\s+00000000a80435fb/);
      const chown = await c.cli(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'chown', 'nobody', '/tmp']);
      assert.notEqual(chown.code, 0);
      assert.match(chown.stderr, /Operation not permitted/);
    },
  },
  {
    name: '--stop-timeout and --stop-signal shape stop',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, '--stop-timeout', '1', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{.Config.StopTimeout}}', name), '1');
      const t0 = Date.now();
      ok(await c.cli(['stop', name]));
      const took = Date.now() - t0;
      assert.ok(took >= 900 && took < 6000, `stop waited the container's 1 s timeout, took ${took} ms`);
      const sig = c.name('sig');
      await runDetached(c, sig, '--stop-signal', 'USR1', 'busybox', 'sh', '-c', "trap 'exit 11' USR1; while true; do sleep 0.1; done");
      assert.equal(await inspect(c, '{{.Config.StopSignal}}', sig), 'USR1');
      ok(await c.cli(['stop', sig]));
      assert.equal(await inspect(c, '{{.State.ExitCode}}', sig), '11');
      ok(await c.cli(['rm', name, sig]));
    },
  },
  {
    name: '--env-file reads KEY=value lines and skips comments',
    async run(c) {
      const file = path.join(c.tmp, `${c.name('envfile')}.env`);
      fs.writeFileSync(file, '# a comment\nA=1\nB=two words\n\nFROMHOST\n');
      const out = ok(await c.cli(['run', '--rm', '--env-file', file, 'busybox', 'sh', '-c', 'echo "$A|$B|$FROMHOST"'], { env: { FROMHOST: 'host-value' } }));
      assert.equal(out, '1|two words|host-value\n');
    },
  },
  {
    name: '--log-opt max-size/max-file bound the log; logs still reads the latest lines',
    async run(c) {
      const name = c.name();
      ok(await c.cli(['run', '--name', name, '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'for i in $(seq 1 400); do echo "line $i of the rotation test"; done']));
      const logs = ok(await c.cli(['logs', name]));
      const lines = logs.trim().split('\n');
      assert.equal(lines.at(-1), 'line 400 of the rotation test', 'the newest line is kept');
      assert.ok(lines.length < 400, `old lines were rotated away (${lines.length} kept)`);
      assert.ok(lines.length >= 20, `more than one file's worth is read across rotations (${lines.length} kept)`);
      for (let i = 1; i < lines.length; i++) {
        const [a, b] = [Number(lines[i - 1]!.split(' ')[1]), Number(lines[i]!.split(' ')[1])];
        assert.equal(b, a + 1, `lines are contiguous and in order across rotated files (${lines[i - 1]} / ${lines[i]})`);
      }
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'top, rename and diff',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, 'busybox', 'sh', '-c', 'touch /added; rm /etc/group; echo x >> /etc/passwd; exec sleep 300');
      await waitFor('the changes', async () => ok(await c.cli(['diff', name])).includes('A /added'));
      const top = ok(await c.cli(['top', name]));
      assert.match(top.split('\n')[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      assert.match(top, /sleep 300/);
      const diff = ok(await c.cli(['diff', name])).trim().split('\n');
      for (const line of ['A /added', 'D /etc/group', 'C /etc/passwd', 'C /etc']) assert.ok(diff.includes(line), `diff has "${line}":\n${diff.join('\n')}`);
      const renamed = c.name('renamed');
      ok(await c.cli(['rename', name, renamed]));
      assert.equal(await inspect(c, '{{.Name}}', renamed), `/${renamed}`);
      exitsWith(await c.cli(['inspect', '--type', 'container', name]), 1, 'the old name is gone');
      ok(await c.cli(['rm', '-f', renamed]));
    },
  },
  {
    name: 'attach to a running container: stdin in, output and exit code out',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, '-i', 'busybox', 'sh', '-c', 'while read l; do [ "$l" = quit ] && exit 3; echo "got $l"; done');
      const r = await c.cli(['attach', name], { input: 'one\ntwo\nquit\n', timeout: 20_000 });
      exitsWith(r, 3, 'attach returns the exit code');
      // The CLI may exit on the exit code before the last output is relayed (dockerd 20.10 does):
      // the log is the record of what the attached stdin made the process say.
      assert.equal(ok(await c.cli(['logs', name])), 'got one\ngot two\n');
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'run -t takes the terminal size from the client, and exec -t too',
    async run(c) {
      // The size arrives by a resize call just after the start (as in Docker): poll for it briefly.
      const size = 'for i in $(seq 1 30); do s=$(stty size 2>/dev/null); [ -n "$s" ] && [ "$s" != "0 0" ] && break; sleep 0.1; done; echo $s';
      const r = await c.tty(['run', '-t', '--rm', 'busybox', 'sh', '-c', size], { rows: 37, cols: 101 });
      assert.equal(ok(r).replace(/\r/g, '').trim(), '37 101');
      const name = c.name();
      await runDetached(c, name);
      const e = await c.tty(['exec', '-t', name, 'sh', '-c', size], { rows: 24, cols: 77 });
      assert.equal(ok(e).replace(/\r/g, '').trim(), '24 77');
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'container prune removes stopped containers only',
    async run(c) {
      const stopped = c.name('stopped');
      ok(await c.cli(['create', '--name', stopped, '-l', `prune=${c.kind}`, 'busybox', 'true']));
      const running = c.name('running');
      await runDetached(c, running, '-l', `prune=${c.kind}`, 'busybox', 'sleep', '300');
      const r = ok(await c.cli(['container', 'prune', '-f', '--filter', `label=prune=${c.kind}`]));
      assert.match(r, /Deleted Containers:/);
      assert.match(r, /Total reclaimed space:/);
      exitsWith(await c.cli(['inspect', '--type', 'container', stopped]), 1, 'the stopped one is gone');
      assert.equal(await inspect(c, '{{.State.Running}}', running), 'true');
      ok(await c.cli(['rm', '-f', running]));
    },
  },
  {
    name: 'networking: the default bridge (eth0, a route out), -p onto 127.0.0.1 with port and ps PORTS; none is loopback only; host shares',
    async run(c) {
      const addr = ok(await c.cli(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; ip route']));
      assert.match(addr, /eth0\s+inet \d+\.\d+\.\d+\.\d+\/\d+/);
      assert.match(addr, /^default via \d+\.\d+\.\d+\.\d+ dev eth0/m);
      const links = ok(await c.cli(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']));
      assert.deepEqual(links.trim().split('\n').map((l) => l.split(':')[1]!.trim()), ['lo']);
      // Docker's none network has lo up (runc brings it up in every new network namespace).
      assert.match(links, /<LOOPBACK,UP/);
      const host = ok(await c.cli(['run', '--rm', '--network', 'host', 'busybox', 'hostname']));
      assert.equal(host.trim(), os.hostname());
      // busybox httpd serves the container's own /etc: /hostname names the container.
      const name = c.name();
      const id = await runDetached(c, name, '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc');
      const mapped = ok(await c.cli(['port', name, '80/tcp'])).trim();
      const m = /^127\.0\.0\.1:(\d+)$/.exec(mapped);
      assert.ok(m, `port prints the binding: ${mapped}`);
      const ports = ok(await c.cli(['ps', '--filter', `name=${name}`, '--format', '{{.Ports}}'])).trim();
      assert.equal(ports, `127.0.0.1:${m[1]}->80/tcp`);
      const page = await httpGet('127.0.0.1', Number(m[1]), '/hostname');
      assert.equal(page.trim(), id.slice(0, 12));
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'network create, ls, inspect, connect, disconnect, rm and prune; containers on one network reach each other by name',
    async run(c) {
      const net = `${c.name()}-net`;
      const id = ok(await c.cli(['network', 'create', '--label', 'wf=1', net])).trim();
      assert.match(id, HEX64);
      assert.equal(ok(await c.cli(['network', 'ls', '--filter', 'label=wf=1', '--format', '{{.Name}} {{.Driver}}'])).trim(), `${net} bridge`);
      assert.equal(ok(await c.cli(['network', 'ls', '-q', '--filter', `name=${net}`])).trim(), id.slice(0, 12));
      assert.equal(ok(await c.cli(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Internal}}', net])).trim(), `${net} bridge false`);
      const srv = c.name();
      await runDetached(c, srv, '--network', net, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc');
      const page = ok(await c.cli(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', `printf "GET /hostname HTTP/1.0\\r\\n\\r\\n" | nc -w 3 ${srv} 80 | tail -1`]));
      assert.match(page, /^[0-9a-f]{12}$/m, 'reached by name');
      const other = c.name();
      await runDetached(c, other, 'busybox', 'sleep', '300');
      ok(await c.cli(['network', 'connect', net, other]));
      assert.match(await inspect(c, '{{json .NetworkSettings.Networks}}', other), new RegExp(`"${net}"`));
      ok(await c.cli(['network', 'disconnect', net, other]));
      assert.doesNotMatch(await inspect(c, '{{json .NetworkSettings.Networks}}', other), new RegExp(`"${net}"`));
      const busy = await c.cli(['network', 'rm', net]);
      exitsWith(busy, 1, 'rm of a network in use');
      assert.match(busy.stderr, /active endpoints/);
      ok(await c.cli(['rm', '-f', srv, other]));
      assert.equal(ok(await c.cli(['network', 'rm', net])).trim(), net);
      const again = ok(await c.cli(['network', 'create', `${net}-2`])).trim();
      const pruned = ok(await c.cli(['network', 'prune', '-f', '--filter', 'until=1h']));
      assert.doesNotMatch(pruned, new RegExp(`${net}-2`), 'until=1h keeps a network made just now');
      ok(await c.cli(['network', 'prune', '-f']));
      exitsWith(await c.cli(['network', 'inspect', again]), 1, 'pruned');
    },
  },
  {
    name: 'update: -m, --cpus and --pids-limit of a running container apply at once and stay in inspect; --restart takes effect; a removed container is refused',
    async run(c) {
      const name = c.name();
      // Runs until /tmp/x exists (an exit the test can cause: PID 1 ignores signals it does not handle).
      await runDetached(c, name, '-m', '64m', 'busybox', 'sh', '-c', 'while [ ! -e /tmp/x ]; do sleep 0.1; done');
      const pid = Number(await inspect(c, '{{.State.Pid}}', name));
      ok(await c.cli(['update', '-m', '96m', '--cpus', '0.5', '--pids-limit', '40', name]));
      assert.equal(await inspect(c, '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}', name), `${96 * 1024 * 1024} 500000000 40`);
      const mem = hostCgroupFile(pid, { controller: 'memory', file: 'memory.limit_in_bytes' }, 'memory.max');
      assert.equal(fs.readFileSync(mem, 'utf8').trim(), String(96 * 1024 * 1024), 'the memory limit changed at once');
      const quota = hostCgroupFile(pid, { controller: 'cpu', file: 'cpu.cfs_quota_us' }, 'cpu.max');
      assert.match(fs.readFileSync(quota, 'utf8').trim(), /^50000\b/);
      const pids = hostCgroupFile(pid, { controller: 'pids', file: 'pids.max' }, 'pids.max');
      assert.equal(fs.readFileSync(pids, 'utf8').trim(), '40');
      ok(await c.cli(['update', '--restart', 'always', name]));
      assert.equal(await inspect(c, '{{.HostConfig.RestartPolicy.Name}}', name), 'always');
      ok(await c.cli(['exec', name, 'touch', '/tmp/x']));
      await waitFor('a restart by the updated policy', async () => (Number(await inspect(c, '{{.RestartCount}}', name)) >= 1 ? true : null), 20_000);
      const small = await c.cli(['update', '-m', '1k', name]);
      assert.notEqual(small.code, 0);
      assert.match(small.stderr, /Minimum memory limit allowed is 6MB/);
      ok(await c.cli(['rm', '-f', name]));
      const gone = await c.cli(['update', '-m', '96m', name]);
      exitsWith(gone, 1, 'update of a removed container');
      assert.match(gone.stderr, /No such container/);
    },
  },
  {
    name: 'pause and unpause: Paused in ps and inspect, exec refused while paused, stop of a paused container works',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, 'busybox', 'sleep', '300');
      assert.equal(ok(await c.cli(['pause', name])).trim(), name);
      assert.match(ok(await c.cli(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}'])), /\(Paused\)/);
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.Paused}}', name), 'paused true');
      const ex = await c.cli(['exec', name, 'true']);
      assert.notEqual(ex.code, 0);
      assert.match(ex.stderr, /is paused, unpause the container before exec/);
      const again = await c.cli(['pause', name]);
      exitsWith(again, 1, 'pause of a paused container');
      assert.match(again.stderr, /is already paused/);
      assert.equal(ok(await c.cli(['unpause', name])).trim(), name);
      assert.equal(ok(await c.cli(['exec', name, 'echo', 'thawed'])), 'thawed\n');
      ok(await c.cli(['pause', name]));
      ok(await c.cli(['stop', '-t', '1', name]));
      assert.equal(await inspect(c, '{{.State.Status}}', name), 'exited');
      const stopped = await c.cli(['pause', name]);
      exitsWith(stopped, 1, 'pause of a stopped container');
      assert.match(stopped.stderr, /is not running/);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: 'healthchecks: one turns healthy and another unhealthy, in ps, inspect, ps --filter health= and events; --no-healthcheck has none',
    async run(c) {
      const good = c.name();
      const bad = c.name();
      const since = Math.floor(Date.now() / 1000) - 1;
      await runDetached(c, good, '--health-cmd', 'echo fine', '--health-interval', '1s', 'busybox', 'sleep', '300');
      await runDetached(c, bad, '--health-cmd', 'echo broken; exit 1', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '300');
      assert.match(ok(await c.cli(['ps', '--filter', `name=${good}`, '--format', '{{.Status}}'])), /\((health: starting|healthy)\)/);
      await waitFor('healthy and unhealthy', async () => {
        const states = await inspect(c, '{{.State.Health.Status}}', good) + ' ' + (await inspect(c, '{{.State.Health.Status}}', bad));
        return states === 'healthy unhealthy' ? states : null;
      }, 30_000);
      assert.match(ok(await c.cli(['ps', '--filter', `name=${good}`, '--format', '{{.Status}}'])), /^Up .* \(healthy\)$/m);
      assert.match(ok(await c.cli(['ps', '--filter', `name=${bad}`, '--format', '{{.Status}}'])), /^Up .* \(unhealthy\)$/m);
      assert.equal(ok(await c.cli(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).trim(), bad);
      const health = JSON.parse(await inspect(c, '{{json .State.Health}}', bad));
      assert.ok(health.FailingStreak >= 2);
      assert.equal(health.Log.at(-1).ExitCode, 1);
      assert.equal(health.Log.at(-1).Output, 'broken\n');
      const events = ok(await c.cli(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=health_status', '--format', '{{.Status}} {{.Actor.Attributes.name}}']));
      assert.match(events, new RegExp(`health_status: healthy ${good}`));
      assert.match(events, new RegExp(`health_status: unhealthy ${bad}`));
      const none = c.name();
      await runDetached(c, none, '--no-healthcheck', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{json .Config.Healthcheck}}', none), '{"Test":["NONE"]}');
      assert.equal(await inspect(c, '{{if .State.Health}}has{{else}}none{{end}}', none), 'none');
      const tooFast = await c.cli(['run', '-d', '--health-cmd', 'true', '--health-interval', '100us', 'busybox', 'true']);
      assert.notEqual(tooFast.code, 0);
      assert.match(tooFast.stderr, /Interval in Healthcheck cannot be less than 1ms/);
      ok(await c.cli(['rm', '-f', good, bad, none]));
    },
  },
  {
    name: 'a container killed by its memory limit: OOMKilled, exit 137, an oom event before its die',
    async run(c) {
      const name = c.name();
      const since = Math.floor(Date.now() / 1000) - 1;
      const r = await c.cli(['run', '--name', name, '-m', '8m', '--memory-swap', '8m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done']);
      assert.equal(r.code, 137, r.stderr);
      assert.equal(await inspect(c, '{{.State.OOMKilled}} {{.State.ExitCode}}', name), 'true 137');
      const ev = ok(await c.cli(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${name}`, '--filter', 'event=oom', '--filter', 'event=die', '--format', '{{.Action}}']));
      assert.deepEqual(ev.trim().split('\n'), ['oom', 'die']);
      ok(await c.cli(['rm', name]));
    },
  },
  {
    name: '-m 64m is in inspect and in the container\'s memory cgroup',
    only: 'docker',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, '-m', '64m', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{.HostConfig.Memory}}', name), String(64 * 1024 * 1024));
      const pid = Number(await inspect(c, '{{.State.Pid}}', name));
      const file = hostCgroupFile(pid, { controller: 'memory', file: 'memory.limit_in_bytes' }, 'memory.max');
      assert.equal(fs.readFileSync(file, 'utf8').trim(), String(64 * 1024 * 1024), `host cgroup file ${file}`);
      // Docker mounts the container's own cgroup at /sys/fs/cgroup inside it.
      const inside = ok(await c.cli(['exec', name, 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max']));
      assert.equal(inside.trim(), String(64 * 1024 * 1024));
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: '--cpus is in inspect and in the container\'s CPU quota',
    only: 'docker',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, '--cpus', '0.5', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{.HostConfig.NanoCpus}}', name), '500000000');
      const pid = Number(await inspect(c, '{{.State.Pid}}', name));
      // v1: cpu.cfs_quota_us / cpu.cfs_period_us; v2: cpu.max "quota period".
      const file = hostCgroupFile(pid, { controller: 'cpu', file: 'cpu.cfs_quota_us' }, 'cpu.max');
      const text = fs.readFileSync(file, 'utf8').trim();
      if (file.endsWith('cpu.max')) assert.equal(text, '50000 100000');
      else {
        assert.equal(text, '50000');
        assert.equal(fs.readFileSync(path.join(path.dirname(file), 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
      }
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'ten containers run at once, each with its own output and exit code',
    only: 'docker',
    async run(c) {
      const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => c.cli(['run', '--rm', 'busybox', 'sh', '-c', `echo run-${i}; exit ${i}`])));
      runs.forEach((r, i) => {
        assert.equal(r.code, i, `run ${i}: ${r.stderr}`);
        assert.equal(r.stdout, `run-${i}\n`);
      });
      const names = await Promise.all(Array.from({ length: 10 }, () => c.cli(['run', '-d', '-l', `burst=${c.name()}`, 'busybox', 'sleep', '300'])));
      const ids = names.map((r) => ok(r).trim());
      assert.equal(new Set(ids).size, 10);
      const generated = ok(await c.cli(['ps', '--filter', `id=${ids[0]}`, '--format', '{{.Names}}'])).trim();
      assert.match(generated, /^[a-z]+_[a-z]+$/, 'a generated adjective_name');
      ok(await c.cli(['rm', '-f', ...ids]));
    },
  },
  {
    name: '--pids-limit is in inspect, in the pids cgroup, and enforced',
    only: 'docker',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, '--pids-limit', '8', 'busybox', 'sleep', '300');
      assert.equal(await inspect(c, '{{.HostConfig.PidsLimit}}', name), '8');
      const pid = Number(await inspect(c, '{{.State.Pid}}', name));
      const file = hostCgroupFile(pid, { controller: 'pids', file: 'pids.max' }, 'pids.max');
      assert.equal(fs.readFileSync(file, 'utf8').trim(), '8');
      const forks = await c.cli(['exec', name, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 5 & done 2>&1; wait']);
      assert.match(forks.stdout + forks.stderr, /can't fork|Resource temporarily unavailable/i, 'the 9th process is refused');
      ok(await c.cli(['rm', '-f', name]));
    },
  },
  {
    name: 'a -d container survives a daemon restart with the same PID; exec and stop still work',
    only: 'docker',
    async run(c) {
      const name = c.name();
      const id = await runDetached(c, name, 'busybox', 'sh', '-c', 'echo before; while true; do sleep 0.2; done');
      const exited = c.name('exited');
      exitsWith(await c.cli(['run', '--name', exited, 'busybox', 'sh', '-c', 'exit 7']), 7);
      const pid = await inspect(c, '{{.State.Pid}}', name);
      assert.match(pid, /^[1-9]\d*$/);
      await c.d.stop('SIGTERM');
      // With the daemon gone the container's process is still alive (conmon keeps it).
      assert.ok(fs.existsSync(`/proc/${pid}`), 'container process outlives the daemon');
      await c.d.start();
      assert.equal(await inspect(c, '{{.State.Pid}} {{.State.Status}}', name), `${pid} running`);
      assert.equal(await inspect(c, '{{.State.Status}} {{.State.ExitCode}}', exited), 'exited 7', 'an exited container keeps its code');
      assert.equal(ok(await c.cli(['exec', name, 'echo', 'after-restart'])), 'after-restart\n');
      assert.match(ok(await c.cli(['logs', name])), /^before\n/);
      assert.ok(ok(await c.cli(['ps', '-q', '--no-trunc'])).split('\n').includes(id));
      ok(await c.cli(['stop', '-t', '1', name]));
      assert.equal(await inspect(c, '{{.State.Status}}', name), 'exited');
      ok(await c.cli(['rm', name, exited]));
    },
  },
  {
    name: 'a container that exits while the daemon is down is reconciled as exited with its code',
    only: 'docker',
    async run(c) {
      const name = c.name();
      await runDetached(c, name, 'busybox', 'sh', '-c', 'sleep 2; exit 5');
      await c.d.stop('SIGTERM');
      await sleep(3000);
      await c.d.start();
      await waitFor('exited state', async () => (await inspect(c, '{{.State.Status}}', name)) === 'exited', 5000);
      assert.equal(await inspect(c, '{{.State.ExitCode}}', name), '5');
      ok(await c.cli(['rm', name]));
    },
  },
];

export interface RegisterOptions {
  /** Case names left out (exact duplicates of another file). */
  skip?: readonly string[];
  /** Another docker client binary (Debian's 20.10 client at /usr/bin/docker). */
  dockerBin?: string;
  /** Prefix of the test names; default the CLI kind. */
  label?: string;
  /** Run the daemon-only cases (`only: 'docker'`); default true for docker. */
  daemonCases?: boolean;
}

/** Registers the workflow cases for one CLI in the calling test file, with one daemon for the file. */
export async function registerWorkflow(kind: CliKind, o: RegisterOptions = {}): Promise<void> {
  const d = await startDaemon({ after });
  const label = o.label ?? kind;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `berth-${label.replace(/\W+/g, '-')}-files-`));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let serial = 0;
  for (const wc of workflowCases) {
    if (wc.only && (wc.only !== kind || o.daemonCases === false)) continue;
    if (o.skip?.includes(wc.name)) continue;
    if (wc.berthOnly && d.engine !== 'berthd') continue;
    const caseNo = ++serial;
    test(`${label}: ${wc.name}`, async () => {
      let n = 0;
      const ctx: WorkflowContext = {
        kind,
        d,
        tmp,
        cli: (args, opts) => (kind === 'docker' ? d.docker(args, opts, o.dockerBin) : d.berth(args, opts)),
        tty: (args, opts) => d.tty(kind === 'docker' && o.dockerBin ? { bin: o.dockerBin } : kind, args, opts),
        name: (suffix) => `${label.replace(/\W+/g, '')}-c${caseNo}-${suffix ?? ''}${++n}`,
      };
      await wc.run(ctx);
    });
  }
}
