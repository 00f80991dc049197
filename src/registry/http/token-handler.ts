// The registry's own token endpoint (GET /token?service=&scope=&account=), the realm of Docker's token
// flow when --token-realm points here: it checks Basic credentials against the htpasswd file (none:
// anonymous), cuts the requested scopes down to what the ACL grants, and answers with a signed JWT in
// the shape Docker's client reads ({token, access_token, expires_in, issued_at}). `docker login` asks
// with no scope: a valid password gets a token with no grants, which is all login needs.
import { RegistryError } from '../../lib/distribution/errors.js';
import { grantScopes } from '../../lib/distribution/acl.js';
import { basicChallenge, parseAuthorization, parseScopes } from '../../lib/distribution/scope.js';
import { AuthError } from '../auth/authenticator.js';
import { sendJson, type Ctx } from './context.js';

export async function tokenHandler(ctx: Ctx): Promise<void> {
  const { req, url, opts } = ctx;
  const c = opts.auth.config;
  if (c.mode !== 'token' || !c.token?.signer.canSign) throw new RegistryError('UNSUPPORTED', 'this registry issues no tokens');
  const signer = c.token.signer;
  const service = url.searchParams.get('service');
  if (service !== null && service !== signer.config.service) {
    throw new RegistryError('DENIED', `unknown service ${JSON.stringify(service.slice(0, 100))}`);
  }
  const parsed = parseAuthorization(req.headers.authorization);
  let user: string | undefined;
  if (parsed) {
    if (parsed.scheme !== 'basic' || !c.htpasswd || !(await c.htpasswd.verify(parsed.user!, parsed.password!))) {
      throw new AuthError('UNAUTHORIZED', basicChallenge(c.realm), 'incorrect username or password');
    }
    user = parsed.user;
  }
  const account = url.searchParams.get('account');
  if (account && user && account !== user) throw new AuthError('UNAUTHORIZED', basicChallenge(c.realm), 'account does not match the credentials');
  const granted = grantScopes(c.acl, user, parseScopes(url.searchParams.getAll('scope')));
  const t = await signer.issue(user ?? '', granted);
  sendJson(ctx.res, 200, { token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt.toISOString() });
}
