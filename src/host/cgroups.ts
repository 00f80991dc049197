// The host's cgroup layout (v1, hybrid or pure v2), the cgroupsPath runc wants with its cgroupfs
// driver, reading a container's limits back, and removing the empty directories runc leaves behind.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupLayout {
  mode: CgroupMode;
  /** v1 controller name (memory, pids, cpu, name=systemd...) -> mount point. */
  v1: Map<string, string>;
  /** Mount point of the cgroup2 tree (/sys/fs/cgroup on v2, /sys/fs/cgroup/unified on hybrid). */
  unified?: string;
}

/** Parses /proc/self/mountinfo text into the cgroup mounts it lists. */
export function parseCgroupMounts(mountinfo: string): CgroupLayout {
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    // "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory"
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = (left[4] ?? '').replace(/\\040/g, ' ');
    if (fstype === 'cgroup2') unified ??= mountPoint;
    else if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) {
        if (['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'clone_children', 'xattr'].includes(opt)) continue;
        if (opt.startsWith('release_agent=')) continue;
        if (!v1.has(opt)) v1.set(opt, mountPoint);
      }
    }
  }
  const mode: CgroupMode = v1.size === 0 && unified ? 'v2' : unified ? 'hybrid' : 'v1';
  return { mode, v1, unified };
}

let cachedLayout: CgroupLayout | undefined;

export function cgroupLayout(): CgroupLayout {
  if (!cachedLayout) cachedLayout = parseCgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  return cachedLayout;
}

/** Pure cgroup v2 hosts have /sys/fs/cgroup/cgroup.controllers; v1 and hybrid hosts do not. */
export function isCgroupV2(): boolean {
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/** Docker gives each container a private cgroup namespace by default only on cgroup v2. */
export function defaultCgroupNamespace(): boolean {
  return isCgroupV2();
}

/** Swap limits need memory.memsw.* on v1 (swapaccount=1) or memory.swap.max on v2. */
export function swapAccounting(): boolean {
  const l = cgroupLayout();
  if (l.mode === 'v2') return true; // memory.swap.max exists in every non-root v2 group with swap on
  const mem = l.v1.get('memory');
  return !!mem && fs.existsSync(path.join(mem, 'memory.memsw.limit_in_bytes'));
}

/** runc's cgroupfs driver takes an absolute path relative to each hierarchy's root: "/berth/<id>". */
export function cgroupsPathFor(id: string, parent = 'berth'): string {
  return `/${parent}/${id}`;
}

/** Every directory a container's cgroup occupies (one per v1 hierarchy, plus the v2 tree). */
export function cgroupDirs(cgroupsPath: string, layout = cgroupLayout()): string[] {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const dirs = new Set<string>();
  for (const mp of layout.v1.values()) dirs.add(path.join(mp, rel));
  if (layout.unified) dirs.add(path.join(layout.unified, rel));
  return [...dirs];
}

async function readTrim(p: string): Promise<string | null> {
  try {
    return (await fsp.readFile(p, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The memory limit in bytes the kernel enforces on the cgroup, or null (unlimited / no cgroup). */
export async function readMemoryLimit(cgroupsPath: string, layout = cgroupLayout()): Promise<number | null> {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const mem = layout.v1.get('memory');
  const t =
    layout.mode === 'v2' || !mem
      ? await readTrim(path.join(layout.unified ?? '/sys/fs/cgroup', rel, 'memory.max'))
      : await readTrim(path.join(mem, rel, 'memory.limit_in_bytes'));
  if (t === null || t === 'max') return null;
  const n = Number(t);
  // v1 reports "no limit" as a page-rounded LONG_MAX.
  return n >= 2 ** 62 ? null : n;
}

/** The pids limit of the cgroup, or null when unlimited / absent. */
export async function readPidsLimit(cgroupsPath: string, layout = cgroupLayout()): Promise<number | null> {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const pids = layout.v1.get('pids');
  const t =
    layout.mode === 'v2' || !pids
      ? await readTrim(path.join(layout.unified ?? '/sys/fs/cgroup', rel, 'pids.max'))
      : await readTrim(path.join(pids, rel, 'pids.max'));
  if (t === null || t === 'max') return null;
  return Number(t);
}

/** CPU quota and period (v1 cpu.cfs_*; v2 cpu.max), or null. */
export async function readCpuQuota(cgroupsPath: string, layout = cgroupLayout()): Promise<{ quota: number; period: number } | null> {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const cpu = layout.v1.get('cpu');
  if (layout.mode === 'v2' || !cpu) {
    const t = await readTrim(path.join(layout.unified ?? '/sys/fs/cgroup', rel, 'cpu.max'));
    if (!t) return null;
    const [q, p] = t.split(' ');
    return q === 'max' ? null : { quota: Number(q), period: Number(p) };
  }
  const q = await readTrim(path.join(cpu, rel, 'cpu.cfs_quota_us'));
  const p = await readTrim(path.join(cpu, rel, 'cpu.cfs_period_us'));
  if (q === null || p === null || Number(q) < 0) return null;
  return { quota: Number(q), period: Number(p) };
}

/**
 * Removes the container's (empty) cgroup directories; runc delete usually does, but a container killed
 * while berthd was down can leave them. A directory still holding processes stays (rmdir says EBUSY).
 */
export async function removeCgroup(cgroupsPath: string, layout = cgroupLayout()): Promise<void> {
  if (!cgroupsPath || cgroupsPath === '/') return;
  for (const dir of cgroupDirs(cgroupsPath, layout)) {
    try {
      await fsp.rmdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EBUSY') throw e;
    }
  }
}
