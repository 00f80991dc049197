// Platforms as `--platform` names them (os[/arch[/variant]]) and the choice of one manifest from a
// manifest list or OCI index, as containerd's platform matcher does it for Docker: same OS, same
// architecture (GOARCH), and the variant when one is asked for (arm/v7; amd64 without a variant takes
// any amd64 entry). Pure.

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

export class PlatformError extends Error {}

/** Normalises GOARCH aliases the way containerd's platforms.Normalize does. */
function normaliseArch(arch: string, variant: string | undefined): { architecture: string; variant?: string } {
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'x86-64' || a === 'amd64') return { architecture: 'amd64', ...(variant && variant !== 'v1' ? { variant } : {}) };
  if (a === 'aarch64' || a === 'arm64') return { architecture: 'arm64', ...(variant && variant !== 'v8' ? { variant } : {}) };
  if (a === 'armhf') return { architecture: 'arm', variant: 'v7' };
  if (a === 'armel') return { architecture: 'arm', variant: 'v6' };
  if (a === 'arm') return { architecture: 'arm', variant: variant ?? 'v7' };
  if (a === 'i386' || a === '386') return { architecture: '386' };
  return { architecture: a, ...(variant ? { variant } : {}) };
}

/** Parses `linux`, `linux/amd64`, `linux/arm/v7` (docker's --platform). */
export function parsePlatform(s: string, defaults: PlatformSpec): PlatformSpec {
  const parts = s.trim().split('/');
  if (!s.trim() || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new PlatformError(`"${s}": unknown operating system or architecture: invalid argument`);
  }
  const os = parts[0]!.toLowerCase();
  if (os !== 'linux' && os !== 'windows' && os !== 'darwin' && os !== 'freebsd') throw new PlatformError(`"${s}": unknown operating system or architecture: invalid argument`);
  if (parts.length === 1) return os === defaults.os ? { ...defaults } : { os, architecture: defaults.architecture };
  return { os, ...normaliseArch(parts[1]!, parts[2]) };
}

export function formatPlatform(p: PlatformSpec): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export interface PlatformEntry {
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** Whether an index entry's platform serves `want`. */
export function platformMatches(entry: PlatformEntry['platform'], want: PlatformSpec): boolean {
  if (!entry || !entry.os || !entry.architecture) return false;
  const have = { os: entry.os.toLowerCase(), ...normaliseArch(entry.architecture, entry.variant) };
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  return have.variant === want.variant;
}

/**
 * The entry of a manifest list for `want`: the first that matches, preferring one whose variant is
 * exactly the one wanted (or none when none was asked). Undefined when nothing matches.
 */
export function choosePlatform<T extends PlatformEntry>(entries: readonly T[], want: PlatformSpec): T | undefined {
  const matching = entries.filter((e) => platformMatches(e.platform, want));
  if (!matching.length) return undefined;
  const exact = matching.find((e) => (normaliseArch(e.platform!.architecture!, e.platform!.variant).variant ?? '') === (want.variant ?? ''));
  return exact ?? matching[0];
}
