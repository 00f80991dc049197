// Content digests (`sha256:<64 hex>`): the branded string type, validation with the OCI/distribution
// digest package's messages, and helpers to split and shorten them. Pure: hashing is done by callers.

/** sha256:<64 lowercase hex>. A template-literal type so a plain string needs a check to become one. */
export type Digest = `sha256:${string}`;

const SHA256_HEX = /^[a-f0-9]{64}$/;
// The OCI image spec's digest grammar: algorithm ":" encoded.
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export class DigestError extends Error {}

/** True when `s` is exactly `sha256:` + 64 lowercase hex digits. */
export function isDigest(s: string): s is Digest {
  return s.startsWith('sha256:') && SHA256_HEX.test(s.slice(7));
}

/** True for a bare 64-hex image/layer ID (no algorithm). */
export function isFullHexId(s: string): boolean {
  return SHA256_HEX.test(s);
}

/**
 * Validates a digest string with the messages of Go's opencontainers/go-digest (which Docker prints):
 * "invalid checksum digest format", "unsupported digest algorithm", "invalid checksum digest length".
 */
export function parseDigest(s: string): Digest {
  if (!DIGEST_GRAMMAR.test(s)) throw new DigestError('invalid checksum digest format');
  const [alg, hex] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
  if (alg !== 'sha256') throw new DigestError('unsupported digest algorithm');
  if (hex.length !== 64) throw new DigestError('invalid checksum digest length');
  if (!SHA256_HEX.test(hex)) throw new DigestError('invalid checksum digest format');
  return s as Digest;
}

/** The hex part of a digest (what names files in the content and layer stores). */
export function digestHex(d: Digest): string {
  return d.slice(7);
}

/** Makes a Digest from 64 hex digits (the output of a sha256 hash). */
export function digestFromHex(hex: string): Digest {
  if (!SHA256_HEX.test(hex)) throw new DigestError('invalid checksum digest length');
  return `sha256:${hex}`;
}

/** Docker's short ID: the first 12 hex digits, without the algorithm. */
export function shortId(d: string): string {
  const hex = d.startsWith('sha256:') ? d.slice(7) : d;
  return hex.slice(0, 12);
}
