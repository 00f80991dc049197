// Resource usage of a container's cgroup for `docker stats`: memory, CPU time and pids, read from
// cgroup v1 controllers (memory, cpuacct, pids) or the cgroup2 tree, plus the host's total CPU time
// from /proc/stat that the docker CLI divides by. Reads only; nothing here writes.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cgroupLayout, type CgroupLayout } from './cgroups.js';

export interface CgroupStats {
  /** Bytes charged to the cgroup, and its memory.stat counters. */
  memoryUsage: number;
  memoryLimit: number | null;
  memoryStat: Record<string, number>;
  /** Nanoseconds of CPU time used (total, kernel, user). */
  cpuTotalNs: number;
  cpuKernelNs: number;
  cpuUserNs: number;
  pidsCurrent: number;
  pidsLimit: number | null;
}

async function readTrim(p: string): Promise<string | null> {
  try {
    return (await fsp.readFile(p, 'utf8')).trim();
  } catch {
    return null;
  }
}

function parseKeyValues(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

const num = (t: string | null) => (t === null || t === 'max' || !/^\d+$/.test(t) ? null : Number(t));
/** USER_HZ: /proc/stat and cpuacct.stat count in clock ticks of 1/100 s on Linux. */
const TICK_NS = 10_000_000;

export async function readCgroupStats(cgroupsPath: string, layout: CgroupLayout = cgroupLayout()): Promise<CgroupStats> {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const v2 = (f: string) => path.join(layout.unified ?? '/sys/fs/cgroup', rel, f);
  if (layout.mode === 'v2') {
    const cpu = parseKeyValues(await readTrim(v2('cpu.stat')));
    const limit = num(await readTrim(v2('memory.max')));
    return {
      memoryUsage: num(await readTrim(v2('memory.current'))) ?? 0,
      memoryLimit: limit,
      memoryStat: parseKeyValues(await readTrim(v2('memory.stat'))),
      cpuTotalNs: (cpu['usage_usec'] ?? 0) * 1000,
      cpuKernelNs: (cpu['system_usec'] ?? 0) * 1000,
      cpuUserNs: (cpu['user_usec'] ?? 0) * 1000,
      pidsCurrent: num(await readTrim(v2('pids.current'))) ?? 0,
      pidsLimit: num(await readTrim(v2('pids.max'))),
    };
  }
  const v1 = (ctrl: string, f: string) => path.join(layout.v1.get(ctrl) ?? `/sys/fs/cgroup/${ctrl}`, rel, f);
  const acct = parseKeyValues(await readTrim(v1('cpuacct', 'cpuacct.stat')));
  const limit = num(await readTrim(v1('memory', 'memory.limit_in_bytes')));
  return {
    memoryUsage: num(await readTrim(v1('memory', 'memory.usage_in_bytes'))) ?? 0,
    // v1 reports "no limit" as a page-rounded LONG_MAX.
    memoryLimit: limit !== null && limit < 2 ** 62 ? limit : null,
    memoryStat: parseKeyValues(await readTrim(v1('memory', 'memory.stat'))),
    cpuTotalNs: num(await readTrim(v1('cpuacct', 'cpuacct.usage'))) ?? 0,
    cpuKernelNs: (acct['system'] ?? 0) * TICK_NS,
    cpuUserNs: (acct['user'] ?? 0) * TICK_NS,
    pidsCurrent: num(await readTrim(v1('pids', 'pids.current'))) ?? 0,
    pidsLimit: num(await readTrim(v1('pids', 'pids.max'))),
  };
}

/** The host's total CPU time in nanoseconds (the first line of /proc/stat), as Docker's system_cpu_usage. */
export async function readSystemCpuNs(): Promise<number> {
  const first = (await readTrim('/proc/stat'))?.split('\n')[0] ?? '';
  const ticks = first.split(/\s+/).slice(1, 8).map(Number).filter(Number.isFinite);
  return ticks.reduce((a, b) => a + b, 0) * TICK_NS;
}

export function onlineCpus(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}
