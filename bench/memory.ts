// Memory of an engine's processes: RSS and PSS from /proc/PID/smaps_rollup. PSS divides shared pages
// among the processes sharing them, so summing it over a daemon and its monitors does not count the
// same library pages fifty times the way summed RSS does.
import fs from 'node:fs';
import { probeServerPids, processesMentioning } from '../test/harness/index.js';

export interface Memory {
  rssKiB: number;
  pssKiB: number;
  processes: number;
}

export function processMemory(pid: number): Memory {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rssKiB: field('Rss'), pssKiB: field('Pss'), processes: 1 };
  } catch {
    return { rssKiB: 0, pssKiB: 0, processes: 0 };
  }
}

export function sumMemory(pids: readonly number[]): Memory {
  return pids.map(processMemory).reduce((a, b) => ({ rssKiB: a.rssKiB + b.rssKiB, pssKiB: a.pssKiB + b.pssKiB, processes: a.processes + b.processes }), { rssKiB: 0, pssKiB: 0, processes: 0 });
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * The helper processes of an engine whose roots live under `base`: conmon monitors for berthd, and its
 * probe server (a child of the daemon run as `berth-nsexec --serve`, whose command line names no
 * root); containerd and its shims for dockerd (found by their command lines naming the roots).
 */
export function helperPids(base: string, engine: 'berthd' | 'dockerd', daemonPid?: number): number[] {
  const found = processesMentioning(base).filter((pid) => {
    const c = comm(pid);
    return engine === 'berthd' ? c === 'conmon' : c === 'containerd' || c.startsWith('containerd-shim');
  });
  if (engine === 'berthd' && daemonPid) found.push(...probeServerPids(daemonPid));
  return found;
}

/** CPU time (user + system) of a process, in milliseconds; 0 when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * CPU time of a process and of its children that it has reaped (utime + stime + cutime + cstime), in
 * milliseconds: a daemon's own work plus the short-lived helpers it ran and waited for (runc).
 */
export function cpuWithChildrenMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}
