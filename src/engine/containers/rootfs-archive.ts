// Tar in and out of a container's filesystem: `docker export` (the whole rootfs), `docker cp` out
// (GET /archive: one path, named by its base name, with the X-Docker-Container-Path-Stat facts) and
// `docker cp` in (PUT /archive: a tar extracted under a directory). Every path is resolved inside the
// container's root (scoped-path.ts), so neither a symlink in the image nor a hostile tar entry can
// reach outside it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

type TarHeader = Partial<tar.Header> & { name: string };
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import { resolveInRoot } from './scoped-path.js';

export interface PathStat {
  name: string;
  size: number;
  /** Go os.FileMode bits, as Docker sends them. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode type bits.
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHARDEV = 2 ** 21;
const GO_STICKY = 2 ** 20;

export function goFileMode(st: fs.Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += GO_SETUID;
  if (st.mode & 0o2000) m += GO_SETGID;
  if (st.mode & 0o1000) m += GO_STICKY;
  if (st.isDirectory()) m += GO_DIR;
  else if (st.isSymbolicLink()) m += GO_SYMLINK;
  else if (st.isFIFO()) m += GO_PIPE;
  else if (st.isSocket()) m += GO_SOCKET;
  else if (st.isCharacterDevice()) m += GO_DEVICE + GO_CHARDEV;
  else if (st.isBlockDevice()) m += GO_DEVICE;
  return m;
}

/** A view of a container's filesystem: its root and the host paths of its volumes and binds. */
export interface RootView {
  root: string;
  /** Mounts visible in the container but not under `root` on the host (stopped containers). */
  mounts: { destination: string; source: string }[];
}

/** Host path for a container path: resolved in the root, then redirected into a covering mount. */
export async function hostPath(v: RootView, ctrPath: string, followFinal: boolean): Promise<string> {
  const inRoot = await resolveInRoot(v.root, ctrPath, followFinal);
  const rel = '/' + path.relative(v.root, inRoot);
  const m = [...v.mounts]
    .sort((a, b) => b.destination.length - a.destination.length)
    .find((x) => rel === x.destination || rel.startsWith(x.destination + '/'));
  if (!m) return inRoot;
  return resolveInRoot(m.source, rel.slice(m.destination.length), followFinal);
}

export async function statPath(v: RootView, ctrPath: string, containerName: string): Promise<{ stat: PathStat; host: string }> {
  const host = await hostPath(v, ctrPath, false);
  const st = await fsp.lstat(host).catch(() => null);
  if (!st) throw new NotFoundError(`Could not find the file ${ctrPath} in container ${containerName}`);
  const linkTarget = st.isSymbolicLink() ? await fsp.readlink(host).catch(() => '') : '';
  const base = path.posix.basename(ctrPath.replace(/\/+$/, '')) || '/';
  return { stat: { name: base, size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget }, host };
}

/**
 * A tar of `hostRoot` whose entries are named under `prefix` (Docker's TarResourceRebase: the base
 * name of the requested path). With prefix '' the entries are relative (export of a whole rootfs).
 */
export function packTree(hostRoot: string, prefix: string, opts: { skip?: (rel: string) => boolean } = {}): Readable {
  const pack = tar.pack();
  const inodes = new Map<string, string>();
  const add = async (abs: string, name: string): Promise<void> => {
    const st = await fsp.lstat(abs).catch(() => null);
    if (!st) return;
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      if (name) await entry(pack, { ...base, name: name + '/', type: 'directory' });
      const children = (await fsp.readdir(abs).catch(() => [] as string[])).sort();
      for (const c of children) {
        const childName = name ? `${name}/${c}` : c;
        if (opts.skip?.(childName)) continue;
        await add(path.join(abs, c), childName);
      }
      return;
    }
    if (st.isSymbolicLink()) {
      await entry(pack, { ...base, type: 'symlink', linkname: await fsp.readlink(abs) });
      return;
    }
    if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) {
        const first = inodes.get(key);
        if (first) {
          await entry(pack, { ...base, type: 'link', linkname: first });
          return;
        }
        inodes.set(key, name);
      }
      const w = pack.entry({ ...base, type: 'file', size: st.size });
      await pipeline(fs.createReadStream(abs), w);
      return;
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      const rdev = st.rdev;
      const major = Math.floor(rdev / 256) & 0xfff;
      const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
      await entry(pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
      return;
    }
    if (st.isFIFO()) await entry(pack, { ...base, type: 'fifo' });
    // sockets are not archived, as with Docker
  };
  void (async () => {
    try {
      await add(hostRoot, prefix);
      pack.finalize();
    } catch (e) {
      pack.destroy(e as Error);
    }
  })();
  // tar-stream speaks streamx; callers get a plain Node stream.
  return Readable.from(pack as AsyncIterable<Buffer>);
}

