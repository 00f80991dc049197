// Who may do what to which repository: berth-registry's ACL file (`--acl FILE`), the same for basic
// and token auth. One rule a line, `USER REPOSITORY-PATTERN ACTIONS`, `#` comments:
//
//   alice      *              pull,push,delete   # alice: everything
//   *          ${user}/*      pull,push          # every signed-in user: their own namespace
//   *          library/*      pull               # every signed-in user may pull library/
//   anonymous  public/*       pull               # no credentials needed
//
// USER is a name from the htpasswd file, `*` (any signed-in user) or `anonymous` (everyone, signed in
// or not). The pattern's `*` matches any characters, slashes included, and `${user}` is the caller's
// name. Actions are pull, push, delete or `*` (all three). A caller's grant is the union of every rule
// that matches; nothing matches, nothing is granted. Without an ACL file, a signed-in user may do
// everything and an anonymous caller nothing (what the reference registry does with htpasswd).
import type { Access } from './scope.js';

export interface AclRule {
  user: string;
  pattern: string;
  actions: string[];
}

export type Acl = AclRule[];

const ACTIONS = new Set(['pull', 'push', 'delete', '*']);

export class AclError extends Error {}

export function parseAcl(text: string): Acl {
  const rules: Acl = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 3) throw new AclError(`acl line ${i + 1}: want "USER PATTERN ACTIONS", got "${line}"`);
    const actions = parts[2]!.split(',').filter(Boolean);
    const bad = actions.find((a) => !ACTIONS.has(a));
    if (bad || actions.length === 0) throw new AclError(`acl line ${i + 1}: unknown action "${bad ?? ''}" (pull, push, delete or *)`);
    rules.push({ user: parts[0]!, pattern: parts[1]!, actions });
  });
  return rules;
}

/** The ACL in force without a file: signed-in users may do everything. */
export const DEFAULT_ACL: Acl = [{ user: '*', pattern: '*', actions: ['*'] }];

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function userMatches(ruleUser: string, user: string | undefined): boolean {
  if (ruleUser === 'anonymous') return true;
  if (user === undefined) return false;
  return ruleUser === '*' || ruleUser === user;
}

/** The actions `user` (undefined: anonymous) holds on repository `repo`, `*` expanded. */
export function grantedActions(acl: Acl, user: string | undefined, repo: string): Set<string> {
  const out = new Set<string>();
  for (const r of acl) {
    if (!userMatches(r.user, user)) continue;
    const pattern = user === undefined ? r.pattern : r.pattern.split('${user}').join(user);
    if (user === undefined && pattern.includes('${user}')) continue;
    if (!globToRegExp(pattern).test(repo)) continue;
    for (const a of r.actions) {
      if (a === '*') ['pull', 'push', 'delete'].forEach((x) => out.add(x));
      else out.add(a);
    }
  }
  return out;
}

/**
 * What a token grants for requested scopes: each repository scope cut down to the ACL's actions;
 * `registry:catalog:*` to any signed-in user (the catalog then lists only what they may pull).
 */
export function grantScopes(acl: Acl, user: string | undefined, requested: readonly Access[]): Access[] {
  const out: Access[] = [];
  for (const r of requested) {
    if (r.type === 'repository') {
      const held = grantedActions(acl, user, r.name);
      const actions = r.actions.filter((a) => (a === '*' ? held.size === 3 : held.has(a)));
      if (actions.length > 0) out.push({ type: r.type, name: r.name, actions });
    } else if (r.type === 'registry' && r.name === 'catalog' && user !== undefined) {
      out.push({ type: 'registry', name: 'catalog', actions: ['*'] });
    }
  }
  return out;
}
