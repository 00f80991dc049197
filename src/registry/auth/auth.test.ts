// Auth decisions without a server: htpasswd parsing and checks, basic auth with the ACL, tokens issued,
// verified and refused (expired, other audience, other issuer, other key, tampered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { parseHtpasswd, Htpasswd, HtpasswdError } from './htpasswd.js';
import { TokenSigner, TokenKeyError } from './token.js';
import { Authenticator, AuthError } from './authenticator.js';
import { parseAcl, DEFAULT_ACL } from '../../lib/distribution/acl.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const hash = (p: string) => bcrypt.hashSync(p, 4).replace(/^\$2b\$/, '$2y$');
const pull = (name: string) => ({ type: 'repository', name, actions: ['pull'] });
const push = (name: string) => ({ type: 'repository', name, actions: ['pull', 'push'] });

async function rejectsWith(p: Promise<unknown>, code: string, challenge?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AuthError, String(e));
    assert.equal(e.code, code);
    if (challenge) assert.match(e.challenge ?? '', challenge);
    return true;
  });
}

test('htpasswd: bcrypt entries (as htpasswd -B writes $2y$) only', async () => {
  const users = parseHtpasswd(`# comment\nalice:${hash('secret')}\n\nbob:${hash('pw')}\n`);
  const h = new Htpasswd(users);
  assert.equal(await h.verify('alice', 'secret'), true);
  assert.equal(await h.verify('alice', 'secret'), true, 'cached the second time');
  assert.equal(await h.verify('alice', 'wrong'), false);
  assert.equal(await h.verify('carol', 'secret'), false);
  assert.throws(() => parseHtpasswd('md5user:$apr1$abc$defghijklmnopqrstuvw01'), HtpasswdError);
  assert.throws(() => parseHtpasswd('nocolon'), HtpasswdError);
});

test('basic auth: challenge without credentials, refusal of wrong ones, the ACL decides the rest', async () => {
  const htpasswd = new Htpasswd(parseHtpasswd(`alice:${hash('a')}\nbob:${hash('b')}`));
  const acl = parseAcl('alice * *\nbob ${user}/* pull,push\nanonymous public/* pull');
  const auth = new Authenticator({ mode: 'basic', htpasswd, acl, realm: 'berth-registry' });
  await rejectsWith(auth.authorize(undefined, undefined), 'UNAUTHORIZED', /^Basic realm="berth-registry"$/);
  await rejectsWith(auth.authorize(basic('alice', 'x'), pull('a')), 'UNAUTHORIZED');
  assert.equal((await auth.authorize(basic('alice', 'a'), push('any/thing'))).user, 'alice');
  await auth.authorize(basic('bob', 'b'), push('bob/app'));
  await rejectsWith(auth.authorize(basic('bob', 'b'), push('alice/app')), 'DENIED');
  await auth.authorize(undefined, pull('public/x'));
  await rejectsWith(auth.authorize(undefined, push('public/x')), 'UNAUTHORIZED', /Basic/);
  const bob = await auth.authorize(basic('bob', 'b'), undefined);
  assert.equal(auth.mayPull(bob, 'bob/x'), true);
  assert.equal(auth.mayPull(bob, 'alice/x'), false);
  const none = new Authenticator({ mode: 'none', acl: DEFAULT_ACL, realm: 'r' });
  assert.equal((await none.authorize(undefined, push('x'))).may(push('x')), true);
});

