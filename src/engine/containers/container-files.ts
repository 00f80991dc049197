// docker export and docker cp: a container's files seen through its running process's root, or its
// rootfs mounted for the duration when it is stopped.
import type { Readable } from 'node:stream';
import type { Logger } from '../../daemon/logger.js';
import { InvalidParameterError } from '../../errors.js';
import type { ContainerRecord } from './container-model.js';
import { extractInto, hostPath, packTree, statPath, type PathStat, type RootView } from './rootfs-archive.js';

export interface ContainerFilesDeps {
  log: Logger;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  acquireRootfs(c: ContainerRecord): Promise<string>;
  releaseRootfs(id: string): Promise<void>;
  /** Takes back a run staged ahead of its start (its /etc bind mounts are made already). */
  discardStaged(id: string): Promise<void>;
  publish(c: ContainerRecord, action: string): void;
  isRunning(c: ContainerRecord): boolean;
}

export class ContainerFiles {
  constructor(private readonly d: ContainerFilesDeps) {}

  /**
   * A running container is seen through /proc/PID/root (its own mount namespace shows volumes and
   * binds); a stopped one gets its rootfs mounted for the duration, with its mounts mapped by path.
   */
  private async rootView(c: ContainerRecord): Promise<{ view: RootView; release(): Promise<void> }> {
    if (this.d.isRunning(c) && c.state.pid > 0) {
      return { view: { root: `/proc/${c.state.pid}/root`, mounts: [] }, release: async () => {} };
    }
    const root = await this.d.withLock(c.id, () => this.d.acquireRootfs(c));
    let released = false;
    return {
      view: { root, mounts: c.mounts.filter((m) => m.type !== 'tmpfs').map((m) => ({ destination: m.destination, source: m.source })) },
      release: async () => {
        if (released) return;
        released = true;
        await this.d.withLock(c.id, () => this.d.releaseRootfs(c.id)).catch((e) => this.d.log.warn(`unmount ${c.id}`, e));
      },
    };
  }

  /** `docker export`: a tar of the whole rootfs (without volumes), as Docker streams it. */
  async export(c: ContainerRecord): Promise<Readable> {
    const root = await this.d.withLock(c.id, () => this.d.acquireRootfs(c));
    const stream = packTree(root, '');
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void this.d.withLock(c.id, () => this.d.releaseRootfs(c.id)).catch((e) => this.d.log.warn(`unmount ${c.id}`, e));
    };
    stream.once('end', release);
    stream.once('close', release);
    stream.once('error', release);
    this.d.publish(c, 'export');
    return stream;
  }

  async archiveStat(c: ContainerRecord, idOrName: string, ctrPath: string): Promise<PathStat> {
    if (!ctrPath) throw new InvalidParameterError('path must not be empty');
    const { view, release } = await this.rootView(c);
    try {
      return (await statPath(view, ctrPath, idOrName)).stat;
    } finally {
      await release();
    }
  }

  async getArchive(c: ContainerRecord, idOrName: string, ctrPath: string): Promise<{ stat: PathStat; stream: Readable }> {
    if (!ctrPath) throw new InvalidParameterError('path must not be empty');
    const { view, release } = await this.rootView(c);
    try {
      const { stat } = await statPath(view, ctrPath, idOrName);
      // Docker follows a trailing-slash or "/." path into a directory; the entry names use the base name.
      const follow = ctrPath.endsWith('/') || ctrPath.endsWith('/.');
      const host = await hostPath(view, ctrPath, follow);
      const stream = packTree(host, stat.name === '/' ? '.' : stat.name);
      const done = () => void release();
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
      this.d.publish(c, 'archive-path');
      return { stat, stream };
    } catch (e) {
      await release();
      throw e;
    }
  }

  async putArchive(c: ContainerRecord, idOrName: string, ctrPath: string, input: Readable, o: { noOverwriteDirNonDir: boolean; copyUidGid: boolean }): Promise<void> {
    if (!ctrPath) throw new InvalidParameterError('path must not be empty');
    if (c.hostConfig.ReadonlyRootfs) throw new InvalidParameterError('container rootfs is marked read-only');
    // A run staged ahead has bind-mounted the /etc files already; a copy that replaces one must not go unseen.
    await this.d.discardStaged(c.id);
    const { view, release } = await this.rootView(c);
    try {
      await extractInto(view, ctrPath, input, o, idOrName);
      this.d.publish(c, 'extract-to-dir');
    } finally {
      await release();
    }
  }
}
