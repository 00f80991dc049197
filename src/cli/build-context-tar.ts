// The build context as `docker build` sends it: a tar of the context directory without what
// .dockerignore excludes (the Dockerfile and .dockerignore themselves are always sent, so the daemon
// can read them), sorted, with a Dockerfile from elsewhere (stdin, or a path outside the context)
// added under a generated name.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { isIgnored, parseDockerignore, type IgnorePattern } from '../lib/dockerfile/dockerignore.js';

export interface ContextTar {
  stream: Readable;
  /** The Dockerfile's name inside the tar. */
  dockerfile: string;
}

export async function contextTar(dir: string, dockerfile: { path?: string; content?: string }): Promise<ContextTar> {
  const st = await fsp.stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
  const ignoreText = await fsp.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const patterns: IgnorePattern[] = parseDockerignore(ignoreText);
  let dfName = 'Dockerfile';
  let extra: { name: string; content: Buffer } | null = null;
  if (dockerfile.content !== undefined) {
    dfName = `.dockerfile.${randomBytes(10).toString('hex')}`;
    extra = { name: dfName, content: Buffer.from(dockerfile.content) };
  } else if (dockerfile.path) {
    const abs = path.resolve(dockerfile.path);
    const rel = path.relative(dir, abs);
    if (!fs.existsSync(abs)) throw new Error(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      dfName = `.dockerfile.${randomBytes(10).toString('hex')}`;
      extra = { name: dfName, content: await fsp.readFile(abs) };
    } else dfName = rel.split(path.sep).join('/');
  } else if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
    throw new Error(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${path.join(path.resolve(dir), 'Dockerfile')}: no such file or directory`);
  }
  const keep = new Set([dfName, '.dockerignore']);
  const pack = tar.pack();
  const add = (h: Partial<tar.Header> & { name: string }, body?: Buffer) => new Promise<void>((resolve, reject) => pack.entry(h, body ?? Buffer.alloc(0), (e) => (e ? reject(e) : resolve())) as unknown);
  (async () => {
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await fsp.readdir(path.join(dir, rel))).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const host = path.join(dir, r);
        const s = await fsp.lstat(host);
        const ignored = isIgnored(patterns, r) && !keep.has(r);
        if (ignored && !(s.isDirectory() && patterns.some((p) => p.exclusion))) continue;
        const base = { name: r, mode: s.mode & 0o7777, mtime: s.mtime, uid: 0, gid: 0 };
        if (s.isDirectory()) {
          if (!ignored) await add({ ...base, name: r + '/', type: 'directory' });
          await walk(r);
        } else if (ignored) continue;
        else if (s.isSymbolicLink()) await add({ ...base, type: 'symlink', linkname: await fsp.readlink(host) });
        else if (s.isFile()) {
          await new Promise<void>((resolve, reject) => {
            const w = pack.entry({ ...base, type: 'file', size: s.size }, (e) => (e ? reject(e) : resolve()));
            const rs = fs.createReadStream(host);
            rs.on('error', reject);
            rs.pipe(w);
          });
        }
      }
    };
    await walk('');
    if (extra) await add({ name: extra.name, mode: 0o600, type: 'file', size: extra.content.length }, extra.content);
    pack.finalize();
  })().catch((e: Error) => pack.destroy(e));
  return { stream: pack as unknown as Readable, dockerfile: dfName };
}
