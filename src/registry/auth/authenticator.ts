// Who is asking and may they: the registry's one auth decision per request, for three modes.
// - none: everything is allowed (the reference registry without auth).
// - basic (--htpasswd): credentials with every request, checked against the htpasswd file; grants
//   from the ACL. No or wrong credentials: 401 with `WWW-Authenticate: Basic realm=...`.
// - token (--token-realm): a Bearer JWT with every request, verified here; its `access` claim is the
//   grant. No or bad token: 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, the
//   challenge Docker's client follows to the token endpoint (token-endpoint.ts), which checks the
//   htpasswd file and cuts the requested scopes down to the ACL.
import { RegistryError } from '../../lib/distribution/errors.js';
import { grantedActions, type Acl } from '../../lib/distribution/acl.js';
import { basicChallenge, bearerChallenge, covers, parseAuthorization, type Access } from '../../lib/distribution/scope.js';
import type { Htpasswd } from './htpasswd.js';
import type { TokenSigner } from './token.js';

export interface Identity {
  /** Signed-in user, undefined for an anonymous caller. */
  user?: string;
  /** True when access is decided by the ACL (basic) rather than a token's grants. */
  may(access: Access): boolean;
}

/** A 401/403 with the challenge header the client must follow. */
export class AuthError extends RegistryError {
  constructor(
    code: 'UNAUTHORIZED' | 'DENIED',
    readonly challenge: string | undefined,
    message?: string,
    detail?: unknown,
  ) {
    super(code, message, detail);
  }
}

export interface AuthConfig {
  mode: 'none' | 'basic' | 'token';
  htpasswd?: Htpasswd;
  acl: Acl;
  /** Basic realm name. */
  realm: string;
  token?: { signer: TokenSigner; realm: string };
}

function aclMay(acl: Acl, user: string | undefined, a: Access): boolean {
  if (a.type === 'registry') return user !== undefined;
  if (a.type !== 'repository') return false;
  const held = grantedActions(acl, user, a.name);
  return a.actions.every((x) => (x === '*' ? held.size === 3 : held.has(x)));
}

export class Authenticator {
  constructor(readonly config: AuthConfig) {}

  get mode(): AuthConfig['mode'] {
    return this.config.mode;
  }

  /**
   * Decides a request needing `access` (undefined: the base endpoint, which only needs a valid
   * identity once auth is on). Returns the identity, or throws AuthError.
   */
  async authorize(authorization: string | undefined, access: Access | undefined): Promise<Identity> {
    const c = this.config;
    if (c.mode === 'none') return { may: () => true };
    const parsed = parseAuthorization(authorization);
    if (c.mode === 'basic') {
      const challenge = basicChallenge(c.realm);
      let user: string | undefined;
      if (parsed) {
        if (parsed.scheme !== 'basic' || !(await c.htpasswd!.verify(parsed.user!, parsed.password!))) {
          throw new AuthError('UNAUTHORIZED', challenge);
        }
        user = parsed.user;
      }
      const identity: Identity = { user, may: (a) => aclMay(c.acl, user, a) };
      if (!access) {
        if (user === undefined) throw new AuthError('UNAUTHORIZED', challenge);
        return identity;
      }
      if (!identity.may(access)) {
        if (user === undefined) throw new AuthError('UNAUTHORIZED', challenge);
        throw new AuthError('DENIED', undefined, undefined, { resource: access.name, actions: access.actions });
      }
      return identity;
    }
    // token
    const { signer, realm } = c.token!;
    const service = signer.config.service;
    const claims = parsed?.scheme === 'bearer' ? await signer.verify(parsed.token!) : null;
    if (!claims) {
      throw new AuthError('UNAUTHORIZED', bearerChallenge(realm, service, access, parsed?.scheme === 'bearer' ? 'invalid_token' : undefined));
    }
    const user = claims.subject || undefined;
    const identity: Identity = { user, may: (a) => covers(claims.access, a) };
    if (access && !identity.may(access)) {
      throw new AuthError(user ? 'DENIED' : 'UNAUTHORIZED', bearerChallenge(realm, service, access, 'insufficient_scope'), undefined, {
        resource: access.name,
        actions: access.actions,
      });
    }
    return identity;
  }

  /**
   * Who is searching (Docker's v1 search, GET /v1/search): anyone may ask, and the results are cut to
   * what the caller may pull. Without credentials: anonymous. Basic credentials are checked against
   * the htpasswd file in both auth modes (dockerd sends them so even to a token-auth registry, as v1
   * endpoints never had tokens); a Bearer token is verified in token mode. Wrong credentials: 401.
   */
  async searchIdentity(authorization: string | undefined): Promise<Identity> {
    const c = this.config;
    if (c.mode === 'none') return { may: () => true };
    const parsed = parseAuthorization(authorization);
    if (!parsed) return { may: () => false };
    if (parsed.scheme === 'basic') {
      if (!c.htpasswd || !(await c.htpasswd.verify(parsed.user!, parsed.password!))) throw new AuthError('UNAUTHORIZED', basicChallenge(c.realm));
      const user = parsed.user;
      return { user, may: (a) => aclMay(c.acl, user, a) };
    }
    if (c.mode === 'token') {
      const claims = await c.token!.signer.verify(parsed.token!);
      if (!claims) throw new AuthError('UNAUTHORIZED', bearerChallenge(c.token!.realm, c.token!.signer.config.service, undefined, 'invalid_token'));
      const user = claims.subject || undefined;
      return { user, may: (a) => aclMay(c.acl, user, a) };
    }
    throw new AuthError('UNAUTHORIZED', basicChallenge(c.realm));
  }

  /** For the catalog and search: may this identity pull `repo`? */
  mayPull(identity: Identity, repo: string): boolean {
    if (this.config.mode === 'none') return true;
    if (this.config.mode === 'basic') return aclMay(this.config.acl, identity.user, { type: 'repository', name: repo, actions: ['pull'] });
    // A token's grants name repositories one by one; listing goes by the ACL for its subject.
    return aclMay(this.config.acl, identity.user, { type: 'repository', name: repo, actions: ['pull'] });
  }
}
