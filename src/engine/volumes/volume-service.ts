// The volume service: Docker's `local` volume driver. Named and anonymous volumes under
// <dataRoot>/volumes, an in-memory index rebuilt from disk at start-up, Docker's name rules, filters,
// in-use conflicts and events. The container service tells it who uses a volume (setUsage).
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidParameterError, NotFoundError, NotImplementedError, noSuchVolume } from '../../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../../daemon/logger.js';
import { newId, validateVolumeName } from '../../lib/names/index.js';
import { ANONYMOUS_LABEL, type CreateVolumeRequest, type VolumeRecord } from './volume-model.js';
import { listFilter, pruneFilter, type Filters } from './volume-filters.js';
import { VolumeStore } from './volume-store.js';

export type { CreateVolumeRequest, VolumeRecord } from './volume-model.js';
export { ANONYMOUS_LABEL } from './volume-model.js';

// Options Docker's local driver knows (it mounts `type`/`device`/`o` when a container starts).
const LOCAL_DRIVER_OPTS = new Set(['type', 'device', 'o', 'size']);
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface VolumeServiceOptions {
  /** <dataRoot>/volumes */
  root: string;
  events: EventBus;
  log: Logger;
}

export interface PruneResult {
  deleted: string[];
  reclaimed: number;
}

const copy = (v: VolumeRecord): VolumeRecord => ({ ...v, labels: { ...v.labels }, options: { ...v.options } });

export class VolumeService {
  private readonly store: VolumeStore;
  private readonly events: EventBus;
  private readonly log: Logger;
  private readonly index = new Map<string, VolumeRecord>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private usage: (name: string) => string[] = () => [];

  constructor(opts: VolumeServiceOptions) {
    this.store = new VolumeStore(opts.root);
    this.events = opts.events;
    this.log = opts.log;
  }

  async init(): Promise<void> {
    await this.store.init();
    const all = await this.store.loadAll((n) => VALID_NAME.test(n), (m) => this.log.warn(m));
    for (const v of all) this.index.set(v.name, v);
    this.log.debug(`volumes: ${this.index.size} loaded from ${this.store.root}`);
  }

  /** The container service answers "which containers use this volume" (IDs). */
  setUsage(fn: (name: string) => string[]): void {
    this.usage = fn;
  }

  usedBy(name: string): string[] {
    return this.usage(name);
  }

  /** Runs fn with the name locked, so create/remove of one volume never interleave. */
  private async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  /**
   * `docker volume create` and the container service's `-v name:/path` / `-v /path`. Creating a
   * named volume that exists returns it unchanged (Docker does the same, and emits `create` again).
   */
  async create(req: CreateVolumeRequest = {}): Promise<VolumeRecord> {
    const name = req.name ? req.name : newId((n) => randomBytes(n));
    const driver = req.driver || 'local';
    if (driver !== 'local') throw new NotFoundError(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    try {
      validateVolumeName(name);
    } catch (e) {
      throw new InvalidParameterError(`create ${name}: ${(e as Error).message}`);
    }
    const opts = req.driverOpts ?? {};
    for (const k of Object.keys(opts)) {
      if (!LOCAL_DRIVER_OPTS.has(k)) throw new InvalidParameterError(`create ${name}: invalid option: ${JSON.stringify(k)}`);
    }
    const labels: Record<string, string> = { ...(req.labels ?? {}) };
    if (req.anonymous) labels[ANONYMOUS_LABEL] = '';
    return this.withLock(name, async () => {
      const existing = this.index.get(name);
      if (existing) {
        this.events.publish({ type: 'volume', action: 'create', id: name, attributes: { driver: 'local' } });
        return copy(existing);
      }
      if (Object.keys(opts).length > 0) {
        // Docker mounts these (tmpfs, nfs, a block device) when a container first uses the volume;
        // berth does not mount volumes yet, and pretending would hand out a plain directory.
        throw new NotImplementedError(`create ${name}: the local driver's mount options (${Object.keys(opts).join(', ')}) are not supported by berth yet`);
      }
      const v = await this.store.create(name, labels, {}, new Date());
      this.index.set(name, v);
      this.log.debug(`volume ${name} created`);
      this.events.publish({ type: 'volume', action: 'create', id: name, attributes: { driver: 'local' } });
      return copy(v);
    });
  }

  /** Throws Docker's 404 `get NAME: no such volume`. */
  get(name: string): VolumeRecord {
    const v = this.index.get(name);
    if (!v) throw noSuchVolume(name);
    return copy(v);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  mountpoint(name: string): string {
    return this.get(name).mountpoint;
  }

  /** Bytes used by the volume's data (Docker's UsageData.Size, prune's SpaceReclaimed). */
  size(name: string): Promise<number> {
    this.get(name);
    return this.store.size(name);
  }

  /** `GET /volumes`: sorted by name; filters name (regexp), label, dangling, driver. */
  list(filters: Filters = {}): VolumeRecord[] {
    const pred = listFilter(filters, (n) => this.usage(n).length > 0);
    return [...this.index.values()]
      .filter(pred)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(copy);
  }

  /**
   * `docker volume rm`. A volume in use is a 409 naming its containers (even with force, as Docker);
   * force only makes a missing volume a success.
   */
  async remove(name: string, force = false): Promise<void> {
    await this.withLock(name, async () => {
      if (!this.index.has(name)) {
        if (force) return;
        throw noSuchVolume(name);
      }
      await this.removeLocked(name);
    });
  }

  private async removeLocked(name: string): Promise<void> {
    const users = this.usage(name);
    if (users.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.store.remove(name);
    this.index.delete(name);
    this.log.debug(`volume ${name} removed`);
    this.events.publish({ type: 'volume', action: 'destroy', id: name, attributes: { driver: 'local' } });
  }

  /**
   * `docker volume prune`: unused volumes matching the filters. Since API 1.42 only anonymous ones
   * unless `all=true`; `allByDefault` gives older clients the old behaviour (every unused volume).
   */
  async prune(filters: Filters = {}, opts: { allByDefault?: boolean } = {}): Promise<PruneResult> {
    const pred = pruneFilter(filters, opts.allByDefault ?? false);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.list()) {
      if (!pred(v) || this.usage(v.name).length > 0) continue;
      await this.withLock(v.name, async () => {
        if (!this.index.has(v.name) || this.usage(v.name).length > 0) return;
        const size = await this.store.size(v.name);
        await this.removeLocked(v.name);
        deleted.push(v.name);
        reclaimed += size;
      });
    }
    this.events.publish({ type: 'volume', action: 'prune', id: '', attributes: { reclaimed: String(reclaimed) } });
    return { deleted, reclaimed };
  }
}
