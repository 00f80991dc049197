// The volumes' on-disk layout under <dataRoot>/volumes: <name>/_data (what containers mount) and
// <name>/meta.json (labels, options, creation time), written atomically (temp file, fsync, rename,
// fsync of the directory) so a crash never leaves half a record. Removal renames the volume into
// .trash first, so a crash mid-delete never leaves a half-deleted volume that still looks live.
import { writeFileAtomic } from '../atomic-file.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { VolumeRecord } from './volume-model.js';

const META = 'meta.json';
const DATA = '_data';
const TRASH = '.trash';

interface MetaFile {
  name: string;
  driver: 'local';
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

/** Docker's CreatedAt format: RFC 3339, seconds, UTC. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class VolumeStore {
  constructor(readonly root: string) {}

  dir(name: string): string {
    return path.join(this.root, name);
  }

  dataPath(name: string): string {
    return path.join(this.root, name, DATA);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    // Whatever a crash left in the trash was already removed from the user's point of view.
    await fs.rm(path.join(this.root, TRASH), { recursive: true, force: true });
  }

  private toRecord(m: MetaFile): VolumeRecord {
    return { name: m.name, driver: 'local', mountpoint: this.dataPath(m.name), createdAt: m.createdAt, labels: m.labels ?? {}, options: m.options ?? {} };
  }

  /**
   * Every volume on disk. A directory without a readable meta.json (a crash between mkdir and the
   * meta write, or a volume made by hand) is adopted as a plain volume, as Docker's local driver
   * adopts every directory in its root; `isValidName` keeps out temp files and the trash.
   */
  async loadAll(isValidName: (n: string) => boolean, warn: (msg: string) => void): Promise<VolumeRecord[]> {
    const out: VolumeRecord[] = [];
    for (const e of await fs.readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || !isValidName(e.name)) continue;
      const dir = this.dir(e.name);
      let meta: MetaFile | null = null;
      try {
        const parsed = JSON.parse(await fs.readFile(path.join(dir, META), 'utf8')) as MetaFile;
        if (parsed && parsed.name === e.name) meta = parsed;
        else warn(`volume ${e.name}: meta.json names ${String(parsed?.name)}; rewriting it`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`volume ${e.name}: unreadable meta.json (${(err as Error).message}); adopting it without labels`);
      }
      for (const f of await fs.readdir(dir)) if (f.startsWith('.tmp-')) await fs.rm(path.join(dir, f), { force: true });
      if (!meta) {
        await fs.mkdir(this.dataPath(e.name), { recursive: true, mode: 0o755 });
        const st = await fs.stat(dir);
        meta = { name: e.name, driver: 'local', createdAt: rfc3339(st.mtime), labels: {}, options: {} };
        await writeFileAtomic(path.join(dir, META), JSON.stringify(meta));
      }
      out.push(this.toRecord(meta));
    }
    return out;
  }

  /** Makes <name>/_data (reusing what a crashed create left) and writes meta.json last. */
  async create(name: string, labels: Record<string, string>, options: Record<string, string>, now: Date): Promise<VolumeRecord> {
    const dir = this.dir(name);
    await fs.mkdir(dir, { recursive: true, mode: 0o701 });
    await fs.mkdir(this.dataPath(name), { recursive: true, mode: 0o755 });
    const meta: MetaFile = { name, driver: 'local', createdAt: rfc3339(now), labels, options };
    await writeFileAtomic(path.join(dir, META), JSON.stringify(meta));
    return this.toRecord(meta);
  }

  /** Moves the volume out of sight at once (rename), then deletes its contents. */
  async remove(name: string): Promise<void> {
    const trash = path.join(this.root, TRASH);
    await fs.mkdir(trash, { recursive: true, mode: 0o700 });
    const target = path.join(trash, `${name}-${randomBytes(6).toString('hex')}`);
    await fs.rename(this.dir(name), target);
    await fs.rm(target, { recursive: true, force: true });
  }

  /** Bytes in the volume's data, as Docker's directory.Size counts them (files once per inode). */
  async size(name: string): Promise<number> {
    const seen = new Set<string>();
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        const st = await fs.lstat(p).catch(() => null);
        if (!st) continue;
        if (st.isDirectory()) {
          await walk(p);
          continue;
        }
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += st.size;
      }
    };
    await walk(this.dataPath(name));
    return total;
  }
}
