// Docker's copy-up for volumes: when an empty volume is first mounted over a directory that has
// content in the image, that content (owners, modes, times, symlinks) is copied into the volume.
// The source is resolved inside the rootfs so image symlinks cannot point the copy at host files.
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveInRoot } from './scoped-path.js';

export async function populateVolume(rootfs: string, destination: string, volumeDir: string): Promise<void> {
  const src = await resolveInRoot(rootfs, destination);
  const st = await fs.lstat(src).catch(() => null);
  if (!st?.isDirectory()) return;
  const existing = await fs.readdir(volumeDir).catch(() => null);
  if (existing === null || existing.length > 0) return;
  await copyTree(src, volumeDir);
  // The volume's root takes the image directory's owner and mode, as Docker does.
  await fs.chown(volumeDir, st.uid, st.gid).catch(() => {});
  await fs.chmod(volumeDir, st.mode & 0o7777);
}

export async function copyTree(src: string, dst: string): Promise<void> {
  for (const e of await fs.readdir(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    const st = await fs.lstat(s);
    if (st.isDirectory()) {
      await fs.mkdir(d, { mode: st.mode & 0o7777 });
      await copyTree(s, d);
    } else if (st.isSymbolicLink()) {
      await fs.symlink(await fs.readlink(s), d);
    } else if (st.isFile()) {
      await fs.copyFile(s, d);
    } else {
      continue; // devices, fifos and sockets are not copied into volumes
    }
    await fs.lchown(d, st.uid, st.gid).catch(() => {});
    if (!st.isSymbolicLink()) {
      await fs.chmod(d, st.mode & 0o7777);
      await fs.utimes(d, st.atime, st.mtime);
    }
  }
}
