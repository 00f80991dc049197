// runc's error lines and conmon's argument list (pure parts of the runtime adapters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runcErrorMessage, isNotExistMessage } from './runc.js';
import { conmonArgv, runtimeErrorText } from './conmon.js';
import { exitCodeForRuntimeError } from './conmon-runtime.js';

test('runc error lines: text and json formats, the last error wins', () => {
  assert.equal(runcErrorMessage('time="2026-01-01T00:00:00Z" level=error msg="container does not exist"\n'), 'container does not exist');
  assert.equal(runcErrorMessage('{"level":"error","msg":"container not running","time":"x"}\n'), 'container not running');
  assert.equal(
    runcErrorMessage('time="t" level=warning msg="w"\ntime="t" level=error msg="exec: \\"foo\\": executable file not found in $PATH"\n'),
    'exec: "foo": executable file not found in $PATH',
  );
  assert.ok(isNotExistMessage('container does not exist'));
  assert.ok(!isNotExistMessage('container not running'));
});

test('conmon relays runc stderr: the message is extracted and mapped to Docker exit codes', () => {
  const raw =
    'time="2026-11-23T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"foo\\": executable file not found in $PATH"\n';
  const text = runtimeErrorText(raw);
  assert.equal(text, 'runc create failed: unable to start container process: exec: "foo": executable file not found in $PATH');
  assert.equal(exitCodeForRuntimeError(text), 127);
  assert.equal(exitCodeForRuntimeError('exec: "/etc": permission denied'), 126);
  assert.equal(exitCodeForRuntimeError('cgroup: something else'), 125);
});

test('conmon argv: API v1, runtime root, stdin policy, tty, exec', () => {
  const a = conmonArgv({
    conmonPath: '/usr/bin/conmon',
    runtimePath: '/usr/sbin/runc',
    runtimeArgs: ['--root=/run/berth/runc'],
    cid: 'c1',
    cuuid: 'c1',
    bundle: '/b',
    pidFile: '/p',
    conmonPidFile: '/cp',
    logPath: 'k8s-file:/l',
    logSizeMax: 1000,
    exitDir: '/e',
    socketDir: '/s',
    terminal: true,
    stdin: true,
    leaveStdinOpen: true,
  });
  const s = a.join(' ');
  assert.match(s, /^--api-version 1 -c c1 -u c1 -r \/usr\/sbin\/runc -b \/b -p \/p -P \/cp -l k8s-file:\/l --exit-dir \/e --socket-dir-path \/s/);
  assert.match(s, /--runtime-arg --root=\/run\/berth\/runc/);
  assert.match(s, /--log-size-max 1000/);
  assert.ok(a.includes('-t') && a.includes('-i') && a.includes('--leave-stdin-open'));
  assert.ok(!a.includes('-e'));
  const once = conmonArgv({ ...{ conmonPath: '', runtimePath: 'r', runtimeArgs: [], cid: 'c', cuuid: 'u', bundle: 'b', pidFile: 'p', conmonPidFile: 'cp', logPath: 'none', exitDir: 'e', socketDir: 's' }, terminal: false, stdin: true, leaveStdinOpen: false, exec: { processSpec: '/x.json', attach: true } });
  assert.ok(!once.includes('--leave-stdin-open'));
  assert.ok(once.includes('--exec-attach'));
  assert.deepEqual(once.slice(once.indexOf('-e'), once.indexOf('-e') + 3), ['-e', '--exec-process-spec', '/x.json']);
});
