// `-v/--volume`, `--mount` and `--tmpfs` as the docker CLI turns them into a create request: `-v` with a
// source goes to HostConfig.Binds (named volumes too), a bare path is an anonymous volume in
// Config.Volumes, relative `./x` sources are made absolute; `--mount` is CSV key=value fields.
import path from 'node:path';
import type { MountSpec } from '../api/types/index.js';
import { parseRamBytes } from './flag-values.js';

export interface VolumeFlags {
  binds: string[];
  volumes: Record<string, Record<string, never>>;
}

export function parseVolumeFlags(specs: string[], cwd: string): VolumeFlags {
  const out: VolumeFlags = { binds: [], volumes: {} };
  for (const spec of specs) {
    if (spec === '') throw new Error('invalid empty volume spec');
    const parts = spec.split(':');
    if (parts.length > 3) throw new Error(`invalid spec: ${spec}: too many colons`);
    if (parts.length === 1) {
      out.volumes[spec] = {};
      continue;
    }
    let [src, ...rest] = parts as [string, ...string[]];
    if (src === '') throw new Error(`invalid spec: ${spec}: empty section between colons`);
    if (!path.isAbsolute(src) && src.startsWith('.')) src = path.resolve(cwd, src);
    out.binds.push([src, ...rest].join(':'));
  }
  return out;
}

/** Splits one CSV record (encoding/csv semantics for quotes). */
function csvFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseBool(key: string, v: string): boolean {
  const t = ['1', 't', 'T', 'true', 'TRUE', 'True'];
  const f = ['0', 'f', 'F', 'false', 'FALSE', 'False'];
  if (t.includes(v)) return true;
  if (f.includes(v)) return false;
  throw new Error(`invalid value for ${key}: ${v}`);
}

export function parseMountFlag(value: string, cwd: string): MountSpec {
  const m: MountSpec = { Type: 'volume' };
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq >= 0 ? field.slice(0, eq) : field).toLowerCase();
    const val = eq >= 0 ? field.slice(eq + 1) : '';
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') m.ReadOnly = true;
      else if (key === 'volume-nocopy') m.VolumeOptions = { ...m.VolumeOptions, NoCopy: true };
      else if (key === 'bind-nonrecursive') m.BindOptions = { ...m.BindOptions, NonRecursive: true };
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        m.Type = val.toLowerCase() as MountSpec['Type'];
        break;
      case 'source':
      case 'src':
        m.Source = !path.isAbsolute(val) && val.startsWith('.') ? path.resolve(cwd, val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = val;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = parseBool(key, val);
        break;
      case 'consistency':
        m.Consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: val.toLowerCase() };
        break;
      case 'bind-nonrecursive':
        m.BindOptions = { ...m.BindOptions, NonRecursive: parseBool(key, val) };
        break;
      case 'volume-nocopy':
        m.VolumeOptions = { ...m.VolumeOptions, NoCopy: parseBool(key, val) };
        break;
      case 'volume-subpath':
        m.VolumeOptions = { ...m.VolumeOptions, Subpath: val };
        break;
      case 'volume-label': {
        const [k, ...v] = val.split('=');
        if (k) m.VolumeOptions = { ...m.VolumeOptions, Labels: { ...m.VolumeOptions?.Labels, [k]: v.join('=') } };
        break;
      }
      case 'volume-driver':
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...m.VolumeOptions?.DriverConfig, Name: val } };
        break;
      case 'volume-opt': {
        const [k, ...v] = val.split('=');
        const dc = m.VolumeOptions?.DriverConfig ?? {};
        if (k) m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...dc, Options: { ...dc.Options, [k]: v.join('=') } } };
        break;
      }
      case 'tmpfs-size':
        try {
          m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: parseRamBytes(val) };
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val)) throw new Error(`invalid value for ${key}: ${val}`);
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: parseInt(val, 8) };
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw new Error('type is required');
  if (!m.Target) throw new Error('target is required');
  for (const [opt, type] of [['VolumeOptions', 'volume'], ['BindOptions', 'bind'], ['TmpfsOptions', 'tmpfs']] as const) {
    if (m[opt] !== undefined && m.Type !== type) throw new Error(`cannot mix '${type}-*' options with mount type '${m.Type}'`);
  }
  return m;
}

/** `--tmpfs /run:rw,size=64m` -> {"/run": "rw,size=64m"}. */
export function parseTmpfsFlags(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of values) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}
