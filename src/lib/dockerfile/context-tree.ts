// The build context as an in-memory tree, filled from the client's tar as it streams in and read by the
// cache path without anything written to disk: path resolution as if the context were the root
// (symlinks followed inside it, ".." clamped at it), ADD/COPY source selection (wildcards, Docker's
// errors), .dockerignore, and the per-path content+metadata hash the layer cache keys on. Only when a
// step must really copy does the engine write the entries it needs to disk (context-files.ts).
// Pure: the bytes themselves are an opaque `data` handle owned by the caller.
import { InvalidParameterError, NotFoundError } from '../../errors.js';
import { isIgnored, type IgnorePattern } from './dockerignore.js';
import { MAX_SYMLINK_HOPS, walkInRoot, WalkError } from '../tar/walk-in-root.js';
import { resolveScoped, SymlinkLoopError } from '../paths/scoped-resolve.js';

export type TreeEntryType = 'file' | 'dir' | 'symlink' | 'fifo';

export interface TreeEntry<D> {
  type: TreeEntryType;
  /** Permission bits (07777). */
  mode: number;
  mtime?: Date;
  /** Content length of a file. */
  size: number;
  /** sha256 (hex) of a file's content, taken as it streamed in. */
  digest?: string;
  /** A symlink's target. */
  linkname?: string;
  /** Where a file's bytes are (the caller's handle). */
  data?: D;
}

/** The type bits stat(2) reports, so the hash of an entry is the same as the hash of a file on disk. */
export const TYPE_BITS: Record<TreeEntryType, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, fifo: 0o010000 };

/** A source path as given, cleaned; refuses climbing out of the root (Docker's "outside the build context"). */
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

