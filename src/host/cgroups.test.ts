// cgroup layout detection from mountinfo text, and the paths derived from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupMounts, cgroupDirs, cgroupsPathFor } from './cgroups.js';
import { parseProcLimits } from './rlimits.js';
import { capabilitiesFromMask } from './capabilities.js';

const hybrid = `
25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
35 25 0:30 / /sys/fs/cgroup rw,relatime shared:9 - tmpfs tmpfs rw,mode=755
36 35 0:31 / /sys/fs/cgroup/cpu rw,relatime shared:10 - cgroup cgroup rw,cpu
37 35 0:32 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory
38 35 0:33 / /sys/fs/cgroup/pids rw,relatime shared:12 - cgroup cgroup rw,pids
39 35 0:34 / /sys/fs/cgroup/systemd rw,relatime shared:13 - cgroup cgroup rw,name=systemd
40 35 0:35 / /sys/fs/cgroup/unified rw,relatime shared:14 - cgroup2 cgroup2 rw
41 35 0:36 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
`;
const v2 = '35 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

test('hybrid: v1 controllers by name plus the unified tree', () => {
  const l = parseCgroupMounts(hybrid);
  assert.equal(l.mode, 'hybrid');
  assert.equal(l.v1.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(l.v1.get('name=systemd'), '/sys/fs/cgroup/systemd');
  assert.equal(l.v1.get('cpu'), '/sys/fs/cgroup/cpu');
  assert.equal(l.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(l.unified, '/sys/fs/cgroup/unified');
  const dirs = cgroupDirs(cgroupsPathFor('abc'), l);
  assert.ok(dirs.includes('/sys/fs/cgroup/memory/berth/abc'));
  assert.ok(dirs.includes('/sys/fs/cgroup/unified/berth/abc'));
});

test('pure v2 and pure v1', () => {
  const l = parseCgroupMounts(v2);
  assert.equal(l.mode, 'v2');
  assert.deepEqual(cgroupDirs('/berth/x', l), ['/sys/fs/cgroup/berth/x']);
  const v1only = hybrid.split('\n').filter((x) => !x.includes('cgroup2')).join('\n');
  assert.equal(parseCgroupMounts(v1only).mode, 'v1');
});

test('/proc/self/limits parsing: hard column, unlimited as Infinity', () => {
  const text = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96365                96365                processes
Max open files            1024                 20000                files
Max nice priority         0                    0
`;
  const l = parseProcLimits(text);
  assert.equal(l.RLIMIT_NOFILE, 20000);
  assert.equal(l.RLIMIT_NPROC, 96365);
  assert.equal(l.RLIMIT_CPU, Infinity);
  assert.equal(l.RLIMIT_NICE, 0);
});

test('capability masks decode by bit number', () => {
  const caps = capabilitiesFromMask('000001fffeffffff');
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
  assert.ok(caps.includes('CAP_SYS_ADMIN'));
  assert.ok(caps.includes('CAP_CHECKPOINT_RESTORE'));
  assert.deepEqual(capabilitiesFromMask('1'), ['CAP_CHOWN']);
});
