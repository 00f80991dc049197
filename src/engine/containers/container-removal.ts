// docker rm: a container killed first when forced, its record gone at once (so every client sees it
// gone), then what it left on the host (runtime state, mounts, cgroup, network, files, anonymous
// volumes when asked), in the background for the --rm path.
import type { Logger } from '../../daemon/logger.js';
import { ConflictError, InvalidParameterError } from '../../errors.js';
import type { EventBus } from '../events.js';
import { parseUntil } from './container-checks.js';
import { matchesListFilters } from './list-filters.js';
import { diskUsage } from './disk-usage.js';
import type { ContainerRuntime, ExitInfo } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import type { ExecManager } from './exec-manager.js';
import type { ExitWaiters } from './exit-waiters.js';
import type { ExitHandling } from './exit-handling.js';
import type { AttachBroker } from './attach-broker.js';
import type { RootfsMounts } from './rootfs-mounts.js';
import type { RestartSupervisor } from './restart-supervisor.js';
import type { VolumeAccess } from './volume-access.js';
import type { StagedRun } from './start-ahead.js';
import { SIGKILL } from './signals.js';
import { cleanUpRemoved } from './container-cleanup.js';

/** How long a force-remove waits for a SIGKILLed container's exit before cleaning up regardless. */
export const KILL_WAIT_MS = 10_000;

export interface RemovalDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  networking: ContainerNetworking;
  log: Logger;
  volumes: VolumeAccess;
  restarts: Pick<RestartSupervisor, 'forget'>;
  exits: Pick<ExitHandling, 'drop'>;
  attaches: Pick<AttachBroker, 'failPending'>;
  exec: Pick<ExecManager, 'containerRemoved'>;
  rootfs: Pick<RootfsMounts, 'forget'>;
  waiters: ExitWaiters;
  /** Containers being removed (shared with the service). */
  removing: Set<string>;
  isRunning(c: ContainerRecord): boolean;
  exitOf(id: string): Promise<ExitInfo | null>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  takePrepared(id: string): StagedRun | undefined;
  publish(c: ContainerRecord, action: string): void;
  track(job: Promise<void>): Promise<void>;
}

export class ContainerRemoval {
  /** Removals through the API in progress, by container ID (see remove). */
  private readonly removals = new Map<string, Promise<void>>();

