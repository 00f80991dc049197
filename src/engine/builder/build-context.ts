// Where ADD/COPY read their sources, behind one small interface: the build context (streamed-context.ts,
// an in-memory tree of the client's tar, written to disk only when a step must copy from it), or a
// directory on disk (a stage's or an image's mounted filesystem for COPY --from, the files of a
// heredoc). Both select sources the same way (wildcards, Docker's "outside the context" and "not
// found" errors) and hash them the same way, so the cache key of a COPY does not depend on where its
// sources were read from.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { resolveInRoot } from '../containers/scoped-path.js';
import { NotFoundError } from '../../errors.js';
import { cleanSource, globToRegExp, hasWildcard, sourceNotFound } from '../../lib/dockerfile/context-tree.js';

export { cleanSource };

export interface SourceTree {
  /** The paths a source names (itself, or a wildcard's matches); Docker's errors when none. */
  select(src: string): Promise<string[]>;
  /** Content and metadata hash of every path under the sources (path -> hex), mtimes left out as Docker's cache leaves them out. */
  hash(rels: string[]): Promise<Record<string, string>>;
  /** Whether the path (symlinks followed) is a directory. */
  isDir(rel: string): Promise<boolean>;
  /** A directory on disk from which `rels` can be copied. */
  materialize(rels: string[]): Promise<string>;
}

/** path -> sha256 (hex) of its hash input (`<type bits>:<mode>:<content sha256 | link target>`). */
export function hashesOf(inputs: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of inputs) out[k] = createHash('sha256').update(v).digest('hex');
  return out;
}

/** `rel` under `root` with symlinks resolved inside `root` (the final one followed too). */
export async function resolveUnder(root: string, rel: string): Promise<string> {
  return resolveInRoot(root, '/' + rel, true);
}

/** A directory on disk as a source of COPY (a mounted stage or image, heredoc files). */
export class DiskSourceTree implements SourceTree {
  constructor(
    readonly root: string,
    private readonly what: 'context' | 'stage',
  ) {}

  async select(src: string): Promise<string[]> {
    const rel = cleanSource(src);
    if (!hasWildcard(rel)) {
      const p = await resolveUnder(this.root, rel);
      if (!(await fsp.lstat(p).catch(() => null))) throw sourceNotFound(rel, this.what);
      return [rel];
    }
    let cur: string[] = [''];
    for (const seg of rel.split('/')) {
      const next: string[] = [];
      for (const base of cur) {
        const join = (n: string) => (base ? `${base}/${n}` : n);
        if (!hasWildcard(seg)) {
          if (await fsp.lstat(await resolveInRoot(this.root, '/' + join(seg), false)).catch(() => null)) next.push(join(seg));
          continue;
        }
        const re = globToRegExp(seg);
        const names = await fsp.readdir(await resolveUnder(this.root, base)).catch(() => [] as string[]);
        for (const n of names.sort()) if (re.test(n)) next.push(join(n));
      }
      cur = next;
    }
    if (!cur.length) throw new NotFoundError('COPY failed: no source files were specified');
    return cur;
  }

  async hash(rels: string[]): Promise<Record<string, string>> {
    const inputs = new Map<string, string>();
    const visit = async (rel: string, host: string): Promise<void> => {
      const st = await fsp.lstat(host);
      const tail = st.isSymbolicLink() ? await fsp.readlink(host) : st.isFile() ? await fileDigest(host) : '';
      inputs.set(rel || '.', `${st.mode & 0o170000}:${st.mode & 0o7777}:${tail}`);
      if (st.isDirectory()) {
        for (const n of (await fsp.readdir(host)).sort()) await visit(rel ? `${rel}/${n}` : n, path.join(host, n));
      }
    };
    for (const rel of rels) await visit(rel, await resolveUnder(this.root, rel));
    return hashesOf(inputs);
  }

  async isDir(rel: string): Promise<boolean> {
    return !!(await fsp.stat(await resolveUnder(this.root, rel)).catch(() => null))?.isDirectory();
  }

  materialize(): Promise<string> {
    return Promise.resolve(this.root);
  }
}

async function fileDigest(host: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    const r = fs.createReadStream(host);
    r.on('data', (c) => h.update(c));
    r.on('end', resolve);
    r.on('error', reject);
  });
  return h.digest('hex');
}

/** One digest over a source hash map (what goes into the cache key and the history's `file:<hex>`). */
export function digestOfSources(m: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(m).sort()) h.update(`${k}\0${m[k]}\n`);
  return h.digest('hex');
}
