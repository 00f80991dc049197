// The image store: which images exist and what names point at them. An image is its config blob (the
// image ID is the config's digest, as Docker's) plus a small record under <dataRoot>/images/db/<hex>.json
// written only once its blobs and layers are complete. Names (tags and digests) live in
// <dataRoot>/images/repositories.json in Docker's shape, rewritten atomically on every change. Both are
// read into memory at start-up, with the ID index used for unique-prefix lookups.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { digestHex, isDigest, type Digest } from '../../lib/oci/digest.js';
import { parseDockerRef, repoName, refString } from '../../lib/reference/reference.js';
import { InvalidParameterError } from '../../errors.js';
import type { Logger } from '../../daemon/logger.js';
import { writeFileAtomic } from './content-store.js';

export interface ImageRecord {
  id: Digest;
  /** The chain IDs of its layers, lowest first (computed from the config's diff_ids). */
  chainIds: Digest[];
  /** When this store first had the image. */
  added: string;
  lastTagTime: string;
  /** The image this one was built on, when the builder knows it (Docker's Parent). */
  parent?: Digest;
  /** Manifest blob in the content store when the image came with one (load of OCI layout, pull). */
  manifestDigest?: Digest;
}

/** Docker's repositories.json: {"Repositories": {"docker.io/library/busybox": {"docker.io/library/busybox:latest": "sha256:..."}}} */
interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

export class AmbiguousPrefixError extends InvalidParameterError {}

export class ImageStore {
  private readonly images = new Map<Digest, ImageRecord>();
  /** Full normalised reference ("docker.io/library/busybox:latest") -> image ID. */
  private readonly refs = new Map<string, Digest>();
  private sortedHex: string[] = [];
  private readonly dbDir: string;
  private readonly reposFile: string;
  /** Serialises writes of repositories.json so the file always holds the latest map. */
  private writing: Promise<void> = Promise.resolve();
  /** Record writes started by updateSoon, in order. */
  private recordWrites: Promise<void> = Promise.resolve();

