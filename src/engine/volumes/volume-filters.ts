// Docker's filters for `volume ls` (name, label, dangling, driver) and `volume prune` (label, label!,
// all): validated with Docker's messages, then matched. Pure: usage comes in as a function.
import { InvalidParameterError } from '../../errors.js';
import { isAnonymous, type VolumeRecord } from './volume-model.js';

export type Filters = Record<string, string[]>;

const LIST_KEYS = new Set(['name', 'label', 'dangling', 'driver']);
const PRUNE_KEYS = new Set(['label', 'label!', 'all']);

function parseBool(key: string, values: string[]): boolean {
  const v = values[values.length - 1]!.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  // Docker prints the values as a Go slice: Invalid filter 'dangling=[maybe]'.
  throw new InvalidParameterError(`Invalid filter '${key}=[${values.join(' ')}]'`);
}

function checkKeys(filters: Filters, allowed: Set<string>): void {
  for (const [k, vs] of Object.entries(filters)) {
    if (!allowed.has(k)) throw new InvalidParameterError(`Invalid filter '${k}'`);
    if (vs.length === 0) delete filters[k];
  }
}

/** `label=key` or `label=key=value`; every label filter must match (Docker ANDs them). */
export function matchLabels(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return Object.prototype.hasOwnProperty.call(labels, w);
    const k = w.slice(0, eq);
    return Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === w.slice(eq + 1);
  });
}

/** Docker matches `name` as a regular expression; a value that is not one matches nothing. */
function matchName(name: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    try {
      return new RegExp(p).test(name);
    } catch {
      return false;
    }
  });
}

/** A predicate for `GET /volumes?filters=`; throws InvalidParameterError for unknown keys or values. */
export function listFilter(filters: Filters, inUse: (name: string) => boolean): (v: VolumeRecord) => boolean {
  const f = { ...filters };
  checkKeys(f, LIST_KEYS);
  const dangling = f['dangling'] ? parseBool('dangling', f['dangling']) : undefined;
  return (v) => {
    if (f['name'] && !matchName(v.name, f['name'])) return false;
    if (f['driver'] && !f['driver'].includes(v.driver)) return false;
    if (f['label'] && !matchLabels(v.labels, f['label'])) return false;
    if (dangling !== undefined && inUse(v.name) === dangling) return false;
    return true;
  };
}

/**
 * A predicate for `POST /volumes/prune?filters=` over unused volumes. Since API 1.42 only anonymous
 * volumes are pruned unless `all=true`; older clients (`allByDefault`) get the old prune-everything.
 */
export function pruneFilter(filters: Filters, allByDefault: boolean): (v: VolumeRecord) => boolean {
  const f = { ...filters };
  checkKeys(f, PRUNE_KEYS);
  const all = f['all'] ? parseBool('all', f['all']) : allByDefault;
  return (v) => {
    if (!all && !isAnonymous(v)) return false;
    if (f['label'] && !matchLabels(v.labels, f['label'])) return false;
    // label!=k (or k=v) excludes volumes that have it.
    if (f['label!'] && f['label!'].some((w) => matchLabels(v.labels, [w]))) return false;
    return true;
  };
}
