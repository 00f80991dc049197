// Network records on disk: one JSON file per network under <data-root>/networks, written whole to a
// temp file, fsynced and renamed, so a crash leaves each network either as it was or as it became.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { Logger } from '../../daemon/logger.js';

export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  /** bridge for the default bridge and user-defined networks; host and null for the built-ins. */
  driver: 'bridge' | 'host' | 'null';
  /** The Linux bridge (bridge driver only). */
  bridge?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** bridge, host and none: made by the daemon, never removed. */
  builtin: boolean;
  /** True for the default bridge ("bridge"), whose containers get no name resolution, as Docker's. */
  isDefault?: boolean;
}

export class NetworkStore {
  private readonly records = new Map<string, NetworkRecord>();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.dir)) {
      const p = path.join(this.dir, name);
      if (!name.endsWith('.json')) {
        await fsp.rm(p, { force: true }); // a temp file of an interrupted write
        continue;
      }
      try {
        const rec = JSON.parse(await fsp.readFile(p, 'utf8')) as NetworkRecord;
        if (typeof rec.id !== 'string' || `${rec.id}.json` !== name || typeof rec.name !== 'string') throw new Error('record does not match its file name');
        this.records.set(rec.id, rec);
      } catch (e) {
        this.log.warn(`ignoring unreadable network record ${p}: ${(e as Error).message}`);
      }
    }
  }

  list(): NetworkRecord[] {
    return [...this.records.values()];
  }

  get(id: string): NetworkRecord | undefined {
    return this.records.get(id);
  }

  async save(rec: NetworkRecord): Promise<void> {
    await writeFileAtomic(path.join(this.dir, `${rec.id}.json`), JSON.stringify(rec));
    this.records.set(rec.id, rec);
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    await fsp.rm(path.join(this.dir, `${id}.json`), { force: true });
  }
}
