// A container at daemon start-up, matched with what survived in the runtime: a run still alive under
// its conmon is adopted, one that ended while berthd was down gets its exit recorded (from conmon's
// exit file), and a half-made start is undone.
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime, ExitInfo } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps } from './container-host.js';
import type { RootfsMounts } from './rootfs-mounts.js';
import { EXIT_LOST } from './exit-handling.js';

export interface ReconcileDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  log: Logger;
  rootfs: Pick<RootfsMounts, 'adopt'>;
  finishRemoval(c: ContainerRecord, removeVolumes: boolean): Promise<void>;
  armWatcher(id: string): void;
  watchHealth(c: ContainerRecord, fresh: boolean): void;
  recordExit(c: ContainerRecord, info: ExitInfo, error: string): Promise<void>;
  remove(id: string, o: { force?: boolean; volumes?: boolean }): Promise<void>;
}

export async function reconcileContainer(d: ReconcileDeps, c: ContainerRecord): Promise<void> {
  const p = d.store.paths(c.id);
  if (c.removalInProgress) {
    // Only a removal that also takes anonymous volumes marks the record first.
    await d.finishRemoval(c, true);
    return;
  }
  // An exited record was saved after its run was cleaned up (runc delete, unmount): only an
  // unmount interrupted by a crash can be left, which the check below catches without asking runc.
  const st = c.state.status === 'exited' ? null : await d.runtime.state(c.id).catch(() => null);
  if (c.state.status === 'running' || c.state.status === 'paused') {
    if (st && (st.status === 'running' || st.status === 'paused')) {
      // Still alive under its conmon: adopt it again.
      d.rootfs.adopt(c.id);
      if (st.status !== c.state.status) {
        c.state.status = st.status;
        await d.store.save(c);
      }
      d.armWatcher(c.id);
      d.watchHealth(c, false);
      d.log.info(`container ${c.id.slice(0, 12)} still running (pid ${st.pid})`);
      return;
    }
    const exit = await d.runtime.readExit(c.id).catch(() => null);
    await d.recordExit(c, exit ?? { exitCode: EXIT_LOST, finishedAt: new Date(), oomKilled: false }, exit ? '' : 'container monitor disappeared');
    if (c.hostConfig.AutoRemove) await d.remove(c.id, { force: true, volumes: true }).catch((e) => d.log.warn(`auto-remove ${c.id}`, e));
    return;
  }
  if (c.state.status === 'created' && st && (st.status === 'running' || st.status === 'paused')) {
    // berthd was killed between `runc start` and saving the record: the container did start.
    d.rootfs.adopt(c.id);
    c.state = { ...c.state, status: st.status, pid: st.pid, error: '', exitCode: 0, startedAt: new Date().toISOString() };
    await d.store.save(c);
    d.armWatcher(c.id);
    d.watchHealth(c, true);
    d.log.info(`container ${c.id.slice(0, 12)} was started by the previous daemon (pid ${st.pid}); adopted`);
    return;
  }
  // created/exited: nothing may run or stay mounted (a daemon killed mid-start leaves both behind).
  if (st) await d.runtime.delete(c.id, true).catch(() => {});
  if (await d.host.isMounted(p.mergedDir).catch(() => false)) await d.host.unmountOverlay(p.mergedDir).catch(() => {});
}
