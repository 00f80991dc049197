// A container's runtime started ahead of its create: conmon and `runc create` for an ID chosen in
// advance, waiting for their config (ContainerRuntime.startAhead). The next create of the same shape
// takes that ID, and its run skips their start-up: about 15 ms of a `docker run` here, most of it two
// program start-ups (conmon's libraries, runc's Go runtime) that no longer lie on its path.
//
// One waits at a time, started a little after a create (off the path of the run that create began)
// in the shape of that create. Its directory (the bundle with config.json as a FIFO, the log) is
// marked with an `ahead` file; it has no record, so a daemon killed while one waits finds it at
// start-up as an orphan and removes it, monitor included (removeOrphan).
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime } from './runtime-contract.js';
import type { ContainerPaths } from './container-model.js';
import { runtimeCreateOptionsFor, sameShape, type RunShape } from './run-staging.js';

/** After a create, how long before the next runtime is started ahead: past the run it began. */
export const AHEAD_DELAY_MS = 100;
/** The file that marks a container directory as a runtime's started ahead (no container yet). */
export const AHEAD_MARKER = 'ahead';

export interface RuntimeAheadDeps {
  runtime: Pick<ContainerRuntime, 'startAhead' | 'dropAhead'>;
  paths(id: string): Readonly<ContainerPaths>;
  /** The daemon's --start-ahead setting (the same switch as a run staged at create). */
  enabled(): boolean;
  log: Logger;
  track(job: Promise<void>): Promise<void>;
}

export class RuntimeAhead {
  /** The runtime waiting, by the ID it was started for and the shape of the creates it serves. */
  private waiting: { id: string; shape: RunShape } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly d: RuntimeAheadDeps) {}

  /** The ID for a create of this shape when a runtime waits for one (it is then the create's), else undefined. */
  take(shape: RunShape): string | undefined {
    const w = this.waiting;
    if (!w || !sameShape(w.shape, shape)) return undefined;
    this.waiting = null;
    fsSync.rmSync(path.join(this.d.paths(w.id).dir, AHEAD_MARKER), { force: true });
    return w.id;
  }

  /** After a create of this shape: the next runtime, started a little later. */
  prepareAfter(shape: RunShape): void {
    if (this.closed || !this.d.enabled() || !this.d.runtime.startAhead) return;
    if (this.waiting && sameShape(this.waiting.shape, shape)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.d.track(this.start(shape)), AHEAD_DELAY_MS);
    this.timer.unref();
  }

  private async start(shape: RunShape): Promise<void> {
    if (this.closed || (this.waiting && sameShape(this.waiting.shape, shape))) return;
    if (this.waiting) await this.drop(); // another shape: the latest creates tell what comes next
    const id = randomBytes(32).toString('hex');
    const p = this.d.paths(id);
    try {
      fsSync.mkdirSync(p.dir, { recursive: true, mode: 0o710 });
      fsSync.writeFileSync(path.join(p.dir, AHEAD_MARKER), '');
      if (!this.closed && (await this.d.runtime.startAhead!(runtimeCreateOptionsFor(id, p, shape)))) {
        if (!this.closed) {
          this.waiting = { id, shape };
          return;
        }
        await this.d.runtime.dropAhead?.(id);
      }
    } catch (e) {
      this.d.log.debug('starting a runtime ahead failed', e);
    }
    await fs.rm(p.dir, { recursive: true, force: true }).catch(() => {});
  }

  /**
   * A create that took `id` failed before its run: the runtime started for it goes, with its
   * directory (unless a staging had already taken it over: then the create's own undoing does it).
   */
  async dropTaken(id: string): Promise<void> {
    if ((await this.d.runtime.dropAhead?.(id).catch(() => null)) === id) await fs.rm(this.d.paths(id).dir, { recursive: true, force: true }).catch(() => {});
  }

  /** Kills the runtime waiting (if any) and removes its directory. */
  private async drop(): Promise<void> {
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    await this.d.runtime.dropAhead?.(w.id).catch(() => null);
    await fs.rm(this.d.paths(w.id).dir, { recursive: true, force: true }).catch(() => {});
  }

  /** Shutdown: nothing more is started; the one waiting goes (a container that took one keeps it). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.drop();
  }
}
