// The filesystem storage driver: one file per key under the root. Writes go to `<root>/.tmp/` on the
// same filesystem, are fsynced and then renamed over the key, so a reader sees the whole object or
// nothing and a crash halfway leaves only a temp file (swept by sweepTemp at start-up).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { checkKey, StorageNotFoundError, type ByteSpan, type ObjectInfo, type StorageDriver } from './driver.js';

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FilesystemDriver implements StorageDriver {
  readonly kind = 'filesystem';
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, '.tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  private file(key: string, allowRoot = false): string {
    return path.join(this.root, checkKey(key, allowRoot));
  }

  /** Removes temp files older than `olderThanMs` (writes that a crash cut short). */
  async sweepTemp(olderThanMs: number): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.tmpDir).catch(() => [] as string[])) {
      const p = path.join(this.tmpDir, name);
      const st = await fsp.stat(p).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > olderThanMs) {
        await fsp.rm(p, { force: true });
        n++;
      }
    }
    return n;
  }

  /**
   * Removes temp files and half-deleted trees of processes that are gone (the pid leading their name
   * is not alive): what a crash of a writer on this root left. Live processes' files stay (several
   * registry processes may share a root). Names without a pid are left to sweepTemp's age rule.
   */
  async sweepDeadTemp(): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.tmpDir).catch(() => [] as string[])) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      if (!Number.isInteger(pid) || pid <= 0 || pidAlive(pid)) continue;
      await fsp.rm(path.join(this.tmpDir, name), { recursive: true, force: true });
      n++;
    }
    return n;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fsp.stat(this.file(key));
      return { size: st.isDirectory() ? 0 : st.size, modified: st.mtime, isPrefix: st.isDirectory() };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async getContent(key: string): Promise<Buffer | undefined> {
    try {
      return await fsp.readFile(this.file(key));
    } catch (e) {
      if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw e;
    }
  }

  async reader(key: string, span?: ByteSpan): Promise<Readable | undefined> {
    // Open first, so absence is known before any stream exists (and the fd pins the file: a GC or
    // delete that unlinks it meanwhile does not cut the answer short).
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.file(key), 'r');
    } catch (e) {
      if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw e;
    }
    const st = await fh.stat().catch(async (e) => {
      await fh.close();
      throw e;
    });
    if (st.isDirectory()) {
      await fh.close();
      return undefined;
    }
    return fh.createReadStream(span ? { start: span.start, end: span.end } : {});
  }

  private async writeTemp(write: (fh: fsp.FileHandle, tmp: string) => Promise<void>): Promise<string> {
    // The writer's pid leads the name, so a start-up can tell a dead process's leftovers (sweepDeadTemp).
    const tmp = path.join(this.tmpDir, `${process.pid}-${Date.now()}-${crypto.randomUUID()}`);
    const fh = await fsp.open(tmp, 'wx');
    try {
      await write(fh, tmp);
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => {});
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    return tmp;
  }

  private async publish(tmp: string, key: string): Promise<void> {
    const dest = this.file(key);
    try {
      await this.renameInto(tmp, dest);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  /** rename(2) into place, making parents; once more if a delete pruned a parent in between. */
  private async renameInto(src: string, dest: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      try {
        await fsp.rename(src, dest);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3 || !fs.existsSync(src)) throw e;
      }
    }
  }

  /** Removes now-empty parent directories up to the root, as an object store has no empty prefixes. */
  private async prune(dir: string): Promise<void> {
    while (dir.startsWith(this.root + path.sep) && dir !== this.root) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop
      }
      dir = path.dirname(dir);
    }
  }

  async putContent(key: string, data: Buffer | string): Promise<void> {
    checkKey(key);
    const tmp = await this.writeTemp((fh) => fh.writeFile(data));
    await this.publish(tmp, key);
  }

  async putStream(key: string, source: Readable): Promise<number> {
    checkKey(key);
    let size = 0;
    const tmp = await this.writeTemp(async (fh) => {
      // A plain loop over the source: backpressure for free, and the handle stays ours to fsync.
      for await (const chunk of source) {
        const b = chunk as Buffer;
        let off = 0;
        while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
        size += b.length;
      }
    });
    await this.publish(tmp, key);
    return size;
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await fsp.readdir(this.file(prefix, true));
      return entries.filter((n) => !n.startsWith('.')).sort();
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    // Renamed away first, then removed: a reader never sees a prefix half deleted.
    const src = this.file(key);
    const trash = path.join(this.tmpDir, `${process.pid}-del-${crypto.randomUUID()}`);
    try {
      await fsp.rename(src, trash);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await fsp.rm(trash, { recursive: true, force: true });
    await this.prune(path.dirname(src));
  }

  async move(from: string, to: string): Promise<void> {
    const src = this.file(from);
    const dest = this.file(to);
    if (!fs.existsSync(src)) throw new StorageNotFoundError(`no object at ${from}`);
    await this.renameInto(src, dest);
    await this.prune(path.dirname(src));
  }
}
