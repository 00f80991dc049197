// Cleans up after test processes that died before their cleanup ran (killed runner, SIGPIPE, CI
// timeout): for each test slot whose owner is gone, kill the daemon and everything under its base
// directory, unmount, remove. Run by scripts/test.sh before the integration suites:
//   node dist/test/harness/sweep.js
import fs from 'node:fs';
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

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  await sweepDeadSlots();
}
