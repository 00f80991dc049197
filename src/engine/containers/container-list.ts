// docker ps and inspect: a container's view (record, paths, execs, status text, sizes) and the
// filtered, ordered list of them.
import type { ImageProvider } from '../images/image-service-contract.js';
import type { ContainerPaths, ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import { statusText } from './status-text.js';
import { diskUsage } from './disk-usage.js';
import { matchesListFilters, validateListFilters } from './list-filters.js';
import { logPathShown } from './log-drivers.js';

export interface ContainerView {
  record: ContainerRecord;
  paths: ContainerPaths;
  /** inspect's LogPath: the log file, or '' where the driver keeps none or Docker hides it. */
  logPath: string;
  execIds: string[];
  statusText: string;
  sizeRw?: number;
  sizeRootFs?: number;
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Record<string, string[]>;
}

export interface ListDeps {
  store: ContainerStore;
  images: ImageProvider;
  execIds(containerId: string): string[];
  removing: ReadonlySet<string>;
}

export async function containerView(d: ListDeps, c: ContainerRecord, size: boolean): Promise<ContainerView> {
  const v: ContainerView = {
    record: structuredClone(c),
    paths: d.store.paths(c.id),
    execIds: d.execIds(c.id),
    statusText: statusText(c.state, Date.now(), d.removing.has(c.id)),
    logPath: logPathShown(c.hostConfig.LogConfig?.Type) ? d.store.paths(c.id).logFile : '',
  };
  if (size) {
    v.sizeRw = await diskUsage(v.paths.upperDir);
    let lower = 0;
    for (const d of c.layerDirs) lower += await diskUsage(d, true);
    v.sizeRootFs = v.sizeRw + lower;
  }
  return v;
}

export async function listContainers(d: ListDeps, opts: ListOptions = {}): Promise<ContainerView[]> {
  const filters = opts.filters ?? {};
  validateListFilters(filters);
  const all = d.store.all().sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const showAll = !!opts.all || (opts.limit ?? 0) > 0 || !!filters['status']?.length || !!filters['exited']?.length;
  let ancestors: Set<string> | null = null;
  if (filters['ancestor']?.length) {
    ancestors = new Set();
    for (const a of filters['ancestor']) {
      ancestors.add(a);
      const img = await d.images.resolve(a).catch(() => null);
      if (img) ancestors.add(img.id);
    }
  }
  const order = new Map(all.map((c, i) => [c.id, i]));
  const boundIndex = (key: 'before' | 'since'): number | null => {
    const v = filters[key]?.[0];
    if (!v) return null;
    const c = d.store.find(v);
    return order.get(c.id)!;
  };
  const before = boundIndex('before');
  const since = boundIndex('since');
  const out: ContainerView[] = [];
  for (const [i, c] of all.entries()) {
    if (!showAll && c.state.status !== 'running' && c.state.status !== 'paused' && c.state.status !== 'restarting') continue;
    // Newest first: "before X" = created before X = later in this list.
    if (before !== null && i <= before) continue;
    if (since !== null && i >= since) continue;
    if (!matchesListFilters(c, filters, ancestors, d.removing.has(c.id))) continue;
    out.push(await containerView(d, c, !!opts.size));
    if (opts.limit && opts.limit > 0 && out.length >= opts.limit) break;
  }
  return out;
}
