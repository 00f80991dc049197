// Which compressed blob a layer (diff ID) is on which registry repository, learnt from pulls and pushes
// (dockerd's v2 metadata service): a second push of a layer then asks the registry whether it already
// has the blob ("Layer already exists") instead of compressing and sending it again, and a push to
// another repository of the same registry mounts it from there ("Mounted from ..."). Kept in
// <dataRoot>/distribution/blobsums.json, rewritten atomically; losing it only costs a re-upload.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { Logger } from '../../daemon/logger.js';

export interface BlobSum {
  diffId: string;
  digest: string;
  size: number;
  mediaType: string;
  /** Registry host ("127.0.0.1:5000", "docker.io"). */
  registry: string;
  /** Repository path in that registry ("library/busybox"). */
  repo: string;
}

const MAX_ENTRIES = 20_000;

export class BlobCache {
  private entries: BlobSum[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(
    dir: string,
    private readonly log: Logger,
  ) {
    this.file = path.join(dir, 'blobsums.json');
  }

  async init(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      const j = JSON.parse(await fsp.readFile(this.file, 'utf8')) as BlobSum[];
      if (Array.isArray(j)) this.entries = j.filter((e) => e && typeof e.diffId === 'string' && typeof e.digest === 'string');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`ignoring unreadable ${this.file}: ${(e as Error).message}`);
    }
  }

  /** What is known of `diffId` on `registry`, the entry for `repo` first. */
  lookup(diffId: string, registry: string, repo: string): BlobSum[] {
    const hits = this.entries.filter((e) => e.diffId === diffId && e.registry === registry);
    return hits.sort((a, b) => Number(b.repo === repo) - Number(a.repo === repo));
  }

  add(e: BlobSum): Promise<void> {
    this.entries = this.entries.filter((x) => !(x.diffId === e.diffId && x.registry === e.registry && x.repo === e.repo && x.digest === e.digest));
    this.entries.push(e);
    if (this.entries.length > MAX_ENTRIES) this.entries = this.entries.slice(-MAX_ENTRIES);
    return this.persist();
  }

  /** Forgets a blob a registry no longer has (a HEAD said 404). */
  remove(digest: string, registry: string, repo: string): Promise<void> {
    this.entries = this.entries.filter((x) => !(x.digest === digest && x.registry === registry && x.repo === repo));
    return this.persist();
  }

  private persist(): Promise<void> {
    const run = () => writeFileAtomic(this.file, JSON.stringify(this.entries));
    this.writing = this.writing.then(run, run).catch((e) => this.log.warn(`writing ${this.file}: ${(e as Error).message}`));
    return this.writing;
  }
}