test('token auth: tokens issued with grants are verified on every request; others refused with the challenge', async () => {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cfg = { issuer: 'berth-registry', service: '127.0.0.1:5000', ttl: 300 };
  const signer = await TokenSigner.fromPem(pem, cfg);
  const auth = new Authenticator({ mode: 'token', acl: DEFAULT_ACL, realm: 'berth-registry', token: { signer, realm: 'http://127.0.0.1:5000/token' } });
  const t = await signer.issue('alice', [{ type: 'repository', name: 'app', actions: ['pull'] }]);
  const bearer = `Bearer ${t.token}`;
  assert.equal((await auth.authorize(bearer, pull('app'))).user, 'alice');
  await auth.authorize(bearer, undefined);
  await rejectsWith(
    auth.authorize(bearer, push('app')),
    'DENIED',
    /^Bearer realm="http:\/\/127\.0\.0\.1:5000\/token",service="127\.0\.0\.1:5000",scope="repository:app:pull,push",error="insufficient_scope"$/,
  );
  await rejectsWith(auth.authorize(undefined, pull('app')), 'UNAUTHORIZED', /^Bearer realm="[^"]+",service="[^"]+",scope="repository:app:pull"$/);
  await rejectsWith(auth.authorize(basic('alice', 'a'), pull('app')), 'UNAUTHORIZED', /^Bearer /);
  // An anonymous token (no subject) short of scope is a 401, not a 403: signing in may help.
  const anon = await signer.issue('', []);
  await rejectsWith(auth.authorize(`Bearer ${anon.token}`, pull('app')), 'UNAUTHORIZED', /insufficient_scope/);

  const now = Math.floor(Date.now() / 1000);
  const forge = (claims: Record<string, unknown>, key: crypto.KeyObject = privateKey) =>
    new SignJWT({ access: [{ type: 'repository', name: 'app', actions: ['pull'] }], ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(key);
  const good = { iss: 'berth-registry', aud: '127.0.0.1:5000', sub: 'alice', iat: now, exp: now + 60 };
  assert.equal((await signer.verify(await forge(good)))?.subject, 'alice', 'the forge makes valid tokens when nothing is wrong');
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  for (const [what, tok] of [
    ['expired', await forge({ ...good, exp: now - 120 })],
    ['other audience', await forge({ ...good, aud: 'elsewhere' })],
    ['other issuer', await forge({ ...good, iss: 'mallory' })],
    ['no expiry', await forge({ iss: good.iss, aud: good.aud, sub: 'alice' })],
    ['other key', await forge(good, other)],
    ['tampered', t.token.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...good, access: [{ type: 'repository', name: 'app', actions: ['push'] }] })).toString('base64url')}.`)],
    ['garbage', 'not.a.token'],
  ] as const) {
    assert.equal(await signer.verify(tok), null, what);
    await rejectsWith(auth.authorize(`Bearer ${tok}`, pull('app')), 'UNAUTHORIZED', /error="invalid_token"/);
  }
});

test('token keys: RSA and P-256 private keys sign; a public key only verifies; other keys refused', async () => {
  const cfg = { issuer: 'i', service: 's', ttl: 60 };
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = await TokenSigner.fromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cfg);
  const verifier = await TokenSigner.fromPem(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string, cfg);
  assert.equal(verifier.canSign, false);
  const t = await signer.issue('u', []);
  assert.equal((await verifier.verify(t.token))?.subject, 'u');
  await assert.rejects(verifier.issue('u', []), TokenKeyError);
  const ed = crypto.generateKeyPairSync('ed25519');
  await assert.rejects(TokenSigner.fromPem(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cfg), TokenKeyError);
  await assert.rejects(TokenSigner.fromPem('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----', cfg), TokenKeyError);
  assert.equal((await TokenSigner.fromPem(undefined, cfg)).canSign, true, 'an ephemeral key when none is given');
});

test('search identity: anonymous without credentials, Basic checked in both modes, a Bearer token in token mode', async () => {
  const htpasswd = new Htpasswd(parseHtpasswd(`alice:${hash('a')}`));
  const acl = parseAcl('alice * pull\nanonymous public/* pull');
  const signer = await TokenSigner.fromPem(undefined, { issuer: 'berth-registry', service: 'svc', ttl: 300 });
  for (const mode of ['basic', 'token'] as const) {
    const auth = new Authenticator({ mode, htpasswd, acl, realm: 'berth-registry', ...(mode === 'token' ? { token: { signer, realm: 'http://127.0.0.1:1/token' } } : {}) });
    const anon = await auth.searchIdentity(undefined);
    assert.equal(anon.user, undefined);
    assert.equal(auth.mayPull(anon, 'public/x'), true, mode);
    assert.equal(auth.mayPull(anon, 'private/x'), false, mode);
    const alice = await auth.searchIdentity(basic('alice', 'a'));
    assert.equal(alice.user, 'alice');
    assert.equal(auth.mayPull(alice, 'private/x'), true, mode);
    await rejectsWith(auth.searchIdentity(basic('alice', 'wrong')), 'UNAUTHORIZED', /^Basic/);
  }
  const tokenAuth = new Authenticator({ mode: 'token', htpasswd, acl, realm: 'berth-registry', token: { signer, realm: 'http://127.0.0.1:1/token' } });
  const t = await signer.issue('alice', []);
  assert.equal((await tokenAuth.searchIdentity(`Bearer ${t.token}`)).user, 'alice');
  await rejectsWith(tokenAuth.searchIdentity('Bearer not.a.token'), 'UNAUTHORIZED', /^Bearer .*error="invalid_token"/);
  const none = new Authenticator({ mode: 'none', acl: DEFAULT_ACL, realm: 'r' });
  assert.equal(none.mayPull(await none.searchIdentity(undefined), 'anything'), true);
});
