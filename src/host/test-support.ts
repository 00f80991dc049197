// Helpers for the host adapters' integration tests: a busybox rootfs, a temp exec root, a bundle.
// Used by *.test.ts only; everything made here is removed by the returned cleanup.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { SpecInput } from '../engine/containers/runtime-contract.js';
import { buildRuntimeSpec, type RuntimeSpec } from '../lib/oci/runtime-spec.js';
import { readHostHardLimits } from './rlimits.js';
import { readHostCapabilities } from './capabilities.js';
import { defaultCgroupNamespace, swapAccounting } from './cgroups.js';

export const BUSYBOX = '/bin/busybox';

export function canRunContainers(): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const b of ['/bin/busybox']) if (!fs.existsSync(b)) return `needs ${b}`;
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
    execFileSync('conmon', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs runc and conmon';
  }
  return false;
}

/** A minimal busybox root: /bin/busybox plus one symlink per applet, /etc/passwd and /etc/group. */
export async function makeBusyboxRootfs(root: string): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root']) {
    await fsp.mkdir(path.join(root, d), { recursive: true });
  }
  await fsp.copyFile(BUSYBOX, path.join(root, 'bin/busybox'));
  await fsp.chmod(path.join(root, 'bin/busybox'), 0o755);
  const list = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of list) {
    if (applet === 'bin/busybox' || applet === 'linuxrc') continue;
    const p = path.join(root, applet);
    await fsp.mkdir(path.dirname(p), { recursive: true });
    await fsp.symlink('/bin/busybox', p).catch(() => {});
  }
  await fsp.writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  await fsp.writeFile(path.join(root, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
}

export async function tempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

let counter = 0;
/** A random-enough 64-hex container ID, as Docker's. */
export function newId(): string {
  counter++;
  const rnd = Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
  return (rnd + process.pid.toString(16).padStart(8, '0') + counter.toString(16).padStart(8, '0') + Date.now().toString(16)).padEnd(64, '0').slice(0, 64);
}

export function specInput(rootfs: string, over: Partial<SpecInput> = {}): SpecInput {
  return {
    rootfs,
    readonlyRootfs: false,
    args: ['true'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=test'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    hostname: 'test',
    mounts: [],
    privileged: false,
    capAdd: [],
    capDrop: [],
    network: { mode: 'none' },
    resources: {},
    cgroupsPath: '',
    ulimits: [],
    hostHardLimits: readHostHardLimits(),
    sysctls: {},
    shmSize: 64 * 1024 * 1024,
    noNewPrivileges: false,
    cgroupNamespace: defaultCgroupNamespace(),
    swapAccounting: swapAccounting(),
    hostCapabilities: readHostCapabilities(),
    ...over,
  };
}

/** Writes <bundle>/config.json for the input and returns the spec. */
export async function writeBundle(bundle: string, input: SpecInput): Promise<RuntimeSpec> {
  await fsp.mkdir(bundle, { recursive: true });
  const spec = buildRuntimeSpec(input);
  await fsp.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
  return spec;
}
