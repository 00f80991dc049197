// Runs staged ahead of their start: a just-created container's run is prepared in the background
// (rootfs, network, bundle, the runtime's create) so that the start `docker run` sends next only
// lets the process go.
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { NetworkAttachment } from './container-host.js';

/** A run staged up to the runtime's create (see stageRun). */
export interface StagedRun {
  pid: number;
  conmonPid: number;
  net: NetworkAttachment;
}

/** How long a run staged at create waits for its start, and how many may wait at once. */
export const START_AHEAD_MS = 2000;
export const MAX_STAGED_AHEAD = 4;

export interface StartAheadDeps {
  /** The daemon's --start-ahead setting. */
  enabled(): boolean;
  startAheadMs: number;
  store: Pick<ContainerStore, 'tryFind'>;
  runtime: Pick<ContainerRuntime, 'delete'>;
  log: Logger;
  /** Containers being removed (a run is not staged for them). */
  removing: ReadonlySet<string>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  stageRun(c: ContainerRecord, gate?: Promise<void>): Promise<StagedRun>;
  unstage(c: ContainerRecord): Promise<void>;
  track(job: Promise<void>): Promise<void>;
}

export class StartAhead {
  /** Runs staged ahead of their start, and how many are being staged. */
  private readonly prepared = new Map<string, StagedRun & { timer: NodeJS.Timeout }>();
  private staging = 0;

  constructor(private readonly d: StartAheadDeps) {}

  /** The ids with a staged run (shutdown takes them back). */
  ids(): string[] {
    return [...this.prepared.keys()];
  }

  /**
   * Stages a just-created container's run in the background, so that the start which `docker run`
   * sends a few milliseconds later only has to let the process go (the runtime's create is most of
   * a start's time). Nothing of it is visible through the API: the container stays "created" with no
   * PID. A staged run that is not started within START_AHEAD_MS is taken back; so is one whose
   * container is removed or written into (docker cp) first. At most MAX_STAGED_AHEAD at a time, so a
   * burst of `docker create` costs little.
   */
  stage(c: ContainerRecord, etcWritten: Promise<unknown>, saved: Promise<unknown>): void {
    const id = c.id;
    if (!this.d.enabled() || this.prepared.size + this.staging >= MAX_STAGED_AHEAD) return;
    this.staging++;
    const job = this.d.withLock(id, async () => {
      // Staging overlaps the create's own writes: the runtime's create needs only the /etc files it
      // bind-mounts. A crash before the record is saved leaves a directory without one, which start-up
      // cleans as an orphan, runtime state included.
      const gate = etcWritten.then(() => undefined);
      gate.catch(() => {}); // handled where stageRun awaits it; a failure before that must not go unhandled
      const staged = await this.d.stageRun(c, gate);
      const wanted = await saved.then(
        () => this.d.store.tryFind(id) === c && c.state.status === 'created' && !this.d.removing.has(id) && !this.prepared.has(id),
        () => false,
      );
      if (!wanted) {
        await this.d.unstage(c);
        return;
      }
      const timer = setTimeout(() => void this.discard(id), this.d.startAheadMs);
      timer.unref();
      this.prepared.set(id, { ...staged, timer });
    })
      .catch((e) => this.d.log.debug(`staging ${id} ahead of its start failed; the start will do it again and report`, e))
      .finally(() => this.staging--);
    void this.d.track(job);
  }

  take(id: string): StagedRun | undefined {
    const p = this.prepared.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.prepared.delete(id);
    return p;
  }

  /** Takes back a run staged ahead (under the container's lock); a no-op when there is none. */
  async discard(id: string): Promise<void> {
    if (!this.prepared.has(id)) return;
    await this.d.withLock(id, async () => {
      const staged = this.take(id);
      if (!staged) return;
      const c = this.d.store.tryFind(id);
      if (c && c.id === id) await this.d.unstage(c);
      else await this.d.runtime.delete(id, true).catch(() => {});
    });
  }
}
