// docker update carried out (under the container's lock, taken by the service): new limits to a
// running container's cgroups at once, and into HostConfig for every later start.
import { NotImplementedError, SystemError } from '../../errors.js';
import type { ContainerRuntime } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps } from './container-host.js';
import { planUpdate, type UpdateBody } from './container-update.js';

export interface UpdateDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  isRunning(c: ContainerRecord): boolean;
  publish(c: ContainerRecord, action: string): void;
}

export async function applyUpdate(d: UpdateDeps, id: string, body: UpdateBody): Promise<{ warnings: string[] }> {
  const c = d.store.find(id);
  const plan = planUpdate(c.hostConfig, body, { swapAccounting: d.host.swapAccounting?.() ?? true });
  if (d.isRunning(c) && Object.keys(plan.resources).length) {
    if (!d.runtime.update) throw new NotImplementedError('this runtime cannot change limits of a running container');
    try {
      await d.runtime.update(c.id, plan.resources);
    } catch (e) {
      throw new SystemError(`Cannot update container ${c.id}: ${(e as Error).message}`, { cause: e });
    }
  }
  c.hostConfig = plan.hostConfig;
  await d.store.save(c);
  d.publish(c, 'update');
  return { warnings: [] };
}
