// Registry digests: the algorithms the distribution spec requires a registry to take (sha256 and
// sha512), validated before any byte is stored under one. Pure: the hashing itself is the caller's.
import { RegistryError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** `sha256:<64 hex>` or `sha512:<128 hex>`, lowercase. Branded so a plain string needs a check. */
export type BlobDigest = string & { readonly __blobDigest: true };

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
// The OCI image spec's digest grammar (algorithm ":" encoded), checked before the algorithm table.
const GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses a digest from a URL or a manifest; DIGEST_INVALID (400) for anything else. */
export function parseBlobDigest(s: string): BlobDigest {
  if (!GRAMMAR.test(s)) throw new RegistryError('DIGEST_INVALID', 'invalid digest format', { digest: s.slice(0, 200) });
  const i = s.indexOf(':');
  const alg = s.slice(0, i);
  const hex = s.slice(i + 1);
  if (alg !== 'sha256' && alg !== 'sha512') throw new RegistryError('DIGEST_INVALID', `unsupported digest algorithm ${alg}`, { digest: s.slice(0, 200) });
  if (hex.length !== HEX_LENGTH[alg] || !/^[a-f0-9]+$/.test(hex)) {
    throw new RegistryError('DIGEST_INVALID', 'invalid digest length or encoding', { digest: s.slice(0, 200) });
  }
  return s as BlobDigest;
}

export function isBlobDigest(s: string): s is BlobDigest {
  try {
    parseBlobDigest(s);
    return true;
  } catch {
    return false;
  }
}

export function digestAlgorithm(d: BlobDigest): DigestAlgorithm {
  return d.slice(0, d.indexOf(':')) as DigestAlgorithm;
}

export function digestEncoded(d: BlobDigest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** Builds a digest from an algorithm and the hex of a hash the caller computed. */
export function makeDigest(alg: DigestAlgorithm, hex: string): BlobDigest {
  return parseBlobDigest(`${alg}:${hex}`);
}
