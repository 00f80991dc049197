// Image references parsed and normalised as Docker does (distribution/reference): `busybox` is
// `docker.io/library/busybox:latest`, registries with ports, tags, digests, the familiar (short) form
// for display, and the same error messages the docker CLI prints.
import { isDigest, isFullHexId, parseDigest, DigestError, type Digest } from '../oci/digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar of distribution/reference's regexp.go, transcribed.
const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const ANCHORED_ID_RE = /^[a-f0-9]{64}$/;
const HEX_PREFIX_RE = /^(?:sha256:)?[a-f0-9]{1,64}$/;

/** Errors in parsing a reference; the message is Docker's. Services wrap it into InvalidParameterError. */
export class ReferenceError extends Error {}

export interface Reference {
  /** Registry host (with port), e.g. "docker.io", "localhost:5000". */
  domain: string;
  /** Repository path in the registry, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: Digest;
}

/** domain + "/" + path: the fully qualified repository name ("docker.io/library/busybox"). */
export function repoName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** The full normalised string ("docker.io/library/busybox:latest", "...@sha256:..."). */
export function refString(r: Reference): string {
  return repoName(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** Docker's familiar name: "busybox", "user/repo", "localhost:5000/x/y". */
export function familiarName(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return `${r.domain}/${r.path}`;
  if (r.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = r.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

/** Docker's familiar string for display: "busybox:latest", "user/repo@sha256:...". */
export function familiarString(r: Reference): string {
  return familiarName(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  // The first component is a registry only when it looks like a host: has a dot or a port, is
  // "localhost", or has uppercase letters (which a repository path cannot have).
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/** Parses a fully qualified reference string (no normalisation), with distribution's errors. */
function parseStrict(s: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw new ReferenceError('invalid reference format: repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) throw new ReferenceError('invalid reference format: repository name must be lowercase');
    throw new ReferenceError('invalid reference format');
  }
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw new ReferenceError(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const slash = name.indexOf('/');
  const ref: Reference = { domain: name.slice(0, slash), path: name.slice(slash + 1) };
  if (m[2]) ref.tag = m[2];
  if (m[3]) {
    try {
      ref.digest = parseDigest(m[3]);
    } catch (e) {
      throw new ReferenceError(e instanceof DigestError ? e.message : String(e));
    }
  }
  return ref;
}

/**
 * Docker's ParseNormalizedNamed: "busybox" -> docker.io/library/busybox (no tag added). Throws
 * ReferenceError with Docker's message on bad input.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (ANCHORED_ID_RE.test(s)) throw new ReferenceError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) throw new ReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  return parseStrict(`${domain}/${remainder}`);
}

/** ParseNormalizedNamed + the default tag when neither tag nor digest is given ("busybox" -> ":latest"). */
export function parseDockerRef(s: string): Reference {
  const r = parseNormalizedNamed(s);
  if (!r.tag && !r.digest) r.tag = DEFAULT_TAG;
  return r;
}

/** Returns a copy with the tag (replacing any tag and dropping any digest). Validates the tag. */
export function withTag(r: Reference, tag: string): Reference {
  if (!TAG_RE.test(tag)) throw new ReferenceError('invalid tag format');
  return { domain: r.domain, path: r.path, tag };
}

/** Just the repository, no tag or digest. */
export function nameOnly(r: Reference): Reference {
  return { domain: r.domain, path: r.path };
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** What a user's string names, as Docker's ParseAnyReference + ID search sees it. */
export type ImageLookup =
  /** A full image ID: "sha256:<64hex>" or 64 bare hex digits. */
  | { kind: 'id'; id: Digest }
  /** A name (with tag and/or digest); `idPrefix` is set when the string could also be a short ID. */
  | { kind: 'ref'; ref: Reference; idPrefix?: string }
  /** Not a valid name, but a hex prefix of an ID ("sha256:abc"). */
  | { kind: 'prefix'; idPrefix: string };

/**
 * Classifies what the user typed, in Docker's order: full ID, then name (tag "latest" implied), then
 * ID prefix. A reference that is neither valid nor a hex prefix throws ReferenceError.
 */
export function parseImageLookup(s: string): ImageLookup {
  if (isFullHexId(s)) return { kind: 'id', id: `sha256:${s}` };
  if (isDigest(s)) return { kind: 'id', id: s };
  const prefix = HEX_PREFIX_RE.test(s) ? s.replace(/^sha256:/, '') : undefined;
  let ref: Reference;
  try {
    ref = parseDockerRef(s);
  } catch (e) {
    if (prefix !== undefined) return { kind: 'prefix', idPrefix: prefix };
    throw e;
  }
  return prefix !== undefined ? { kind: 'ref', ref, idPrefix: prefix } : { kind: 'ref', ref };
}
