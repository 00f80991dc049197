// ADD and COPY into a mounted container root, with Docker's rules: a directory source copies its
// contents; a file goes to DEST when DEST names a file, to DEST/basename when DEST ends in "/", names
// an existing directory, or there are several sources; new files are root-owned unless --chown says
// otherwise, modes are kept unless --chmod sets them, mtimes are kept; ADD unpacks a local tar
// archive (plain, gzip, bzip2, xz) into DEST instead of copying it. Every destination path is
// resolved inside the root, so a symlink in the image cannot send a write outside it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { resolveInRoot } from '../containers/scoped-path.js';
import { extractInto } from '../containers/rootfs-archive.js';
import { decompressStream } from '../../host/tar-decompress.js';
import { resolveUnder } from './build-context.js';

export interface CopyRequest {
  srcRoot: string;
  sources: string[];
  destRoot: string;
  /** Absolute container path (already joined with WORKDIR). */
  dest: string;
  /** DEST ended in "/" (or there are several sources). */
  destIsDir: boolean;
  uid: number;
  gid: number;
  chmod?: number;
  /** ADD: unpack local archives. */
  extractArchives: boolean;
}

async function isArchive(file: string): Promise<boolean> {
  const fd = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fd.read(buf, 0, 512, 0);
    const b = buf.subarray(0, bytesRead);
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return true;
    if (b.length >= 3 && b.toString('latin1', 0, 3) === 'BZh') return true;
    if (b.length >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
    return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await fd.close();
  }
}

/** mkdir -p of a container path inside the root; new directories get 0755 and uid/gid. */
async function mkdirIn(root: string, ctrDir: string, uid: number, gid: number): Promise<string> {
  let cur = '/';
  for (const c of ctrDir.split('/').filter(Boolean)) {
    cur = path.posix.join(cur, c);
    const host = await resolveInRoot(root, cur, true);
    const st = await fsp.lstat(host).catch(() => null);
    if (!st) {
      await fsp.mkdir(host, { mode: 0o755 });
      await fsp.chmod(host, 0o755);
      await fsp.lchown(host, uid, gid);
    } else if (!st.isDirectory()) {
      throw new Error(`mkdir ${cur}: not a directory`);
    }
  }
  return resolveInRoot(root, ctrDir || '/', true);
}

async function copyEntry(srcHost: string, st: fs.Stats, destHost: string, r: CopyRequest): Promise<void> {
  const existing = await fsp.lstat(destHost).catch(() => null);
  const mode = r.chmod ?? st.mode & 0o7777;
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) await fsp.rm(destHost, { force: true });
    if (!existing || !existing.isDirectory()) await fsp.mkdir(destHost);
    await fsp.chmod(destHost, mode);
    await fsp.lchown(destHost, r.uid, r.gid);
    for (const n of (await fsp.readdir(srcHost)).sort()) {
      const s = path.join(srcHost, n);
      await copyEntry(s, await fsp.lstat(s), path.join(destHost, n), r);
    }
    await fsp.utimes(destHost, st.atime, st.mtime);
    return;
  }
  if (existing) await fsp.rm(destHost, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    await fsp.symlink(await fsp.readlink(srcHost), destHost);
    await fsp.lchown(destHost, r.uid, r.gid);
    return;
  }
  if (!st.isFile()) return; // fifos, sockets and devices are not copied
  await pipeline(fs.createReadStream(srcHost), fs.createWriteStream(destHost, { flags: 'wx', mode }));
  await fsp.lchown(destHost, r.uid, r.gid);
  await fsp.chmod(destHost, mode);
  await fsp.utimes(destHost, st.atime, st.mtime);
}

export async function copyInto(r: CopyRequest): Promise<void> {
  const destIsDir = r.destIsDir || r.sources.length > 1;
  for (const rel of r.sources) {
    const srcHost = await resolveUnder(r.srcRoot, rel);
    const st = await fsp.stat(srcHost); // a source named directly is followed if it is a symlink
    if (st.isDirectory()) {
      const dir = await mkdirIn(r.destRoot, r.dest, r.uid, r.gid);
      for (const n of (await fsp.readdir(srcHost)).sort()) {
        const s = path.join(srcHost, n);
        await copyEntry(s, await fsp.lstat(s), path.join(dir, n), r);
      }
      continue;
    }
    if (r.extractArchives && (await isArchive(srcHost))) {
      await mkdirIn(r.destRoot, r.dest, r.uid, r.gid);
      const { stream } = await decompressStream(fs.createReadStream(srcHost));
      await extractInto({ root: r.destRoot, mounts: [] }, r.dest, stream, { noOverwriteDirNonDir: false, copyUidGid: true }, 'build');
      continue;
    }
    let target = r.dest;
    const existing = await fsp.stat(await resolveInRoot(r.destRoot, r.dest, true)).catch(() => null);
    if (destIsDir || existing?.isDirectory()) target = path.posix.join(r.dest, path.posix.basename(rel));
    const parent = await mkdirIn(r.destRoot, path.posix.dirname(target), r.uid, r.gid);
    await copyEntry(srcHost, st, path.join(parent, path.posix.basename(target)), r);
  }
}