  constructor(private readonly d: RemovalDeps) {}

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const c = this.d.store.find(idOrName);
    const pending = this.removals.get(c.id);
    if (pending) {
      if (!opts.force) throw new ConflictError(`removal of container ${c.name} is already in progress`);
      // Many `rm -f` of one container at once: one removes it, the others wait for that and then
      // find it gone, as a sequential order would have it (Docker: "No such container").
      await pending.catch(() => {});
      this.d.store.find(idOrName);
      return;
    }
    const removal = this.removeOnce(c, opts);
    this.removals.set(c.id, removal);
    try {
      await removal;
    } finally {
      if (this.removals.get(c.id) === removal) this.removals.delete(c.id);
    }
  }

  private async removeOnce(c: ContainerRecord, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    if (this.d.removing.has(c.id)) throw new ConflictError(`removal of container ${c.name} is already in progress`);
    if (c.state.status === 'restarting') {
      if (!opts.force) throw new ConflictError(`You cannot remove a restarting container ${c.id}. Stop the container before attempting removal or force remove`);
      this.d.restarts.forget(c.id);
    }
    if (this.d.isRunning(c)) {
      if (!opts.force) {
        throw new ConflictError(
          `You cannot remove a ${c.state.status} container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      const exited = this.d.exitOf(c.id);
      await this.d.runtime.kill(c.id, SIGKILL).catch(() => {});
      if (c.state.status === 'paused') await this.d.runtime.resume(c.id).catch(() => {});
      const ok = await Promise.race([exited.then(() => true), sleep(KILL_WAIT_MS).then(() => false)]);
      if (!ok) this.d.log.warn(`container ${c.id} did not report its exit after SIGKILL; removing anyway`);
    }
    // An AutoRemove started, or already finished, while we waited.
    if (this.d.removing.has(c.id) || this.d.store.tryFind(c.id)?.id !== c.id) return;
    this.d.removing.add(c.id);
    try {
      await this.d.withLock(c.id, () => this.finish(c, !!opts.volumes));
    } finally {
      this.d.removing.delete(c.id);
    }
  }

  /**
   * Removes a container that no longer runs. The record goes first (one unlink), so the container is
   * gone for every client at once; a crash after that leaves a directory without a record, which the
   * next start-up cleans as an orphan. The rest (runtime state, unmount, cgroup, files) follows,
   * awaited unless `background` (the --rm path, whose client only waits for the record to go).
   */
  async finish(c: ContainerRecord, removeVolumes: boolean, o: { ranInRuntime?: boolean; background?: boolean } = {}): Promise<void> {
    const anonymous = removeVolumes ? c.mounts.filter((m) => m.type === 'volume' && m.anonymous && m.name) : [];
    if (anonymous.length && !c.removalInProgress) {
      // Volumes outlive a crash only through the record that names them: mark it before it goes.
      c.removalInProgress = true;
      await this.d.store.save(c);
    }
    this.d.exits.drop(c.id);
    this.d.attaches.failPending(c.id);
    this.d.exec.containerRemoved(c.id);
    // An exited or never-started container was already deleted from the runtime (at its exit or
    // when its start failed); a run whose exit was not cleaned up still has runtime state.
    const stagedAhead = this.d.takePrepared(c.id) !== undefined;
    const runtimeDelete = !!o.ranInRuntime || stagedAhead || (c.state.status !== 'exited' && c.state.status !== 'created');
    this.d.rootfs.forget(c.id);
    await this.d.store.forget(c.id);
    for (const m of anonymous) {
      await this.d.volumes.remove(m.name!).catch((e) => this.d.log.debug(`keeping volume ${m.name}: ${(e as Error).message}`));
    }
    this.d.publish(c, 'destroy');
    this.d.waiters.resolve(c.id, ['not-running', 'next-exit', 'removed'], { statusCode: c.state.exitCode, error: null });
    if (!o.background) {
      await this.d.track(this.cleanUpRemoved(c, runtimeDelete));
      return;
    }
    // After this turn of the event loop, so the answers just resolved are written out first.
    void this.d.track(new Promise<void>((r) => setImmediate(r)).then(() => this.cleanUpRemoved(c, runtimeDelete)));
  }

  private cleanUpRemoved(c: ContainerRecord, runtimeDelete: boolean): Promise<void> {
    return cleanUpRemoved(this.d, c, runtimeDelete);
  }

  /** docker container prune: every container not running (and not being removed) that the filters take. */
  async prune(filters: Record<string, string[]> = {}, events: EventBus): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    for (const k of Object.keys(filters)) if (!['until', 'label', 'label!'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const untilMs = filters['until']?.[0] ? parseUntil(filters['until'][0]) : null;
    const deleted: string[] = [];
    let space = 0;
    for (const c of this.d.store.all()) {
      if (this.d.isRunning(c) || this.d.removing.has(c.id)) continue;
      if (untilMs !== null && Date.parse(c.created) >= untilMs) continue;
      if (!matchesListFilters(c, { label: filters['label'] ?? [], 'label!': filters['label!'] ?? [] }, null, false)) continue;
      const size = await diskUsage(this.d.store.paths(c.id).upperDir);
      try {
        await this.remove(c.id, {});
        deleted.push(c.id);
        space += size;
      } catch (e) {
        this.d.log.warn(`prune: ${c.id}`, e);
      }
    }
    events.publish({ type: 'container', action: 'prune', id: '', attributes: { reclaimed: String(space) } });
    return { deleted, spaceReclaimed: space };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
