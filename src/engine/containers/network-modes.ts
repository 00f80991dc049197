// The network modes berthd knows before the networking issue: `none` (own netns, loopback only),
// `host` (the host's stack), `container:<id|name>` (join another running container's netns), and
// `default`/`bridge`, which behave as `none` until bridge networking exists. Anything else is an
// unknown network, as Docker reports it.
import { ConflictError, NotFoundError } from '../../errors.js';
import type { ContainerNetworking, NetworkAttachment } from './container-host.js';
import type { ContainerRecord } from './container-model.js';

export function validateNetworkMode(mode: string | undefined): void {
  const m = mode ?? '';
  if (['', 'default', 'bridge', 'none', 'host'].includes(m)) return;
  if (m.startsWith('container:') && m.length > 'container:'.length) return;
  throw new NotFoundError(`network ${m} not found`);
}

/** The mode a container effectively gets: default and bridge map to none for now. */
export function effectiveNetworkMode(mode: string | undefined): 'none' | 'host' | 'container' {
  const m = mode ?? '';
  if (m === 'host') return 'host';
  if (m.startsWith('container:')) return 'container';
  return 'none';
}

export class DefaultNetworking implements ContainerNetworking {
  async prepare(c: ContainerRecord, lookupPid: (idOrName: string) => number): Promise<NetworkAttachment> {
    const mode = c.hostConfig.NetworkMode ?? '';
    switch (effectiveNetworkMode(mode)) {
      case 'host':
        return { spec: { mode: 'host' } };
      case 'container': {
        const other = mode.slice('container:'.length);
        const pid = lookupPid(other);
        if (!pid) throw new ConflictError(`cannot join network of a non running container: ${other}`);
        return { spec: { mode: 'path', path: `/proc/${pid}/ns/net` } };
      }
      default:
        return { spec: { mode: 'none' } };
    }
  }

  async release(): Promise<void> {}
}
