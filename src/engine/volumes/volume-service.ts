// Named and anonymous volumes with the `local` driver: a directory `<root>/<name>/_data` plus
// `<root>/<name>/meta.json` (written atomically). The container service tells us which containers use
// a volume, so `volume rm` refuses one in use as Docker does.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { EventBus } from '../events.js';
import type { Logger } from '../../daemon/logger.js';
import { ConflictError, InvalidParameterError, noSuchVolume } from '../../errors.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
}

export interface VolumeCreateOptions {
  name?: string;
  anonymous?: boolean;
  driver?: string;
  labels?: Record<string, string> | undefined;
  driverOpts?: Record<string, string> | undefined;
  /** Return the existing volume instead of failing when the name is taken (docker run -v name:/x). */
  ifMissing?: boolean;
}

// Docker's rule for volume names.
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeService {
  private readonly root: string;
  private readonly events: EventBus;
  private readonly log: Logger;
  private readonly volumes = new Map<string, VolumeRecord>();
  private usage: (name: string) => string[] = () => [];
  /** Serialises create/remove per name so two concurrent requests cannot half-make one volume. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(opts: { root: string; events: EventBus; log: Logger }) {
    this.root = opts.root;
    this.events = opts.events;
    this.log = opts.log;
  }

  async init(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const e of await fs.readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith('.tmp-')) {
        // A create interrupted by a crash: never visible, so drop it.
        await fs.rm(path.join(this.root, e.name), { recursive: true, force: true });
        continue;
      }
      try {
        const meta = JSON.parse(await fs.readFile(path.join(this.root, e.name, 'meta.json'), 'utf8')) as VolumeRecord;
        this.volumes.set(meta.name, { ...meta, mountpoint: this.dataDir(meta.name) });
      } catch (err) {
        this.log.warn(`ignoring volume directory ${e.name}: no readable meta.json`, err);
      }
    }
  }

  setUsage(fn: (name: string) => string[]): void {
    this.usage = fn;
  }

  private dataDir(name: string): string {
    return path.join(this.root, name, '_data');
  }

  private async locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.locks.set(name, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(name) === next) this.locks.delete(name);
    }
  }

  async create(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    const driver = opts.driver || 'local';
    if (driver !== 'local') throw new NotFoundPluginError(driver);
    const name = opts.name || crypto.randomBytes(32).toString('hex');
    if (!NAME_RE.test(name)) {
      throw new InvalidParameterError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    return this.locked(name, async () => {
      const existing = this.volumes.get(name);
      if (existing) {
        // Docker answers a create of an existing volume with that volume (idempotent), unless options differ.
        if (opts.driverOpts && Object.keys(opts.driverOpts).length && JSON.stringify(opts.driverOpts) !== JSON.stringify(existing.options)) {
          throw new ConflictError(`create ${name}: volume already exists with different options`);
        }
        return existing;
      }
      const rec: VolumeRecord = {
        name,
        driver: 'local',
        mountpoint: this.dataDir(name),
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        labels: opts.labels ?? {},
        options: opts.driverOpts ?? {},
        anonymous: !opts.name || !!opts.anonymous,
      };
      // Build in a temp dir and rename, so a crash never leaves a volume without its meta.json.
      const tmp = path.join(this.root, `.tmp-${name}-${process.pid}`);
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.mkdir(path.join(tmp, '_data'), { recursive: true, mode: 0o755 });
      await writeFileAtomic(path.join(tmp, 'meta.json'), JSON.stringify(rec, null, 2));
      await fs.rename(tmp, path.join(this.root, name));
      this.volumes.set(name, rec);
      this.events.publish({ type: 'volume', action: 'create', id: name, attributes: { driver: 'local' } });
      return rec;
    });
  }

  get(name: string): VolumeRecord {
    const v = this.volumes.get(name);
    if (!v) throw noSuchVolume(name);
    return v;
  }

  mountpoint(name: string): string {
    return this.get(name).mountpoint;
  }

  list(filters: Record<string, string[]> = {}): VolumeRecord[] {
    for (const k of Object.keys(filters)) {
      if (!['name', 'label', 'dangling', 'driver'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    }
    return [...this.volumes.values()].filter((v) => matches(v, filters, this.usage(v.name).length > 0)).sort((a, b) => a.name.localeCompare(b.name));
  }

  refCount(name: string): number {
    return this.usage(name).length;
  }

  /** Size of a volume's data in bytes (for `system df` and `volume ls` usage data). */
  async size(name: string): Promise<number> {
    return dirSize(this.mountpoint(name));
  }

  async remove(name: string, force = false): Promise<void> {
    await this.locked(name, async () => {
      const v = this.volumes.get(name);
      if (!v) {
        if (force) return;
        throw noSuchVolume(name);
      }
      const users = this.usage(name);
      if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      // Rename first so a crash mid-delete never leaves a half-deleted volume that still looks valid.
      const doomed = path.join(this.root, `.tmp-rm-${name}-${process.pid}`);
      await fs.rename(path.join(this.root, name), doomed);
      this.volumes.delete(name);
      await fs.rm(doomed, { recursive: true, force: true });
      this.events.publish({ type: 'volume', action: 'destroy', id: name, attributes: { driver: 'local' } });
    });
  }

  /** Removes unused volumes; by default only anonymous ones, as Docker 23+ does (`all=true` for named too). */
  async prune(filters: Record<string, string[]> = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    const all = (filters['all'] ?? []).some((v) => v === 'true' || v === '1');
    const rest = { ...filters };
    delete rest['all'];
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.list(rest)) {
      if (this.usage(v.name).length) continue;
      if (!all && !v.anonymous) continue;
      const size = await dirSize(v.mountpoint).catch(() => 0);
      try {
        await this.remove(v.name);
        deleted.push(v.name);
        reclaimed += size;
      } catch (e) {
        this.log.warn(`prune: keeping volume ${v.name}`, e);
      }
    }
    return { deleted, reclaimed };
  }

  count(): number {
    return this.volumes.size;
  }
}

export class NotFoundPluginError extends InvalidParameterError {
  constructor(driver: string) {
    super(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  }
}

function matches(v: VolumeRecord, f: Record<string, string[]>, inUse: boolean): boolean {
  const name = f['name'];
  if (name?.length && !name.some((n) => v.name.includes(n))) return false;
  const driver = f['driver'];
  if (driver?.length && !driver.includes(v.driver)) return false;
  const dangling = f['dangling'];
  if (dangling?.length) {
    const want = dangling.some((d) => d === 'true' || d === '1');
    if (want === inUse) return false;
  }
  const label = f['label'];
  if (label?.length) {
    for (const l of label) {
      const i = l.indexOf('=');
      if (i < 0 ? !(l in v.labels) : v.labels[l.slice(0, i)] !== l.slice(i + 1)) return false;
    }
  }
  return true;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else total += (await fs.lstat(p)).size;
  }
  return total;
}
