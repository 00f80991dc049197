// A container's users as its exec and healthcheck processes need them (uid, gid, groups, $HOME),
// read from the container's /etc/passwd and /etc/group. Each exec asks, and 50 containers probed
// every second ask 50 times a second: the answer is kept per container while both files (and /etc)
// keep their inode, size and times, which three lstat calls tell. A link or anything but a plain
// file there is read afresh every time, through the scoped reads that stay inside the root.
import fs from 'node:fs';
import path from 'node:path';
import { readFileInRoot } from './scoped-path.js';
import { resolveUser, type ResolvedUser } from './user-resolve.js';

const RECENT_MS = 100;

function stampOf(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** The identity of /etc, /etc/passwd and /etc/group in a root, or null when any is not plainly there. */
export function userFilesStamp(root: string): string | null {
  try {
    const etc = fs.lstatSync(path.join(root, 'etc'));
    const passwd = fs.lstatSync(path.join(root, 'etc', 'passwd'));
    const group = fs.lstatSync(path.join(root, 'etc', 'group'));
    if (!etc.isDirectory() || !passwd.isFile() || !group.isFile()) return null;
    // File times tick coarsely (a few ms): a file changed within the last moment could change again
    // with the same size and times, so it is not vouched for yet.
    const now = Date.now();
    if ([etc, passwd, group].some((st) => now - Math.max(st.mtimeMs, st.ctimeMs) < RECENT_MS)) return null;
    return `${stampOf(etc)}|${stampOf(passwd)}|${stampOf(group)}`;
  } catch {
    return null;
  }
}

export class UserLookup {
  private readonly known = new Map<string, { key: string; stamp: string; user: ResolvedUser }>();

  /** `spec` ("", "name", "uid:gid"...) in the container whose root is `root`. */
  async resolve(id: string, root: string, spec: string, groupAdd: readonly string[]): Promise<ResolvedUser> {
    const key = `${spec}\0${groupAdd.join(',')}`;
    const stamp = userFilesStamp(root);
    const k = this.known.get(id);
    if (stamp && k && k.key === key && k.stamp === stamp) return k.user;
    const [passwd, group] = await Promise.all([readFileInRoot(root, '/etc/passwd'), readFileInRoot(root, '/etc/group')]);
    const user = resolveUser(spec, passwd, group, [...groupAdd]);
    if (stamp) this.known.set(id, { key, stamp, user });
    else this.known.delete(id);
    return user;
  }

  forget(id: string): void {
    this.known.delete(id);
  }
}
