// Where a process's cgroup limits live on the host (cgroup v1, hybrid or v2), for tests that check a
// limit reached the kernel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export function hostCgroupFile(pid: number, v1: { controller: string; file: string }, v2file: string): string {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  for (const line of lines) {
    const [, controllers, p] = line.split(':');
    if (controllers!.split(',').includes(v1.controller)) return path.join('/sys/fs/cgroup', v1.controller, p!, v1.file);
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  assert.ok(unified, `no cgroup of ${pid} for ${v1.controller}: ${lines.join(' | ')}`);
  const base = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  return path.join(base, unified.slice(3), v2file);
}
