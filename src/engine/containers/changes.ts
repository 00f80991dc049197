// `docker diff`: the container's changes read from its overlay upper directory. A 0/0 character
// device is overlayfs's whiteout (deleted, Kind 2); a path the image layers also have is modified
// (Kind 0); anything else was added (Kind 1).
import fs from 'node:fs/promises';
import path from 'node:path';

const INIT_PATHS = new Set(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab', '/dev', '/dev/console', '/dev/pts', '/dev/shm', '/proc', '/sys', '/.dockerenv', '/sbin/docker-init']);

export interface Change {
  path: string;
  kind: 0 | 1 | 2;
}

export async function listChanges(upper: string, lowerTopFirst: string[]): Promise<Change[]> {
  const out: Change[] = [];
  const dirs = new Set<string>();
  const changedDirs = new Set<string>();
  const dirMetaChanged = async (rel: string, st: import('node:fs').Stats): Promise<boolean> => {
    for (const l of lowerTopFirst) {
      const lst = await fs.lstat(path.join(l, rel)).catch(() => null);
      if (!lst) continue;
      return (lst.mode & 0o7777) !== (st.mode & 0o7777) || lst.uid !== st.uid || lst.gid !== st.gid;
    }
    return false;
  };
  const inLower = async (rel: string): Promise<boolean> => {
    for (const l of lowerTopFirst) {
      const st = await fs.lstat(path.join(l, rel)).catch(() => null);
      if (!st) continue;
      // A whiteout in a higher layer hides the path from the layers below it.
      return !(st.isCharacterDevice() && st.rdev === 0);
    }
    return false;
  };
  const walk = async (rel: string, parentAdded: boolean): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(upper, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = path.join(rel, e.name);
      const st = await fs.lstat(path.join(upper, r)).catch(() => null);
      if (!st) continue;
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ path: '/' + r, kind: 2 });
        continue;
      }
      const added = parentAdded || !(await inLower(r));
      out.push({ path: '/' + r, kind: added ? 1 : 0 });
      if (st.isDirectory()) {
        dirs.add('/' + r);
        // A copied-up directory whose mode or owner changed is a change of its own.
        if (!added && (await dirMetaChanged(r, st))) changedDirs.add('/' + r);
        await walk(r, added);
      }
    }
  };
  await walk('', false);
  // Mount points the runtime creates for every container (Docker keeps them in its hidden "init"
  // layer) are not the user's changes; a directory left "modified" only because of them goes too.
  const kept = out.filter((c) => !INIT_PATHS.has(c.path));
  const result = kept.filter(
    (c) => !(c.kind === 0 && dirs.has(c.path) && !kept.some((o) => o.path.startsWith(c.path + '/'))) || changedDirs.has(c.path),
  );
  return result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
