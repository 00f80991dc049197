// Where each thing lives in the storage driver's key space (in the manner of distribution's layout):
//   blobs/<alg>/<hh>/<hex>/data                          content, addressed by digest, shared by all repos
//   repositories/<name>/_layers/<alg>/<hex>/link        the blob is part of <name> (pull, mount, HEAD)
//   repositories/<name>/_manifests/revisions/<alg>/<hex>/link   a manifest of <name>: "digest\nmediaType"
//   repositories/<name>/_manifests/tags/<tag>/link      the digest the tag points at
//   repositories/<name>/_referrers/<alg>/<subject-hex>/<alg>-<hex>   a referrer's descriptor (JSON)
//   repositories/<name>/_uploads/<id>/startedat         an upload in flight; its bytes in chunks/<offset>
// Repository path components never start with `_` (the name grammar), so these cannot collide.
import { digestAlgorithm, digestEncoded, type BlobDigest } from '../lib/distribution/digest.js';

export const BLOBS = 'blobs';
export const REPOSITORIES = 'repositories';

function parts(d: BlobDigest): [string, string] {
  return [digestAlgorithm(d), digestEncoded(d)];
}

export function blobDataKey(d: BlobDigest): string {
  const [alg, hex] = parts(d);
  return `${BLOBS}/${alg}/${hex.slice(0, 2)}/${hex}/data`;
}

export function blobDirKey(d: BlobDigest): string {
  const [alg, hex] = parts(d);
  return `${BLOBS}/${alg}/${hex.slice(0, 2)}/${hex}`;
}

export function repoKey(repo: string): string {
  return `${REPOSITORIES}/${repo}`;
}

export function layerLinkKey(repo: string, d: BlobDigest): string {
  const [alg, hex] = parts(d);
  return `${repoKey(repo)}/_layers/${alg}/${hex}/link`;
}

export function layersKey(repo: string): string {
  return `${repoKey(repo)}/_layers`;
}

export function revisionLinkKey(repo: string, d: BlobDigest): string {
  const [alg, hex] = parts(d);
  return `${repoKey(repo)}/_manifests/revisions/${alg}/${hex}/link`;
}

export function revisionsKey(repo: string): string {
  return `${repoKey(repo)}/_manifests/revisions`;
}

export function tagsKey(repo: string): string {
  return `${repoKey(repo)}/_manifests/tags`;
}

export function tagLinkKey(repo: string, tag: string): string {
  return `${tagsKey(repo)}/${tag}/link`;
}

export function referrersKey(repo: string, subject: BlobDigest): string {
  const [alg, hex] = parts(subject);
  return `${repoKey(repo)}/_referrers/${alg}/${hex}`;
}

export function referrerEntryKey(repo: string, subject: BlobDigest, referrer: BlobDigest): string {
  const [alg, hex] = parts(referrer);
  return `${referrersKey(repo, subject)}/${alg}-${hex}`;
}

export function uploadsKey(repo: string): string {
  return `${repoKey(repo)}/_uploads`;
}

export function uploadKey(repo: string, id: string): string {
  return `${uploadsKey(repo)}/${id}`;
}
