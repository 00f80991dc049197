// The one way berth writes small metadata files: a temp file in the same directory, fsync, rename over
// the target, fsync the directory. A crash at any point leaves either the old file or the new one.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * `sync: false` keeps the temp-and-rename (a reader or a crashed daemon never sees half a file) but
 * skips both fsyncs: for files whose loss in a power cut is repaired from elsewhere (a container's
 * running/exited state, which start-up re-derives from the runtime), so that hot paths do not wait
 * for the disk.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600, opts: { sync?: boolean } = {}): Promise<void> {
  const sync = opts.sync ?? true;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tmp-${path.basename(file)}-${randomBytes(6).toString('hex')}`);
  if (!sync) {
    await fs.writeFile(tmp, data, { mode });
  } else {
    const fh = await fs.open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  if (sync) await syncDir(dir);
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
