// The capabilities this host lets containers have: the bounding set of this process. A privileged
// container asking for one outside it makes runc fail, so the spec builder is given this list.
import fs from 'node:fs';
import { ALL_CAPABILITIES } from '../lib/oci/runtime-spec.js';

/** Decodes a hex capability mask (as in /proc/self/status CapBnd) into names. */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt('0x' + hex.trim());
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

let cached: string[] | undefined;

export function readHostCapabilities(): string[] {
  if (!cached) {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    // Effective is what we can actually hand on; the bounding set alone would include caps we lost.
    const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    const b = bnd ? capabilitiesFromMask(bnd) : [...ALL_CAPABILITIES];
    const e = eff ? capabilitiesFromMask(eff) : b;
    cached = b.filter((c) => e.includes(c));
  }
  return [...cached];
}
