// `docker ps --filter` as Docker applies it: each key must match (OR within a key, AND across keys).
// before/since and ancestor are resolved by the service (they need the store and the images).
import { InvalidParameterError } from '../../errors.js';
import type { ContainerRecord } from './container-model.js';
import { labelMatches } from '../../lib/format/filter-values.js';

const KEYS = new Set(['id', 'name', 'label', 'label!', 'status', 'exited', 'ancestor', 'before', 'since', 'volume', 'network', 'health', 'is-task', 'publish', 'expose', 'isolation']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

export function validateListFilters(f: Record<string, string[]>): void {
  for (const [k, vs] of Object.entries(f)) {
    if (!KEYS.has(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    if (k === 'status') for (const v of vs) if (!STATUSES.has(v)) throw new InvalidParameterError(`invalid filter 'status=${v}'`);
    if (k === 'health') for (const v of vs) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(v)) throw new InvalidParameterError(`Unrecognised filter value for health: ${v}`);
    if (k === 'exited') for (const v of vs) if (!/^-?\d+$/.test(v)) throw new InvalidParameterError(`invalid filter 'exited=${v}'`);
  }
}

export function matchesListFilters(c: ContainerRecord, f: Record<string, string[]>, ancestors: Set<string> | null, removing: boolean): boolean {
  const any = (k: string, pred: (v: string) => boolean) => {
    const vs = f[k];
    return !vs || vs.length === 0 || vs.some(pred);
  };
  const labels = c.config.Labels ?? {};
  const status = removing ? 'removing' : c.state.status;
  return (
    any('id', (v) => c.id.startsWith(v)) &&
    any('name', (v) => {
      try {
        return new RegExp(v).test('/' + c.name);
      } catch {
        return ('/' + c.name).includes(v);
      }
    }) &&
    (f['label'] ?? []).every((v) => labelMatches(labels, v)) &&
    (f['label!'] ?? []).every((v) => !labelMatches(labels, v)) &&
    any('status', (v) => v === status) &&
    any('exited', (v) => c.state.status === 'exited' && c.state.exitCode === Number(v)) &&
    (ancestors === null || ancestors.has(c.image) || ancestors.has(c.imageRef)) &&
    any('volume', (v) => c.mounts.some((m) => m.name === v || m.destination === v || m.source === v)) &&
    any('network', (v) => v === (c.hostConfig.NetworkMode ?? 'default') || (v === 'bridge' && c.hostConfig.NetworkMode === 'default')) &&
    any('publish', () => false) &&
    any('health', (v) => v === (c.state.health && c.state.status === 'running' ? c.state.health.Status : 'none')) &&
    any('is-task', (v) => v === 'false')
  );
}
