// Cleans up after test processes that died before their cleanup ran (killed runner, SIGPIPE, CI
// timeout): for each test slot whose owner is gone, kill the daemon and everything under its base
// directory, unmount, remove. Run by scripts/test.sh before the integration suites:
//   node dist/test/harness/sweep.js
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deadSlots } from './slots.js';
import { removeLeftovers, processesMentioning } from './leftovers.js';

export async function sweepDeadSlots(log: (m: string) => void = (m) => console.error(`sweep: ${m}`)): Promise<number> {
  let n = 0;
  for (const s of deadSlots()) {
    if (s.base && fs.existsSync(s.base)) {
      // Daemons first (berthd/dockerd name the base on their command line), then the rest.
      for (const pid of processesMentioning(s.base)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await new Promise((r) => setTimeout(r, 200));
      await removeLeftovers({ base: s.base, execRoot: `${s.base}/exec`, bridge: s.bridge }, log);
      log(`removed leftovers of a dead test run in ${s.base}`);
      n++;
    } else if (fs.existsSync(`/sys/class/net/${s.bridge}`)) {
      await removeLeftovers({ base: '/nonexistent-berth-sweep', execRoot: '/nonexistent-berth-sweep', bridge: s.bridge }, log);
    }
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  return n;
}

/** The parent pid of a process, from /proc/PID/stat (after the parenthesised command name). */
function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Registries a killed test run or bench left behind: berth-registry and docker-registry processes
 * serving a harness temp directory (registry.ts, reference-registry.ts) whose parent is gone (they
 * were reparented to PID 1). They hold no slot, so sweepDeadSlots cannot see them. A registry whose
 * test process still runs keeps its parent and is left alone.
 */
export function sweepOrphanRegistries(log: (m: string) => void = (m) => console.error(`sweep: ${m}`)): number {
  let n = 0;
  for (const prefix of ['berth-registry-test-', 'berth-docker-registry-']) {
    const base = path.join(os.tmpdir(), prefix);
    for (const pid of processesMentioning(base)) {
      if (parentPid(pid) !== 1) continue;
      let dir: string | undefined;
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const arg = cmdline.find((a) => a.startsWith(base));
        dir = arg ? path.join(os.tmpdir(), arg.slice(os.tmpdir().length + 1).split('/')[0]!) : undefined;
        process.kill(pid, 'SIGKILL');
      } catch {
        continue; // gone meanwhile
      }
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      log(`killed orphaned registry ${pid}${dir ? ` and removed ${dir}` : ''}`);
      n++;
    }
  }
  return n;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  await sweepDeadSlots();
  sweepOrphanRegistries();
}
