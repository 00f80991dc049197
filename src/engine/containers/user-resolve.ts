// Pure resolution of Docker's `--user` forms (`uid`, `uid:gid`, `name`, `name:group`, mixed) against
// the image's /etc/passwd and /etc/group text, as runc's libcontainer/user does for Docker: numeric
// IDs need no entry, names must have one; supplementary groups are those listing the user as member.
import { InvalidParameterError } from '../../errors.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || f[2] === '' || f[3] === '') continue;
    out.push({ name: f[0]!, uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || f[2] === '') continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, gid, members: (f[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean) });
  }
  return out;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

const isNumeric = (s: string) => /^\d+$/.test(s);

/**
 * Resolves `spec` ("" = root). `groupAdd` are HostConfig.GroupAdd entries (names or numbers).
 * passwd/group are the file texts, or null when the image lacks the file.
 */
export function resolveUser(spec: string, passwdText: string | null, groupText: string | null, groupAdd: string[] = []): ResolvedUser {
  const passwd = parsePasswd(passwdText ?? '');
  const groups = parseGroup(groupText ?? '');
  const [userPart = '', groupPart] = spec.split(':', 2) as [string?, string?];
  let uid = 0;
  let gid = 0;
  let home = '/';
  let userName: string | null = null;

  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    if (root) {
      home = root.home || '/';
      userName = root.name;
    }
  } else if (isNumeric(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((p) => p.uid === uid);
    if (entry) {
      gid = entry.gid;
      home = entry.home || '/';
      userName = entry.name;
    }
  } else {
    const entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw new InvalidParameterError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
    gid = entry.gid;
    home = entry.home || '/';
    userName = entry.name;
  }

  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new InvalidParameterError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }

  const additional: number[] = [];
  // An explicit group in the spec replaces the supplementary groups from /etc/group, as runc does.
  if (userName !== null && (groupPart === undefined || groupPart === '')) {
    for (const g of groups) if (g.members.includes(userName) && g.gid !== gid && !additional.includes(g.gid)) additional.push(g.gid);
  }
  for (const ga of groupAdd) {
    let id: number;
    if (isNumeric(ga)) id = Number(ga);
    else {
      const g = groups.find((x) => x.name === ga);
      if (!g) throw new InvalidParameterError(`Unable to find group ${ga}: no matching entries in group file`);
      id = g.gid;
    }
    if (!additional.includes(id)) additional.push(id);
  }
  return { uid, gid, additionalGids: additional, home };
}
