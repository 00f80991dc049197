// Bearer tokens of Docker's token flow: JWTs (ES256 or RS256, from the --token-key PEM, or an
// ephemeral P-256 key made at start) carrying the granted `access` list, as distribution's token
// server issues them. Every request's token is verified here: signature, issuer, audience (the
// service), expiry and not-before.
import crypto from 'node:crypto';
import { SignJWT, jwtVerify, calculateJwkThumbprint, exportJWK } from 'jose';
import type { Access } from '../../lib/distribution/scope.js';

export interface TokenConfig {
  issuer: string;
  service: string;
  /** Seconds a token lives. */
  ttl: number;
}

export class TokenKeyError extends Error {}

export class TokenSigner {
  private constructor(
    readonly config: TokenConfig,
    private readonly privateKey: crypto.KeyObject | undefined,
    private readonly publicKey: crypto.KeyObject,
    private readonly alg: 'ES256' | 'RS256',
    private readonly kid: string,
  ) {}

  /** From a PEM: a private key signs and verifies; a public key or certificate only verifies. */
  static async fromPem(pem: string | undefined, config: TokenConfig): Promise<TokenSigner> {
    let priv: crypto.KeyObject | undefined;
    let pub: crypto.KeyObject;
    if (pem === undefined) {
      const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      priv = pair.privateKey;
      pub = pair.publicKey;
    } else if (/PRIVATE KEY/.test(pem)) {
      try {
        priv = crypto.createPrivateKey(pem);
      } catch (e) {
        throw new TokenKeyError(`token key: ${(e as Error).message}`);
      }
      pub = crypto.createPublicKey(priv);
    } else {
      try {
        pub = /CERTIFICATE/.test(pem) ? new crypto.X509Certificate(pem).publicKey : crypto.createPublicKey(pem);
      } catch (e) {
        throw new TokenKeyError(`token key: ${(e as Error).message}`);
      }
    }
    let alg: 'ES256' | 'RS256';
    if (pub.asymmetricKeyType === 'rsa') alg = 'RS256';
    else if (pub.asymmetricKeyType === 'ec' && pub.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
    else throw new TokenKeyError('token key: want an RSA or a P-256 EC key');
    const kid = await calculateJwkThumbprint(await exportJWK(pub));
    return new TokenSigner(config, priv, pub, alg, kid);
  }

  get canSign(): boolean {
    return this.privateKey !== undefined;
  }

  async issue(subject: string, access: Access[]): Promise<{ token: string; expiresIn: number; issuedAt: Date }> {
    if (!this.privateKey) throw new TokenKeyError('this registry verifies tokens but has no key to sign them');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: this.alg, typ: 'JWT', kid: this.kid })
      .setIssuer(this.config.issuer)
      .setSubject(subject)
      .setAudience(this.config.service)
      .setIssuedAt(now)
      .setNotBefore(now - 1)
      .setExpirationTime(now + this.config.ttl)
      .setJti(crypto.randomUUID())
      .sign(this.privateKey);
    return { token, expiresIn: this.config.ttl, issuedAt: new Date(now * 1000) };
  }

  /** The token's subject and grants; null when it is not a valid token for this registry. */
  async verify(token: string): Promise<{ subject: string; access: Access[] } | null> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.config.issuer,
        audience: this.config.service,
        algorithms: [this.alg],
        clockTolerance: 30,
        requiredClaims: ['exp'],
      });
      const access = Array.isArray(payload.access) ? (payload.access as unknown[]).filter(isAccess) : [];
      return { subject: typeof payload.sub === 'string' ? payload.sub : '', access };
    } catch {
      return null;
    }
  }
}

function isAccess(v: unknown): v is Access {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return typeof a.type === 'string' && typeof a.name === 'string' && Array.isArray(a.actions) && a.actions.every((x) => typeof x === 'string');
}
