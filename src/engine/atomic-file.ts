// The way berth writes small metadata files: a temp file in the same directory, fsync, rename over
// the target, fsync the directory. A crash at any point leaves either the old file or the new one.
// replaceFileSync is the same without the fsyncs, for files that are repaired from elsewhere.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tmp-${path.basename(file)}-${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/**
 * The same temp-and-rename without either fsync, done in place: a reader or a crashed daemon never
 * sees half a file, but a power cut may bring back the previous one. For files repaired from
 * elsewhere after a crash (a container's run state, which start-up re-derives from the runtime; the
 * bundle and /etc files, regenerated at every start). Without fsync the calls only touch the page
 * cache: microseconds, where the async ones cost thread-pool round trips on the start and exit paths.
 */
export function replaceFileSync(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.tmp-${path.basename(file)}-${randomBytes(6).toString('hex')}`);
  try {
    fsSync.writeFileSync(tmp, data, { mode });
    fsSync.renameSync(tmp, file);
  } catch (e) {
    fsSync.rmSync(tmp, { force: true });
    throw e;
  }
}

/** fsync a directory so a rename inside it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, 'r').catch(() => null);
  if (!dh) return;
  try {
    await dh.sync().catch(() => {});
  } finally {
    await dh.close();
  }
}
