// The build context: the client's tar (plain or gzip) unpacked into a private directory with the same
// safe extraction as image layers (no entry can land outside it), the Dockerfile read from it, and
// .dockerignore applied (ignored paths are removed after the Dockerfile is read, so COPY never sees
// them). Also source selection for ADD/COPY (wildcards, "outside the context" refusal) and the
// content+metadata hash of sources that the layer cache keys on.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { resolveInRoot } from '../containers/scoped-path.js';
import { extractLayer } from '../../host/tar-extract.js';
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import { isIgnored, parseDockerignore } from '../../lib/dockerfile/dockerignore.js';

export interface BuildContext {
  dir: string;
  dockerfile: string;
  /** Content sha256 (hex) of each regular file, by context-relative path, taken while unpacking. */
  fileDigests: Map<string, string>;
}

/** Unpacks the context and reads the Dockerfile named `dockerfileName` (relative to the context). */
export async function unpackContext(src: AsyncIterable<Uint8Array>, dir: string, dockerfileName: string, signal?: AbortSignal): Promise<BuildContext> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  // Ownership in the context does not matter (COPY gives root, or --chown): do not apply it.
  const fileDigests = new Map<string, string>();
  await extractLayer(src, dir, { sameOwner: false, contextMode: { fileDigests }, ...(signal ? { signal } : {}) });
  const rel = path.posix.normalize('/' + dockerfileName).slice(1);
  let dockerfile: string;
  try {
    const real = await fsp.realpath(path.join(dir, rel));
    if (real !== dir && !real.startsWith(dir + '/')) throw new Error('outside');
    dockerfile = await fsp.readFile(real, 'utf8');
  } catch {
    throw new InvalidParameterError(`Cannot locate specified Dockerfile: ${dockerfileName}`);
  }
  const ignoreText = await fsp.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => null);
  if (ignoreText !== null) {
    let patterns;
    try {
      patterns = parseDockerignore(ignoreText);
    } catch (e) {
      throw new InvalidParameterError(`failed to parse .dockerignore: ${(e as Error).message}`);
    }
    const walk = async (relDir: string): Promise<void> => {
      for (const e of await fsp.readdir(path.join(dir, relDir), { withFileTypes: true })) {
        const r = relDir ? `${relDir}/${e.name}` : e.name;
        if (isIgnored(patterns, r)) {
          // An exception below an excluded directory keeps the walk going inside it.
          if (e.isDirectory() && patterns.some((p) => p.exclusion)) {
            await walk(r);
            const left = await fsp.readdir(path.join(dir, r)).catch(() => ['x']);
            if (!left.length) await fsp.rmdir(path.join(dir, r)).catch(() => {});
          } else await fsp.rm(path.join(dir, r), { recursive: true, force: true });
        } else if (e.isDirectory()) await walk(r);
      }
    };
    await walk('');
  }
  return { dir, dockerfile, fileDigests };
}

/** Go's filepath.Match for one path segment pattern set (used for ADD/COPY wildcards). */
function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < glob.length) re += '\\' + glob[++i];
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!') || cls.startsWith('^')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** A source path as given cleaned; refuses climbing out of the root (Docker's "outside the build context"). */
export function cleanSource(src: string): string {
  const parts: string[] = [];
  for (const c of src.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (!parts.length) throw new InvalidParameterError(`forbidden path outside the build context: ${src} ()`);
      parts.pop();
    } else parts.push(c);
  }
  return parts.join('/');
}

/**
 * The paths (relative to `root`) a source names: itself, or the matches of a wildcard. Symlinks in the
 * way are resolved inside `root`. Throws Docker's messages for a missing source.
 */
export async function selectSources(root: string, src: string, what: 'context' | 'stage'): Promise<string[]> {
  const rel = cleanSource(src);
  if (!hasWildcard(rel)) {
    const p = await resolveUnder(root, rel);
    if (!(await fsp.lstat(p).catch(() => null))) {
      if (what === 'context') throw new NotFoundError(`COPY failed: file not found in build context or excluded by .dockerignore: stat ${rel || '.'}: file does not exist`);
      throw new NotFoundError(`COPY failed: stat ${rel}: file does not exist`);
    }
    return [rel];
  }
  const segs = rel.split('/');
  let cur: string[] = [''];
  for (const seg of segs) {
    const next: string[] = [];
    for (const base of cur) {
      if (!hasWildcard(seg)) {
        const r = base ? `${base}/${seg}` : seg;
        if (await fsp.lstat(path.join(root, r)).catch(() => null)) next.push(r);
        continue;
      }
      const re = globToRegExp(seg);
      const names = await fsp.readdir(path.join(root, base)).catch(() => [] as string[]);
      for (const n of names.sort()) if (re.test(n)) next.push(base ? `${base}/${n}` : n);
    }
    cur = next;
  }
  if (!cur.length) throw new NotFoundError('COPY failed: no source files were specified');
  return cur;
}

/** `rel` under `root` with symlinks in its parents resolved inside `root` (the final one kept). */
export async function resolveUnder(root: string, rel: string): Promise<string> {
  return resolveInRoot(root, '/' + rel, true);
}

/**
 * Content and metadata hash of each file under the given sources (path relative to `root` -> hash of
 * type, mode, link target and the bytes' sha256; mtimes are left out, as Docker's cache leaves them
 * out). `known` holds content digests already taken (while the context was unpacked).
 */
export async function hashSources(root: string, rels: string[], known?: Map<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const contentDigest = async (rel: string, host: string): Promise<string> => {
    const k = known?.get(rel);
    if (k) return k;
    const h = createHash('sha256');
    await new Promise<void>((resolve, reject) => {
      const r = fs.createReadStream(host);
      r.on('data', (c) => h.update(c));
      r.on('end', resolve);
      r.on('error', reject);
    });
    return h.digest('hex');
  };
  const visit = async (rel: string, host: string): Promise<void> => {
    const st = await fsp.lstat(host);
    const h = createHash('sha256');
    h.update(`${st.mode & 0o170000}:${st.mode & 0o7777}:`);
    if (st.isSymbolicLink()) h.update(await fsp.readlink(host));
    else if (st.isFile()) h.update(await contentDigest(rel, host));
    out[rel || '.'] = h.digest('hex');
    if (st.isDirectory()) {
      for (const n of (await fsp.readdir(host)).sort()) await visit(rel ? `${rel}/${n}` : n, path.join(host, n));
    }
  };
  for (const rel of rels) await visit(rel, await resolveUnder(root, rel));
  return out;
}

/** One digest over a source hash map (what goes into the cache key and the history's `file:<hex>`). */
export function digestOfSources(m: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(m).sort()) h.update(`${k}\0${m[k]}\n`);
  return h.digest('hex');
}
