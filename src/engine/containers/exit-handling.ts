// The end of a run: each running container's exit is watched; when it comes, the run is cleaned up
// (runtime state, network, rootfs, log bounding), the exit recorded, waiters and events told, and
// the restart policy asked (or, for --rm, the container removed).
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime, ExitInfo } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import type { LogRotator } from './log-rotator.js';
import type { HealthMonitor } from './health-check.js';
import type { ExecManager } from './exec-manager.js';
import type { ExitWaiters } from './exit-waiters.js';
import { processGone } from '../../host/process-state.js';
import { deferred, type Deferred } from './deferred.js';
import { cgroupsPath } from './run-spec.js';

/** Exit code Docker records when it cannot tell how a container ended (its monitor vanished). */
export const EXIT_LOST = 255;
/** How long an exit's handling waits for conmon to drain the last output into the log. */
const MONITOR_DRAIN_MS = 2000;

export interface ExitHandlingDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  networking: ContainerNetworking;
  log: Logger;
  rotator: Pick<LogRotator, 'boundExited'>;
  health: Pick<HealthMonitor, 'unwatch'>;
  exec: Pick<ExecManager, 'containerStopped'>;
  waiters: ExitWaiters;
  /** Containers being removed. */
  removing: Set<string>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  finishRemoval(c: ContainerRecord, removeVolumes: boolean, o: { ranInRuntime?: boolean; background?: boolean }): Promise<void>;
  releaseRootfs(id: string): Promise<void>;
  /** The restart policy's turn after an exit was recorded. */
  afterExit(c: ContainerRecord, ranForMs: number): void;
  publish(c: ContainerRecord, action: string, extra?: Record<string, string>): void;
}

export class ExitHandling {
  /** Resolved when the current run's exit has been fully handled (state saved, rootfs unmounted). */
  private readonly runs = new Map<string, { exited: Deferred<ExitInfo>; watch: AbortController }>();
  /** Containers whose exit is being handled (their log gets its last bounding there, not from the rotator). */
  private readonly exiting = new Set<string>();

  constructor(private readonly d: ExitHandlingDeps) {}

  isExiting(id: string): boolean {
    return this.exiting.has(id);
  }

  /** Stops watching a run (shutdown: the container keeps running; removal: it is gone). */
  drop(id: string): void {
    this.runs.get(id)?.watch.abort();
    this.runs.delete(id);
  }

  /** Stops watching every run (shutdown). */
  dropAll(): void {
    for (const r of this.runs.values()) r.watch.abort();
    this.runs.clear();
  }

  /** Watches a run for its exit (after a start, or a run adopted at start-up). */
  arm(id: string): void {
    const watch = new AbortController();
    const run = { exited: deferred<ExitInfo>(), watch };
    this.runs.set(id, run);
    this.d.runtime.waitExit(id, watch.signal).then(
      (info) => void this.handle(id, info, run),
      (e) => {
        if (watch.signal.aborted) return;
        this.d.log.error(`watching container ${id} failed; treating it as exited`, e);
        void this.handle(id, { exitCode: EXIT_LOST, finishedAt: new Date(), oomKilled: false }, run);
      },
    );
  }

  private async handle(id: string, info: ExitInfo, run: { exited: Deferred<ExitInfo> }): Promise<void> {
    this.exiting.add(id);
    try {
      await this.d.withLock(id, async () => {
        const c = this.d.store.tryFind(id);
        if (!c || c.id !== id) return;
        if (c.hostConfig.AutoRemove && !this.d.removing.has(id)) {
          // --rm: the run's clean-up and the removal's are one job, and the client waiting for
          // "removed" need not wait for it (runc delete, unmount, rm -rf): the record goes first.
          this.mark(c, info, '');
          this.d.removing.add(id);
          try {
            await this.d.finishRemoval(c, true, { ranInRuntime: true, background: true });
          } finally {
            this.d.removing.delete(id);
          }
          return;
        }
        await this.record(c, info, '');
        this.d.afterExit(c, Date.parse(c.state.finishedAt) - Date.parse(c.state.startedAt));
      });
    } catch (e) {
      this.d.log.error(`handling exit of ${id}`, e);
    } finally {
      this.exiting.delete(id);
      if (this.runs.get(id) === run) this.runs.delete(id);
      run.exited.resolve(info);
    }
  }

  /** Cleans up after a run (runtime state, network, rootfs) and records how it ended. */
  async record(c: ContainerRecord, info: ExitInfo, error: string): Promise<void> {
    // Independent clean-ups run side by side: `runc delete` waits for the cgroup to empty, the
    // unmount and the log bounding do not need it.
    await Promise.all([
      this.d.runtime
        .delete(c.id, true)
        .catch((e) => this.d.log.warn(`runc delete ${c.id}`, e))
        .then(() => this.d.host.removeCgroup(cgroupsPath(c.id)).catch(() => {})),
      this.d.networking.release(c).catch((e) => this.d.log.warn(`network release ${c.id}`, e)),
      this.d.releaseRootfs(c.id).catch((e) => this.d.log.warn(`unmount ${c.id}`, e)),
      // Output faster than the rotation check may have overrun max-size: bound the files now, once
      // conmon is gone (it writes the exit file first and drains the last output to the log after).
      processGone(c.state.conmonPid, MONITOR_DRAIN_MS)
        .then(() => this.d.rotator.boundExited(this.d.store.paths(c.id).logFile, c.logMaxSize, c.logMaxFile))
        .catch((e) => this.d.log.warn(`bounding the log of ${c.id}`, e)),
    ]);
    this.mark(c, info, error);
    await this.d.store.saveState(c);
  }

  /** The exited state in memory, the die event and the exit waiters; saving is the caller's. */
  mark(c: ContainerRecord, info: ExitInfo, error: string): void {
    this.d.health.unwatch(c.id);
    this.d.exec.containerStopped(c.id);
    delete c.network;
    c.state = {
      ...c.state,
      status: 'exited',
      pid: 0,
      conmonPid: 0,
      exitCode: info.exitCode,
      oomKilled: info.oomKilled,
      error,
      // The exit file's time can precede the moment we recorded the start of a very short run.
      finishedAt: new Date(Math.max(info.finishedAt.getTime(), Date.parse(c.state.startedAt) || 0)).toISOString(),
    };
    if (info.oomKilled) this.d.publish(c, 'oom');
    this.d.publish(c, 'die', { exitCode: String(info.exitCode) });
    this.d.waiters.resolve(c.id, ['not-running', 'next-exit'], { statusCode: info.exitCode, error: error || null });
  }

  /** The promise of the current run's handled exit (resolves at once if there is no run). */
  exitOf(id: string): Promise<ExitInfo | null> {
    return this.runs.get(id)?.exited.promise ?? Promise.resolve(null);
  }
}
