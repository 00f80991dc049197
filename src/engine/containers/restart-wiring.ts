// The restart policy wired to a container's runs: after an exit, back to "restarting" with a back-off
// timer when the policy says so; when the timer fires, the same container started again.
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { RestartSupervisor } from './restart-supervisor.js';
import { shouldRestart } from './restart-policy.js';

export interface RestartWiringDeps {
  store: ContainerStore;
  log: Logger;
  restarts: Pick<RestartSupervisor, 'schedule'>;
  removing: ReadonlySet<string>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  startLocked(c: ContainerRecord): Promise<void>;
}

/** A restart the container's policy asked for, once its back-off has passed. */
export async function policyRestart(d: RestartWiringDeps, id: string): Promise<void> {
  await d.withLock(id, async () => {
    const c = d.store.tryFind(id);
    if (!c || c.id !== id || c.state.status !== 'restarting' || c.manuallyStopped || d.removing.has(id)) return;
    c.restartCount++;
    try {
      await d.startLocked(c);
    } catch (e) {
      d.log.warn(`restart of ${id.slice(0, 12)} by its policy failed: ${(e as Error).message}`);
      afterExit(d, c, 0);
    }
  }).catch((e) => d.log.error(`restarting ${id}`, e));
}

/** After an exit was recorded: back to "restarting" with a timer when the policy says so. */
export function afterExit(d: RestartWiringDeps, c: ContainerRecord, ranForMs: number): void {
  if (!shouldRestart(c.hostConfig.RestartPolicy, { exitCode: c.state.exitCode, restartCount: c.restartCount, manuallyStopped: !!c.manuallyStopped })) return;
  c.state.status = 'restarting';
  d.store.saveState(c).catch((e) => d.log.warn(`saving ${c.id}`, e));
  d.restarts.schedule(c.id, ranForMs, () => void policyRestart(d, c.id));
}
