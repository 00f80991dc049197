// A build step's layer: the overlay upper directory of its container as a tar, in the image-spec's
// form. A 0/0 character device (overlayfs's whiteout) becomes `.wh.NAME`; a directory marked
// `trusted.overlay.opaque=y` gets a `.wh..wh..opq` entry; hardlinked inodes become tar hardlinks.
// What the runtime itself puts into every container (mount points for /proc, /sys, /dev and the
// /etc/hostname|hosts|resolv.conf files, Docker's hidden "init" layer) is left out, and so is a
// directory that was only copied up for them. Entries are sorted, so the same tree gives the same
// bytes and the same diff ID.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { runCommand } from '../../host/command.js';

const INIT_SUBTREES = ['dev', 'proc', 'sys'];
const INIT_FILES = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab', '.dockerenv']);

interface DiffEntry {
  rel: string;
  st: fs.Stats;
  whiteout: boolean;
  opaque: boolean;
  linkTarget?: string;
}

/** Directories in `upper` carrying overlayfs's opaque xattr (one getfattr run for the whole tree). */
async function opaqueDirs(upper: string): Promise<Set<string>> {
  const out = new Set<string>();
  const named = await runCommand('getfattr', ['--absolute-names', '-R', '-P', '-n', 'trusted.overlay.opaque', '-e', 'text', '--', upper]).catch(() => null);
  if (!named) return out;
  let file: string | null = null;
  for (const line of named.stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = line.slice(8);
    else if (file && /^trusted\.overlay\.opaque="y"$/.test(line.trim())) out.add(path.relative(upper, file));
  }
  return out;
}

/** Walks the upper directory; returns the layer's entries, parents before children, sorted. */
export async function listDiff(upper: string, lowerTopFirst: string[]): Promise<DiffEntry[]> {
  const opaque = await opaqueDirs(upper);
  const out: DiffEntry[] = [];
  const sameAsLower = async (rel: string, st: fs.Stats): Promise<boolean> => {
    for (const l of lowerTopFirst) {
      const lst = await fsp.lstat(path.join(l, rel)).catch(() => null);
      if (!lst) continue;
      return lst.isDirectory() && (lst.mode & 0o7777) === (st.mode & 0o7777) && lst.uid === st.uid && lst.gid === st.gid;
    }
    return false;
  };
  const walk = async (rel: string): Promise<boolean> => {
    const names = (await fsp.readdir(path.join(upper, rel))).sort();
    let kept = false;
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      if (!rel && INIT_SUBTREES.includes(name)) continue;
      if (INIT_FILES.has(r)) continue;
      const st = await fsp.lstat(path.join(upper, r));
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ rel: r, st, whiteout: true, opaque: false });
        kept = true;
        continue;
      }
      const e: DiffEntry = { rel: r, st, whiteout: false, opaque: st.isDirectory() && opaque.has(r) };
      if (st.isSymbolicLink()) e.linkTarget = await fsp.readlink(path.join(upper, r));
      const at = out.length;
      out.push(e);
      if (st.isDirectory()) {
        const childKept = await walk(r);
        // A directory only copied up for the runtime's mount points is not a change.
        if (!childKept && !e.opaque && (await sameAsLower(r, st))) {
          out.splice(at, 1);
          continue;
        }
      }
      kept = true;
    }
    return kept;
  };
  await walk('');
  return out;
}

/** The tar of a diff listing (uncompressed), streamed. */
export function diffTar(upper: string, entries: DiffEntry[]): Readable {
  const pack = tar.pack();
  const inodes = new Map<string, string>();
  (async () => {
    for (const e of entries) {
      const base = { mode: e.st.mode & 0o7777, uid: e.st.uid, gid: e.st.gid, mtime: e.st.mtime };
      if (e.whiteout) {
        const dir = path.posix.dirname(e.rel);
        await entry(pack, { ...base, mode: 0, name: (dir === '.' ? '' : dir + '/') + '.wh.' + path.posix.basename(e.rel), type: 'file', size: 0 });
        continue;
      }
      if (e.st.isDirectory()) {
        await entry(pack, { ...base, name: e.rel + '/', type: 'directory' });
        if (e.opaque) await entry(pack, { ...base, mode: 0, name: `${e.rel}/.wh..wh..opq`, type: 'file', size: 0 });
      } else if (e.st.isSymbolicLink()) {
        await entry(pack, { ...base, name: e.rel, type: 'symlink', linkname: e.linkTarget ?? '' });
      } else if (e.st.isFIFO()) {
        await entry(pack, { ...base, name: e.rel, type: 'fifo' });
      } else if (e.st.isFile()) {
        const key = `${e.st.dev}:${e.st.ino}`;
        const first = e.st.nlink > 1 ? inodes.get(key) : undefined;
        if (first) {
          await entry(pack, { ...base, name: e.rel, type: 'link', linkname: first });
          continue;
        }
        if (e.st.nlink > 1) inodes.set(key, e.rel);
        await new Promise<void>((resolve, reject) => {
          const w = pack.entry({ ...base, name: e.rel, type: 'file', size: e.st.size }, (err) => (err ? reject(err) : resolve()));
          const r = fs.createReadStream(path.join(upper, e.rel));
          r.on('error', (err) => {
            w.destroy(err);
            reject(err);
          });
          r.pipe(w);
        });
      }
      // Sockets and device nodes are not layer content (Docker skips sockets; devices are refused on import).
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}

function entry(pack: tar.Pack, h: Partial<tar.Header> & { name: string }): Promise<void> {
  // A size-0 file entry needs an (empty) body, or tar-stream waits for one forever.
  return new Promise((resolve, reject) => {
    if (h.type === 'file') pack.entry(h, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    else pack.entry(h, (err) => (err ? reject(err) : resolve()));
  });
}