  constructor(
    root: string,
    private readonly log: Logger,
  ) {
    this.dbDir = path.join(root, 'db');
    this.reposFile = path.join(root, 'repositories.json');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.dbDir, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.dbDir)) {
      const p = path.join(this.dbDir, name);
      if (!name.endsWith('.json')) {
        await fsp.rm(p, { force: true }); // temp files of an interrupted atomic write
        continue;
      }
      try {
        const rec = JSON.parse(await fsp.readFile(p, 'utf8')) as ImageRecord;
        if (!isDigest(rec.id) || `${digestHex(rec.id)}.json` !== name) throw new Error('record does not match its file name');
        this.images.set(rec.id, rec);
      } catch (e) {
        this.log.warn(`ignoring broken image record ${p}: ${(e as Error).message}`);
      }
    }
    let file: RepositoriesFile = { Repositories: {} };
    try {
      file = JSON.parse(await fsp.readFile(this.reposFile, 'utf8')) as RepositoriesFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`ignoring unreadable ${this.reposFile}: ${(e as Error).message}`);
    }
    let dropped = false;
    for (const byRef of Object.values(file.Repositories ?? {})) {
      for (const [ref, id] of Object.entries(byRef)) {
        if (isDigest(id) && this.images.has(id)) this.refs.set(ref, id);
        else dropped = true;
      }
    }
    this.reindex();
    if (dropped) await this.persistRefs();
  }

  private reindex(): void {
    this.sortedHex = [...this.images.keys()].map(digestHex).sort();
  }

  count(): number {
    return this.images.size;
  }

  has(id: Digest): boolean {
    return this.images.has(id);
  }

  get(id: Digest): ImageRecord | undefined {
    return this.images.get(id);
  }

  list(): ImageRecord[] {
    return [...this.images.values()];
  }

  /** Records a complete image (its config blob and layers must already be stored). */
  async add(rec: ImageRecord): Promise<void> {
    await this.inOrder(async () => {
      await writeFileAtomic(this.recordFile(rec.id), JSON.stringify(rec));
      this.images.set(rec.id, rec);
      this.reindex();
    });
  }

  private recordFile(id: Digest): string {
    return path.join(this.dbDir, `${digestHex(id)}.json`);
  }

  /** Runs record writes and removals one after the other, so a later one never lands before an earlier one. */
  private inOrder(fn: () => Promise<void>): Promise<void> {
    const p = this.recordWrites.then(fn, fn);
    this.recordWrites = p.catch(() => {});
    return p;
  }

  async update(id: Digest, patch: Partial<Omit<ImageRecord, 'id'>>): Promise<void> {
    const cur = this.images.get(id);
    if (!cur) return;
    await this.add({ ...cur, ...patch });
  }

  /**
   * The same as update, but the caller does not wait for the disk: the record changes in memory now
   * and its file is rewritten (atomically, in order) behind it. For metadata whose loss in a crash is
   * harmless (a re-tag's LastTagTime), on paths that should not wait for an fsync (a cached build's -t).
   */
  updateSoon(id: Digest, patch: Partial<Omit<ImageRecord, 'id' | 'chainIds'>>): void {
    const cur = this.images.get(id);
    if (!cur) return;
    this.images.set(id, { ...cur, ...patch });
    this.inOrder(async () => {
      // Re-applied on the record as it is by then (an add in between may have replaced it); an image
      // removed in between stays removed.
      const now = this.images.get(id);
      if (!now) return;
      const next = { ...now, ...patch };
      this.images.set(id, next);
      await writeFileAtomic(this.recordFile(id), JSON.stringify(next));
    }).catch((e) => this.log.warn(`writing image record ${id}`, e));
  }

  /** Forgets an image and every name pointing at it. */
  async remove(id: Digest): Promise<void> {
    let refsChanged = false;
    for (const [ref, target] of this.refs) {
      if (target === id) {
        this.refs.delete(ref);
        refsChanged = true;
      }
    }
    if (refsChanged) await this.persistRefs();
    await this.inOrder(async () => {
      await fsp.rm(this.recordFile(id), { force: true });
      this.images.delete(id);
      this.reindex();
    });
  }

  /**
   * The image whose ID starts with `hexPrefix`, or undefined. Several matches is an error that says so
   * (Docker's truncindex refuses ambiguous prefixes too).
   */
  searchPrefix(hexPrefix: string): Digest | undefined {
    const p = hexPrefix.toLowerCase();
    // Binary search the first candidate, then check its neighbour for a second match.
    let lo = 0;
    let hi = this.sortedHex.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedHex[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const first = this.sortedHex[lo];
    if (first === undefined || !first.startsWith(p)) return undefined;
    const second = this.sortedHex[lo + 1];
    if (second !== undefined && second.startsWith(p)) throw new AmbiguousPrefixError(`ambiguous image ID prefix ${hexPrefix}: it matches more than one image`);
    return `sha256:${first}`;
  }

  // --- names ---

  lookupRef(fullRef: string): Digest | undefined {
    return this.refs.get(fullRef);
  }

  /** Full normalised references pointing at `id`, sorted. */
  refsFor(id: Digest): string[] {
    const out: string[] = [];
    for (const [ref, target] of this.refs) if (target === id) out.push(ref);
    return out.sort();
  }

  allRefs(): [string, Digest][] {
    return [...this.refs.entries()];
  }

  /** Points `fullRef` at `id`; returns the image it pointed at before, if another. */
  async setRef(fullRef: string, id: Digest): Promise<Digest | undefined> {
    if (!this.images.has(id)) throw new Error(`image ${id} is not in the store`);
    const prev = this.refs.get(fullRef);
    if (prev === id) return undefined; // nothing changes: no rewrite (and no fsync), as dockerd's reference store
    this.refs.set(fullRef, id);
    await this.persistRefs();
    return prev !== id ? prev : undefined;
  }

  async deleteRef(fullRef: string): Promise<boolean> {
    const had = this.refs.delete(fullRef);
    if (had) await this.persistRefs();
    return had;
  }

  private persistRefs(): Promise<void> {
    const run = async () => {
      const file: RepositoriesFile = { Repositories: {} };
      for (const [ref, id] of [...this.refs.entries()].sort()) {
        const repo = repoName(parseDockerRef(ref));
        (file.Repositories[repo] ??= {})[ref] = id;
      }
      await writeFileAtomic(this.reposFile, JSON.stringify(file));
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}

/** Normalises a user reference to the key this store uses ("busybox" -> "docker.io/library/busybox:latest"). */
export function refKey(ref: string): string {
  return refString(parseDockerRef(ref));
}
