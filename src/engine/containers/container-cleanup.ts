// What a removed (or half-made) container leaves on the host, taken away: runtime state, network,
// rootfs mount, cgroup, files.
import fs from 'node:fs/promises';
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import { cgroupsPath } from './run-spec.js';

export interface CleanupDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  networking: ContainerNetworking;
  log: Logger;
}

/** What a removed container leaves on the host: runtime state, network, rootfs mount, cgroup, files. */
export async function cleanUpRemoved(d: CleanupDeps, c: ContainerRecord, runtimeDelete: boolean): Promise<void> {
  const p = d.store.paths(c.id);
  await Promise.all([
    (runtimeDelete ? d.runtime.delete(c.id, true).catch((e) => d.log.warn(`runc delete ${c.id}`, e)) : Promise.resolve()).then(() =>
      d.host.removeCgroup(cgroupsPath(c.id)).catch(() => {}),
    ),
    d.networking.release(c).catch((e) => d.log.warn(`network release ${c.id}`, e)),
    (async () => {
      if (await d.host.isMounted(p.mergedDir).catch(() => false)) await d.host.unmountOverlay(p.mergedDir);
      await fs.rm(p.overlayDir, { recursive: true, force: true });
    })().catch((e) => d.log.warn(`removing the rootfs of ${c.id}`, e)),
  ]);
  await d.runtime.forget?.(c.id).catch(() => {});
  await d.store.removeFiles(c.id).catch((e) => d.log.warn(`removing the files of ${c.id}`, e));
}

/** A container directory without a record (a create or removal cut off by a crash). */
export async function removeOrphan(d: CleanupDeps, id: string): Promise<void> {
  d.log.info(`removing half-made container ${id}`);
  const p = d.store.paths(id);
  // A runtime started ahead of a create (or a create cut off) may still wait under its monitor.
  d.runtime.killMonitor?.(id);
  await d.host.unmountOverlay(p.mergedDir).catch(() => {});
  await d.runtime.delete(id, true).catch(() => {});
  await d.runtime.forget?.(id).catch(() => {});
  await d.host.removeCgroup(cgroupsPath(id)).catch(() => {});
  await fs.rm(p.overlayDir, { recursive: true, force: true });
  await fs.rm(p.dir, { recursive: true, force: true });
}
