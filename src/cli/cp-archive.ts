// Local side of `cp`: packing a host path into a tar whose root entry is renamed as docker's
// PrepareArchiveCopy does, and extracting a container's tar into a host directory without letting any
// entry escape it (`..`, absolute names, writes through symlinks).
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** docker's splitCpArg: `ctr:path` names a container path; absolute or ./relative paths are local. */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** Replaces the first path element `from` of an entry name by `to` (docker's RebaseArchiveEntries). */
export function rebaseName(name: string, from: string, to: string): string | null {
  const n = name.replace(/^\.\//, '');
  if (n === from || n === `${from}/`) return to;
  if (n.startsWith(`${from}/`)) return to === '' ? n.slice(from.length + 1) : `${to}/${n.slice(from.length + 1)}`;
  return null;
}

/** Resolves an entry name under `root`; null when it would land outside. */
export function safeJoin(root: string, name: string): string | null {
  const clean = path.posix.normalize('/' + name.replace(/\\/g, '/'));
  const p = path.join(root, clean);
  if (p !== root && !p.startsWith(root.endsWith('/') ? root : root + '/')) return null;
  return p;
}

/** Packs `src` (file, directory or symlink) with its root entry named `rootName` ('' = its contents). */
export function packPath(src: string, rootName: string): Readable {
  const pack = tar.pack();
  const walk = async (abs: string, name: string): Promise<void> => {
    const st = fs.lstatSync(abs);
    const base = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      if (name) await entry({ ...base, name: `${name}/`, type: 'directory' });
      for (const child of fs.readdirSync(abs).sort()) await walk(path.join(abs, child), name ? `${name}/${child}` : child);
    } else if (st.isSymbolicLink()) {
      await entry({ ...base, type: 'symlink', linkname: fs.readlinkSync(abs) });
    } else if (st.isFile()) {
      await new Promise<void>((resolve, reject) => {
        const e = pack.entry({ ...base, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
        fs.createReadStream(abs).on('error', reject).pipe(e);
      });
    }
  };
  const entry = (h: Partial<tar.Header> & { name: string }) =>
    new Promise<void>((resolve, reject) => pack.entry(h, (err) => (err ? reject(err) : resolve())));
  walk(src, rootName).then(
    () => pack.finalize(),
    (e) => pack.destroy(e as Error),
  );
  // tar-stream packs are streamx streams; wrap so node:stream consumers (pipeline, instanceof) accept them.
  return Readable.from(pack as unknown as AsyncIterable<Buffer>, { objectMode: false });
}

/**
 * Extracts a tar into `destDir`, renaming the root entry `from` to `to` (when given). Parents are made
 * as needed; symlinks are created but never followed for later entries.
 */
export async function extractInto(body: Readable, destDir: string, rename?: { from: string; to: string }): Promise<void> {
  const root = path.resolve(destDir);
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    // The entry stream is destroyed with the archive on failure; its error is reported once, by pipeline.
    stream.on('error', () => {});
    const done = (e?: unknown) => {
      if (e) {
        stream.resume();
        ex.destroy(e as Error);
      } else stream.once('end', () => next()).resume();
    };
    let name: string | null = h.name;
    if (rename) name = rebaseName(h.name, rename.from, rename.to);
    if (name === null || name === '' || name === '.' || name === './') return done();
    const target = safeJoin(root, name);
    if (!target) return done(new Error(`refusing to extract ${h.name} outside ${destDir}`));
    // Never write through a symlink placed by an earlier entry.
    const parent = path.dirname(target);
    for (let p = parent; p !== root && p.startsWith(root); p = path.dirname(p)) {
      try {
        if (fs.lstatSync(p).isSymbolicLink()) return done(new Error(`refusing to extract ${h.name} through a symlink`));
      } catch {
        // missing: made below
      }
    }
    fs.mkdirSync(parent, { recursive: true });
    const mode = (h.mode ?? 0o644) & 0o7777;
    try {
      if (h.type === 'directory') {
        fs.mkdirSync(target, { recursive: true, mode });
        fs.chmodSync(target, mode);
        return done();
      }
      if (h.type === 'symlink') {
        fs.rmSync(target, { force: true });
        fs.symlinkSync(h.linkname ?? '', target);
        return done();
      }
      if (h.type === 'link') {
        const src = safeJoin(root, rename ? (rebaseName(h.linkname ?? '', rename.from, rename.to) ?? '') : (h.linkname ?? ''));
        if (!src) return done(new Error(`refusing hard link ${h.name} outside ${destDir}`));
        fs.rmSync(target, { force: true });
        fs.linkSync(src, target);
        return done();
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') return done();
      try {
        if (fs.lstatSync(target).isDirectory()) return done(new Error(`cannot overwrite directory "${target}" with non-directory`));
      } catch {
        // does not exist yet
      }
      fs.rmSync(target, { force: true });
      const out = fs.createWriteStream(target, { mode });
      pipeline(stream, out).then(
        () => {
          try {
            if (h.mtime) fs.utimesSync(target, h.mtime, h.mtime);
          } catch {
            // best effort
          }
          next();
        },
        (e) => ex.destroy(e as Error),
      );
    } catch (e) {
      done(e);
    }
  });
  await pipeline(body, ex);
}
