// Unit tests of the berth-nsexec plan: the helper's arguments from runc's state and a process spec,
// and every case that must go to runc instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilityMask, planNsExec, type RuncStateFile } from './nsexec-plan.js';
import { DEFAULT_CAPABILITIES, type RuntimeSpecProcess } from './runtime-spec.js';

function state(config: Partial<RuncStateFile['config']> = {}): RuncStateFile {
  return {
    init_process_pid: 4242,
    init_process_start: 987654,
    cgroup_paths: { '': '/sys/fs/cgroup/unified/berth/c1', memory: '/sys/fs/cgroup/memory/berth/c1', pids: '/sys/fs/cgroup/pids/berth/c1' },
    config: {
      namespaces: [{ type: 'NEWPID' }, { type: 'NEWIPC' }, { type: 'NEWUTS' }, { type: 'NEWNS' }, { type: 'NEWNET', path: '/var/lib/berth/netns/c1' }],
      ...config,
    },
  };
}

function proc(over: Partial<RuntimeSpecProcess> = {}): RuntimeSpecProcess {
  return { user: { uid: 0, gid: 0 }, args: ['sh', '-c', 'echo hi'], env: ['PATH=/bin'], cwd: '/', ...over };
}

const plan = (p: RuntimeSpecProcess, s = state()) => planNsExec({ containerId: 'c1', state: s, process: p });

test('capability masks follow the kernel numbering', () => {
  // Docker's default set is 0xa80425fb, as /proc/self/status shows it in a default container.
  assert.equal(capabilityMask(DEFAULT_CAPABILITIES), 'a80425fb');
  assert.equal(capabilityMask([]), '0');
  assert.equal(capabilityMask(undefined), '0');
  assert.equal(capabilityMask(['CAP_CHECKPOINT_RESTORE']), (1n << 40n).toString(16));
  assert.equal(capabilityMask(['chown', 'kill']), (1 | (1 << 5)).toString(16));
  assert.equal(capabilityMask(['CAP_NOT_A_THING']), null);
});

test('a plain exec: the init, its namespaces, its cgroups, the user, the command', () => {
  assert.deepEqual(plan(proc()), [
    '--pid', '4242', '--start', '987654', '--id', 'c1',
    '--ns', 'pid,ipc,uts,mnt,net',
    '--cgroup', '/sys/fs/cgroup/unified/berth/c1', '--cgroup', '/sys/fs/cgroup/memory/berth/c1', '--cgroup', '/sys/fs/cgroup/pids/berth/c1',
    '--uid', '0', '--gid', '0',
    '--cwd', '/', '--', 'sh', '-c', 'echo hi',
  ]);
});

test('capabilities, groups, rlimits, no-new-privileges and the keyring are passed on', () => {
  const a = plan(
    proc({
      user: { uid: 1000, gid: 100, additionalGids: [10, 20] },
      cwd: '/tmp',
      capabilities: { bounding: DEFAULT_CAPABILITIES, effective: ['CAP_KILL'], permitted: ['CAP_KILL'], ambient: ['CAP_KILL'] },
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
        { type: 'RLIMIT_CORE', soft: -1, hard: 2 ** 64 - 1 },
      ],
      noNewPrivileges: true,
    }),
    state({ no_new_keyring: true }),
  )!;
  const val = (flag: string) => a.filter((_, i) => a[i - 1] === flag);
  assert.deepEqual(val('--uid'), ['1000']);
  assert.deepEqual(val('--gid'), ['100']);
  assert.deepEqual(val('--groups'), ['10,20']);
  assert.deepEqual(val('--caps'), ['a80425fb:20:20:0:20']);
  assert.deepEqual(val('--rlimit'), ['7:1024:4096', '4:-1:-1']);
  assert.deepEqual(val('--cwd'), ['/tmp']);
  assert.ok(a.includes('--no-new-privs'));
  assert.ok(a.includes('--no-keyring'));
  assert.deepEqual(a.slice(a.indexOf('--') + 1), ['sh', '-c', 'echo hi']);
});

test('a container sharing the host network or pid namespace joins only its own', () => {
  const a = plan(proc(), state({ namespaces: [{ type: 'NEWNS' }, { type: 'NEWUTS' }] }))!;
  assert.equal(a[a.indexOf('--ns') + 1], 'mnt,uts');
  const none = plan(proc(), state({ namespaces: [] }))!;
  assert.ok(!none.includes('--ns'));
});

test('what only runc does goes to runc', () => {
  assert.equal(plan(proc({ terminal: true })), null);
  assert.equal(plan(proc({ apparmorProfile: 'docker-default' })), null);
  assert.equal(plan(proc({ selinuxLabel: 'system_u:system_r:container_t:s0' })), null);
  assert.equal(plan(proc({ oomScoreAdj: 100 })), null);
  assert.equal(plan(proc({ user: { uid: 0, gid: 0, umask: 0o22 } })), null);
  assert.equal(plan(proc({ args: [] })), null);
  assert.equal(plan(proc({ capabilities: { bounding: ['CAP_UNKNOWN'] } })), null);
  assert.equal(plan(proc({ rlimits: [{ type: 'RLIMIT_UNKNOWN', soft: 1, hard: 1 }] })), null);
  assert.equal(plan(proc(), state({ seccomp: { defaultAction: 'SCMP_ACT_ERRNO' } })), null);
  assert.equal(plan(proc(), state({ apparmor_profile: 'x' })), null);
  assert.equal(plan(proc(), state({ process_label: 'x' })), null);
  assert.equal(plan(proc(), state({ uid_mappings: [{ container_id: 0, host_id: 100000, size: 65536 }] })), null);
  assert.equal(plan(proc(), state({ namespaces: [{ type: 'NEWUSER' }, { type: 'NEWNS' }] })), null);
  assert.equal(plan(proc(), state({ namespaces: [{ type: 'NEWTIME' }] })), null);
  assert.equal(plan(proc(), { ...state(), init_process_pid: 0 }), null);
});
