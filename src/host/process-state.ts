// Whether a process that is not our child has exited, and the small integer files (PID files, exit
// codes) through which conmon tells us about its processes. conmon double-forks, so its monitor belongs to
// the host's init (or a subreaper), which may reap it a second or more after it exited: a zombie has
// exited for every purpose of ours, but kill(pid, 0) still finds it.
import fs from 'node:fs';

/** True when `pid` is gone or a zombie. */
export function processExited(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    // Only "no such process" means gone; another failure (EMFILE on a busy daemon) asks the kernel.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (k) {
      return (k as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  // "pid (comm) S ...": the state letter follows the last ')' (comm may contain anything).
  const close = stat.lastIndexOf(')');
  const state = stat.slice(close + 2, close + 3);
  return state === 'Z' || state === 'X';
}

/**
 * The start time of `pid` (field 22 of /proc/PID/stat, clock ticks since boot: what runc records as
 * `init_process_start`), or null when there is no such process. With the PID it names one process.
 */
export function processStartTime(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = Number(f[19]);
    return Number.isFinite(t) ? t : null;
  } catch {
    return null;
  }
}

/** The opposite: `pid` exists and has not exited. */
export function processRunning(pid: number): boolean {
  return pid > 0 && !processExited(pid);
}

/** Resolves when `pid` has exited (polled, from 1 ms up to every 20 ms), or after `maxMs`. */
export async function processGone(pid: number, maxMs: number): Promise<void> {
  if (!(pid > 0)) return;
  const until = Date.now() + maxMs;
  for (let delay = 1; !processExited(pid) && Date.now() < until; delay = Math.min(delay * 2, 20)) {
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The integer in a small file (conmon's PID and exit-code files), or null when absent or not one. Read in place. */
export function readIntFile(p: string): number | null {
  try {
    const t = fs.readFileSync(p, 'utf8').trim();
    return /^-?\d+$/.test(t) ? Number(t) : null;
  } catch {
    return null;
  }
}
