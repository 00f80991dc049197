// Chain IDs as Docker and the OCI image spec compute them: chainID(L0) = diffID(L0); chainID(Ln) =
// sha256(chainID(Ln-1) + " " + diffID(Ln)). A layer's chain ID names the unpacked stack from the bottom
// to it, so identical stacks are unpacked once and shared. (node:crypto is computation, not I/O.)
import { createHash } from 'node:crypto';
import type { Digest } from './digest.js';

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Chain IDs of every prefix of the stack, lowest first. */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    out.push(out.length === 0 ? d : sha256Digest(`${out[out.length - 1]} ${d}`));
  }
  return out;
}

/** The chain ID of the whole stack, or null for an image with no layers. */
export function chainId(diffIds: readonly Digest[]): Digest | null {
  const all = chainIds(diffIds);
  return all.length ? all[all.length - 1]! : null;
}
