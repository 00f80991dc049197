// The storage-driver seam of berth-registry: object-store shaped (keys, whole objects, listing by
// prefix), so that the filesystem driver here and an S3-compatible driver later can serve the same
// registry code. Every driver passes the one shared suite in driver-suite.ts.
//
// Keys are `/`-separated relative paths of non-empty components that do not start with `.` (drivers
// keep their own scratch space under `.`-names, out of every key's reach).
//
// The contract every driver keeps:
// - put/putStream are atomic: a reader sees the whole new object or the old one (or none), never a
//   part; a writer that dies halfway leaves nothing visible under the key.
// - move is atomic for the target: it appears whole, and the source is gone afterwards.
// - list(prefix) names the direct children under `prefix/` (objects and "directories" alike), the way
//   an object store's list with delimiter `/` does; [] when there are none.
// - delete removes the object or everything under the prefix; deleting what is absent is no error.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  modified: Date;
  /** True when the key is a prefix of other keys rather than an object. */
  isPrefix: boolean;
}

export interface ByteSpan {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface StorageDriver {
  readonly kind: string;
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Whole small object (links, manifests, upload state); undefined when absent. */
  getContent(key: string): Promise<Buffer | undefined>;
  /** A stream of the object (or of a span of it); undefined when absent. */
  reader(key: string, span?: ByteSpan): Promise<Readable | undefined>;
  putContent(key: string, data: Buffer | string): Promise<void>;
  /** Streams `source` into the object; resolves with the size once it is visible. */
  putStream(key: string, source: Readable): Promise<number>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
}

export class StorageKeyError extends Error {}
export class StorageNotFoundError extends Error {}

/** Checks a key against the contract's shape; drivers call it on every key they are given. */
export function checkKey(key: string, allowEmpty = false): string {
  if (key === '' && allowEmpty) return key;
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p.startsWith('.') || p.includes('\0'))) throw new StorageKeyError(`invalid storage key ${JSON.stringify(key)}`);
  return key;
}
