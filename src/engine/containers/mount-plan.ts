// Pure parsing of a create request's storage: HostConfig.Binds (`-v`), HostConfig.Mounts (`--mount`),
// HostConfig.Tmpfs (`--tmpfs`) and Config.Volumes (the image's VOLUMEs and `-v /path`), into one list
// of planned mounts with Docker's validation messages. The service then creates volumes and bind
// sources; nothing here touches the disk.
import path from 'node:path/posix';
import { InvalidParameterError } from '../../errors.js';
import type { MountSpec } from '../../api/types/containers.js';

export type PlannedMount =
  | { kind: 'bind'; source: string; destination: string; readonly: boolean; mode: string; propagation: string; /** -v creates a missing host path; --mount does not */ createSource: boolean }
  | { kind: 'volume'; name: string | null; destination: string; readonly: boolean; mode: string; noCopy: boolean; labels?: Record<string, string>; subpath?: string }
  | { kind: 'tmpfs'; destination: string; options: string[]; readonly: boolean; /** from --tmpfs, which Docker leaves out of inspect's Mounts */ fromTmpfsOption?: boolean };

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

function checkDestination(dest: string, spec: string, type: string): string {
  if (!dest.startsWith('/')) {
    throw new InvalidParameterError(`invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid mount path: '${dest}' mount path must be absolute`);
  }
  const clean = path.normalize(dest);
  if (clean === '/') throw new InvalidParameterError(`invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** One `-v` / Binds entry: `HOST:CTR[:opts]`, `NAME:CTR[:opts]` or `CTR`. */
export function parseBind(spec: string): PlannedMount {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidParameterError(`invalid volume specification: '${spec}'`);
  if (parts.length === 1) {
    return { kind: 'volume', name: null, destination: checkDestination(parts[0]!, spec, 'volume'), readonly: false, mode: '', noCopy: false };
  }
  const [src, dst, opts = ''] = parts as [string, string, string?];
  let readonly = false;
  let propagation = '';
  let noCopy = false;
  for (const o of opts ? opts.split(',') : []) {
    if (o === 'ro') readonly = true;
    else if (o === 'rw') readonly = false;
    else if (o === 'z' || o === 'Z') continue; // SELinux relabel: nothing to do without SELinux
    else if (o === 'nocopy') noCopy = true;
    else if (PROPAGATIONS.has(o)) propagation = o;
    else throw new InvalidParameterError(`invalid mode: ${opts}`);
  }
  if (src.startsWith('/')) {
    const destination = checkDestination(dst, spec, 'bind');
    return { kind: 'bind', source: path.normalize(src), destination, readonly, mode: opts, propagation: propagation || 'rprivate', createSource: true };
  }
  if (!VOLUME_NAME.test(src)) {
    throw new InvalidParameterError(
      `create ${src}: "${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
  return { kind: 'volume', name: src, destination: checkDestination(dst, spec, 'volume'), readonly, mode: opts || 'z', noCopy };
}

/** One `--mount` / HostConfig.Mounts entry. */
export function parseMountSpec(m: MountSpec): PlannedMount {
  const type = m.Type ?? '';
  const spec = JSON.stringify(m);
  if (!m.Target) throw new InvalidParameterError(`invalid mount config for type "${type}": field Target must not be empty`);
  switch (type) {
    case 'bind': {
      if (!m.Source) throw new InvalidParameterError(`invalid mount config for type "bind": field Source must not be empty`);
      if (!m.Source.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATIONS.has(propagation)) throw new InvalidParameterError(`invalid mount config for type "bind": invalid propagation mode: ${propagation}`);
      return { kind: 'bind', source: path.normalize(m.Source), destination: checkDestination(m.Target, spec, 'bind'), readonly: !!m.ReadOnly, mode: '', propagation, createSource: false };
    }
    case 'volume': {
      if (m.Source && !VOLUME_NAME.test(m.Source)) {
        throw new InvalidParameterError(`invalid mount config for type "volume": invalid volume name: ${m.Source}`);
      }
      const labels = m.VolumeOptions?.Labels;
      const subpath = m.VolumeOptions?.Subpath;
      if (subpath) {
        // API 1.45: a path inside the volume, relative and without `..` (Docker's check).
        if (path.isAbsolute(subpath) || subpath.split('/').includes('..')) {
          throw new InvalidParameterError(`invalid mount config for type "volume": subpath must be a relative path within the volume`);
        }
        if (!m.Source) throw new InvalidParameterError(`invalid mount config for type "volume": subpath is only allowed with a named volume`);
      }
      return {
        kind: 'volume',
        name: m.Source || null,
        destination: checkDestination(m.Target, spec, 'volume'),
        readonly: !!m.ReadOnly,
        mode: '',
        noCopy: !!m.VolumeOptions?.NoCopy,
        ...(labels ? { labels } : {}),
        ...(subpath ? { subpath: path.normalize(subpath) } : {}),
      };
    }
    case 'tmpfs': {
      if (m.Source) throw new InvalidParameterError(`invalid mount config for type "tmpfs": field Source must not be specified`);
      const options: string[] = [];
      const size = m.TmpfsOptions?.SizeBytes;
      if (size !== undefined && size > 0) options.push(`size=${size}`);
      const mode = m.TmpfsOptions?.Mode;
      if (mode !== undefined && mode > 0) options.push(`mode=${(mode & 0o7777).toString(8)}`);
      return { kind: 'tmpfs', destination: checkDestination(m.Target, spec, 'tmpfs'), options, readonly: !!m.ReadOnly };
    }
    default:
      throw new InvalidParameterError(`invalid mount config: mount type unknown: "${type}"`);
  }
}

/** One `--tmpfs DEST[:OPTS]` entry (HostConfig.Tmpfs is already split into a map by the CLI). */
export function parseTmpfs(dest: string, opts: string): PlannedMount {
  const options = opts ? opts.split(',').filter(Boolean) : [];
  const readonly = options.includes('ro');
  return { kind: 'tmpfs', destination: checkDestination(dest, `${dest}:${opts}`, 'tmpfs'), options: options.filter((o) => o !== 'ro' && o !== 'rw'), readonly, fromTmpfsOption: true };
}

export interface StorageRequest {
  binds?: string[] | null;
  mounts?: MountSpec[] | null;
  tmpfs?: Record<string, string> | null;
  /** Config.Volumes after merging with the image's. */
  volumes?: Record<string, unknown> | null;
}

/**
 * The full list, in Docker's precedence: Binds and Mounts are explicit (a duplicate destination among
 * them is an error), Tmpfs next, and Config.Volumes only for destinations nothing else covers.
 * Sorted so that a parent directory is mounted before what is mounted inside it.
 */
export function planMounts(req: StorageRequest): PlannedMount[] {
  const out: PlannedMount[] = [];
  const seen = new Set<string>();
  const add = (m: PlannedMount) => {
    if (seen.has(m.destination)) throw new InvalidParameterError(`Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
    out.push(m);
  };
  for (const b of req.binds ?? []) add(parseBind(b));
  for (const m of req.mounts ?? []) add(parseMountSpec(m));
  for (const [dest, opts] of Object.entries(req.tmpfs ?? {})) add(parseTmpfs(dest, opts));
  for (const dest of Object.keys(req.volumes ?? {})) {
    if (!dest.startsWith('/')) continue; // Docker ignores malformed image volumes rather than failing the create
    const clean = checkDestination(dest, dest, 'volume');
    if (seen.has(clean)) continue;
    seen.add(clean);
    out.push({ kind: 'volume', name: null, destination: clean, readonly: false, mode: '', noCopy: false });
  }
  return sortByDepth(out);
}

export function sortByDepth<T extends { destination: string }>(mounts: T[]): T[] {
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a.destination) - depth(b.destination));
}
