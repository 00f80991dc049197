// `docker diff`: the container's changes read from its overlay upper directory. A 0/0 character
// device is overlayfs's whiteout (deleted, Kind 2); a path the image layers also have is modified
// (Kind 0); anything else was added (Kind 1).
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Change {
  path: string;
  kind: 0 | 1 | 2;
}

export async function listChanges(upper: string, lowerTopFirst: string[]): Promise<Change[]> {
  const out: Change[] = [];
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
      if (st.isDirectory()) await walk(r, added);
    }
  };
  await walk('', false);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
