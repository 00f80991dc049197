// Deleting an exited runc container without a runc process.
//
// For a container whose init has exited, `runc delete --force` removes the container's cgroups and
// its state directory (<root>/<id>), and runs poststop hooks. That is a Go start-up (~15 ms here) and,
// through posix_spawn's vfork, ~10 ms of berthd's event loop held while the kernel execs runc's 8 MB
// binary: on the path of every `docker run --rm` between the exit and the answer the client waits
// for. Done here it is a handful of rmdir(2) calls. runc's own record (state.json: the init's PID and
// start time, the cgroup paths) decides; whenever it says anything else is needed (the init or another
// process still there, hooks to run, a record that does not parse) the caller asks runc.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RuncStateFile } from '../lib/oci/nsexec-plan.js';
import { processExited, processStartTime } from './process-state.js';


/** Whether the process runc recorded as the init still runs (a zombie has left its cgroups already). */
export function recordedInitRuns(pid: number, start: number): boolean {
  return !processExited(pid) && processStartTime(pid) === start;
}

/** rmdir of a cgroup and the cgroups under it, deepest first; false when one cannot go (processes in it). */
async function removeCgroupTree(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  for (const e of entries) if (e.isDirectory() && !(await removeCgroupTree(path.join(dir, e.name)))) return false;
  try {
    await fs.rmdir(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Does what `runc delete --force` does for a container whose init has exited. Returns false, having
 * removed at most some empty cgroups (which runc then finds gone, as it would after a retry), when
 * runc must do it instead.
 */
export async function deleteExitedContainer(runcRoot: string, id: string): Promise<boolean> {
  const dir = path.join(runcRoot, id);
  let st: Partial<RuncStateFile>;
  try {
    st = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as Partial<RuncStateFile>;
  } catch {
    return false;
  }
  if (!st || typeof st.init_process_pid !== 'number' || typeof st.init_process_start !== 'number') return false;
  if (Object.values(st.config?.Hooks ?? {}).some((h) => Array.isArray(h) && h.length > 0)) return false;
  if (recordedInitRuns(st.init_process_pid, st.init_process_start)) return false;
  for (const p of new Set(Object.values(st.cgroup_paths ?? {}))) {
    if (p && !(await removeCgroupTree(p))) return false;
  }
  await fs.rm(dir, { recursive: true, force: true });
  return true;
}