/** Go's filepath.Match for one path segment (ADD/COPY wildcards). */
export function globToRegExp(glob: string): RegExp {
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

export const hasWildcard = (s: string): boolean => /[*?[]/.test(s);

/** Docker's "file not found" for a source that is not there. */
export function sourceNotFound(rel: string, what: 'context' | 'stage'): NotFoundError {
  if (what === 'context') return new NotFoundError(`COPY failed: file not found in build context or excluded by .dockerignore: stat ${rel || '.'}: file does not exist`);
  return new NotFoundError(`COPY failed: stat ${rel}: file does not exist`);
}

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
const parentOf = (key: string) => {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
};
const baseOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

export class ContextTree<D = unknown> {
  /** Entries by key: the cleaned path relative to the context, '' for the context itself. */
  private readonly entries = new Map<string, TreeEntry<D>>();
  /** Names inside each directory. */
  private readonly kids = new Map<string, Set<string>>();

  constructor() {
    // The context directory itself (a tar's "./" entry describes it but is not applied, as on disk).
    this.entries.set('', { type: 'dir', mode: 0o700, size: 0 });
    this.kids.set('', new Set());
  }

  get size(): number {
    return this.entries.size - 1;
  }

  get(key: string): TreeEntry<D> | undefined {
    return this.entries.get(key);
  }

  /** Every key (not the root), parents before children. */
  keys(): string[] {
    return [...this.entries.keys()].filter((k) => k !== '').sort();
  }

  /** Names in a directory, sorted as a directory read then sorted by JavaScript is. */
  list(dirKey: string): string[] {
    return [...(this.kids.get(dirKey) ?? [])].sort();
  }

  // ------------------------------------------------------------------ filling it from a tar

  /**
   * The key of the directory that `comps` (a cleaned tar name's parent components) lands in: symlinks
   * on the way are followed as if the context were "/" (as the safe extraction on disk does), missing
   * directories are made (0755). Throws when a component is a file.
   */
  resolveParent(comps: string[], entryName: string): string {
    try {
      return walkInRoot(
        comps,
        (rel) => {
          const e = this.entries.get(rel.join('/'));
          if (!e) return { kind: 'missing' };
          if (e.type === 'dir') return { kind: 'dir' };
          if (e.type === 'symlink') return { kind: 'symlink', target: e.linkname ?? '' };
          return { kind: 'other' };
        },
        (rel) => this.put(rel.join('/'), { type: 'dir', mode: 0o755, size: 0 }),
      ).join('/');
    } catch (e) {
      if (e instanceof WalkError) throw new InvalidParameterError(`invalid tar entry ${JSON.stringify(entryName)}: ${e.message}`);
      throw e;
    }
  }

  /** Adds or replaces an entry (a directory over a directory keeps its contents, as on disk). */
  put(key: string, entry: TreeEntry<D>): void {
    if (key === '') return;
    const old = this.entries.get(key);
    if (old && !(old.type === 'dir' && entry.type === 'dir')) this.remove(key);
    this.entries.set(key, entry);
    if (entry.type === 'dir' && !this.kids.has(key)) this.kids.set(key, new Set());
    this.kids.get(parentOf(key))!.add(baseOf(key));
  }

  /** Removes an entry and everything below it. */
  remove(key: string): void {
    if (key === '' || !this.entries.has(key)) return;
    const below = this.kids.get(key);
    if (below) for (const n of [...below]) this.remove(join(key, n));
    this.kids.delete(key);
    this.entries.delete(key);
    this.kids.get(parentOf(key))?.delete(baseOf(key));
  }

  /** A hardlink: the new name gets the entry found at `targetComps` (resolved like a parent, final not followed). */
  hardlink(key: string, targetComps: string[], entryName: string, linkname: string): void {
    if (!targetComps.length) throw new InvalidParameterError(`invalid hardlink ${JSON.stringify(entryName)} -> ${JSON.stringify(linkname)}`);
    const srcKey = join(this.resolveParent(targetComps.slice(0, -1), linkname), targetComps[targetComps.length - 1]!);
    const src = this.entries.get(srcKey);
    if (!src) throw new InvalidParameterError(`invalid hardlink ${JSON.stringify(entryName)} -> ${JSON.stringify(linkname)}: target is not in the layer`);
    if (src.type === 'dir') throw new InvalidParameterError(`invalid hardlink ${JSON.stringify(entryName)} -> ${JSON.stringify(linkname)}: target is a directory`);
    if (srcKey === key) return;
    this.put(key, { ...src });
  }

  // ------------------------------------------------------------------ reading it

  /**
   * The key a context path names: symlinks followed inside the context (absolute targets from its
   * root, ".." clamped at it), the final one only when `followFinal`; missing components are kept as
   * written (the caller reports them).
   */
  resolve(rel: string, followFinal = true): string {
    const readLink = (parts: string[]) => {
      const e = this.entries.get(parts.join('/'));
      return e && e.type === 'symlink' ? (e.linkname ?? '') : null;
    };
    try {
      return resolveScoped(rel, followFinal, readLink, MAX_SYMLINK_HOPS).join('/');
    } catch (e) {
      if (e instanceof SymlinkLoopError) throw new InvalidParameterError(e.message);
      throw e;
    }
  }

  /** The entry a path names after resolution (symlinks followed), if any. */
  lookup(rel: string): { key: string; entry: TreeEntry<D> } | undefined {
    const key = this.resolve(rel, true);
    const entry = this.entries.get(key);
    return entry ? { key, entry } : undefined;
  }

  /** The paths an ADD/COPY source names: itself, or the sorted matches of a wildcard. */
  select(src: string, what: 'context' | 'stage' = 'context'): string[] {
    const rel = cleanSource(src);
    if (!hasWildcard(rel)) {
      if (!this.lookup(rel)) throw sourceNotFound(rel, what);
      return [rel];
    }
    let cur: string[] = [''];
    for (const seg of rel.split('/')) {
      const next: string[] = [];
      for (const base of cur) {
        if (!hasWildcard(seg)) {
          const r = join(base, seg);
          if (this.entries.has(this.resolve(r, false))) next.push(r);
          continue;
        }
        const re = globToRegExp(seg);
        const dir = this.resolve(base, true);
        for (const n of this.list(dir)) if (re.test(n)) next.push(join(base, n));
      }
      cur = next;
    }
    if (!cur.length) throw new NotFoundError('COPY failed: no source files were specified');
    return cur;
  }

  /**
   * The hash input of every path under the given sources (source named directly: followed if a
   * symlink; below it: not followed), path -> `<type bits>:<mode>:<content sha256 | link target>`, the
   * same text build-context.ts hashes for a directory on disk.
   */
  hashInputs(rels: string[], what: 'context' | 'stage' = 'context'): Map<string, string> {
    const out = new Map<string, string>();
    const visit = (rel: string, key: string): void => {
      const e = this.entries.get(key);
      if (!e) throw sourceNotFound(rel, what);
      // Linux reports 0777 for every symlink.
      const mode = e.type === 'symlink' ? 0o777 : e.mode & 0o7777;
      out.set(rel || '.', `${TYPE_BITS[e.type]}:${mode}:${e.type === 'symlink' ? (e.linkname ?? '') : e.type === 'file' ? (e.digest ?? '') : ''}`);
      if (e.type === 'dir') for (const n of this.list(key)) visit(join(rel, n), join(key, n));
    };
    for (const rel of rels) visit(rel, this.resolve(rel, true));
    return out;
  }

  /**
   * Applies .dockerignore as a walk of the context would: an excluded entry goes with everything
   * below it, unless `!` exceptions exist, in which case an excluded directory is entered and kept
   * only if something in it is re-included.
   */
  applyIgnore(patterns: IgnorePattern[]): void {
    if (!patterns.length) return;
    const anyExclusion = patterns.some((p) => p.exclusion);
    const walk = (dirKey: string): void => {
      for (const name of this.list(dirKey)) {
        const key = join(dirKey, name);
        const e = this.entries.get(key)!;
        if (isIgnored(patterns, key)) {
          if (e.type === 'dir' && anyExclusion) {
            walk(key);
            if (!this.kids.get(key)?.size) this.remove(key);
          } else this.remove(key);
        } else if (e.type === 'dir') walk(key);
      }
    };
    walk('');
  }

  /** Every key at or below the given keys (what a copy of them reads), parents before children. */
  subtreeKeys(keys: Iterable<string>): string[] {
    const out = new Set<string>();
    const add = (key: string): void => {
      if (out.has(key) || !this.entries.has(key)) return;
      out.add(key);
      for (const n of this.kids.get(key) ?? []) add(join(key, n));
    };
    for (const k of keys) add(k);
    return [...out].filter((k) => k !== '').sort();
  }
}