function entry(pack: tar.Pack, h: TarHeader): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(h, (err) => (err ? reject(err) : resolve()));
  });
}

export interface ExtractOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (docker cp's default). */
  noOverwriteDirNonDir: boolean;
  /** Keep the tar's owners (docker cp -a); otherwise files belong to the container's root. */
  copyUidGid: boolean;
}

/** Extracts a tar under container directory `ctrDir`, every entry resolved inside the container's view. */
export async function extractInto(v: RootView, ctrDir: string, input: Readable, o: ExtractOptions, containerName: string): Promise<void> {
  const dirHost = await hostPath(v, ctrDir, true);
  const st = await fsp.stat(dirHost).catch(() => null);
  if (!st) throw new NotFoundError(`Could not find the file ${ctrDir} in container ${containerName}`);
  if (!st.isDirectory()) throw new InvalidParameterError('extraction point is not a directory');
  const ex = tar.extract();
  const dirTimes: [string, Date][] = [];
  ex.on('entry', (h, stream, next) => {
    handleEntry(v, ctrDir, h, stream as unknown as Readable, o).then(
      (dt) => {
        if (dt) dirTimes.push(dt);
        next();
      },
      (e) => {
        stream.resume();
        next(e);
      },
    );
  });
  await pipeline(input, ex);
  for (const [p, t] of dirTimes.reverse()) await fsp.utimes(p, t, t).catch(() => {});
}

async function handleEntry(v: RootView, ctrDir: string, h: tar.Header, stream: Readable, o: ExtractOptions): Promise<[string, Date] | null> {
  // Names are made relative and cleaned lexically; `..` can never climb above the extraction point.
  const clean = path.posix.normalize('/' + h.name).replace(/\/+$/, '');
  if (clean === '' || clean === '/') {
    stream.resume();
    return null;
  }
  const ctrTarget = path.posix.join(ctrDir, clean);
  const target = await hostPath(v, ctrTarget, false);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const existing = await fsp.lstat(target).catch(() => null);
  const isDirEntry = h.type === 'directory';
  if (existing && o.noOverwriteDirNonDir) {
    if (existing.isDirectory() && !isDirEntry) throw new InvalidParameterError(`cannot overwrite directory "${ctrTarget}" with non-directory`);
    if (!existing.isDirectory() && isDirEntry) throw new InvalidParameterError(`cannot overwrite non-directory "${ctrTarget}" with directory`);
  }
  if (existing && !(existing.isDirectory() && isDirEntry)) await fsp.rm(target, { recursive: true, force: true });
  const mode = (h.mode ?? 0o644) & 0o7777;
  const uid = o.copyUidGid ? (h.uid ?? 0) : 0;
  const gid = o.copyUidGid ? (h.gid ?? 0) : 0;
  switch (h.type) {
    case 'directory':
      await fsp.mkdir(target, { recursive: true });
      stream.resume();
      break;
    case 'file':
    case 'contiguous-file':
    case undefined:
    case null:
      await pipeline(stream, fs.createWriteStream(target, { mode }));
      break;
    case 'symlink':
      stream.resume();
      await fsp.symlink(h.linkname ?? '', target);
      await fsp.lchown(target, uid, gid).catch(() => {});
      return null;
    case 'link': {
      stream.resume();
      const src = await hostPath(v, path.posix.join(ctrDir, path.posix.normalize('/' + (h.linkname ?? ''))), false);
      await fsp.link(src, target);
      return null;
    }
    default:
      // Devices and fifos are not created through docker cp here.
      stream.resume();
      return null;
  }
  await fsp.chown(target, uid, gid).catch(() => {});
  await fsp.chmod(target, mode);
  const mtime = h.mtime ?? new Date();
  if (h.type === 'directory') return [target, mtime];
  await fsp.utimes(target, mtime, mtime).catch(() => {});
  return null;
}
