// The overlay rootfs mount of each container, counted by its users: a running container holds one,
// export/cp of a stopped one another; the last user unmounts.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps } from './container-host.js';

export interface RootfsMountsDeps {
  store: Pick<ContainerStore, 'paths'>;
  host: Pick<ContainerHostOps, 'isMounted' | 'mountOverlay' | 'unmountOverlay'>;
}

export class RootfsMounts {
  private readonly refs = new Map<string, number>();

  constructor(private readonly d: RootfsMountsDeps) {}

  /** A running container found at start-up: its mount is in use by its run. */
  adopt(id: string): void {
    this.refs.set(id, 1);
  }

  /** A removed container: its count goes (the removal unmounts). */
  forget(id: string): void {
    this.refs.delete(id);
  }

  /** Mounts the rootfs unless mounted, and counts one more user. */
  async acquire(c: ContainerRecord): Promise<string> {
    const p = this.d.store.paths(c.id);
    const n = this.refs.get(c.id) ?? 0;
    if (n === 0 && !(await this.d.host.isMounted(p.mergedDir).catch(() => false))) {
      let lower = [...c.layerDirs].reverse();
      if (lower.length === 0) {
        // overlayfs needs a lower layer; an image without layers gets an empty one.
        const empty = path.join(p.overlayDir, 'empty');
        await fs.mkdir(empty, { recursive: true });
        lower = [empty];
      }
      await this.d.host.mountOverlay({ lower, upper: p.upperDir, work: p.workDir, target: p.mergedDir }, { knownUnmounted: true });
    }
    this.refs.set(c.id, n + 1);
    return p.mergedDir;
  }

  /** One user fewer; the last one unmounts. */
  async release(id: string): Promise<void> {
    const n = (this.refs.get(id) ?? 1) - 1;
    if (n > 0) {
      this.refs.set(id, n);
      return;
    }
    this.refs.delete(id);
    const p = this.d.store.paths(id);
    if (await this.d.host.isMounted(p.mergedDir).catch(() => true)) await this.d.host.unmountOverlay(p.mergedDir);
  }
}
