// The layer store: each layer unpacked once under <dataRoot>/layers/<chain-id hex>/{diff/, meta.json},
// named by its chain ID so identical stacks are shared by every image that has them. A layer is
// extracted into a temp directory and renamed into place with its meta.json already written, so a
// directory named by a chain ID is always complete; tmp-* directories left by a killed daemon are
// removed by init(). Removal is decided by the image service (no image uses the layer, no lease holds it).
import type { Readable } from 'node:stream';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestHex, isDigest, type Digest } from '../../lib/oci/digest.js';
import { sha256Digest } from '../../lib/oci/chain-id.js';
import { extractLayer } from '../../host/tar-extract.js';
import type { Logger } from '../../daemon/logger.js';
import { syncDir, writeFileAtomic } from './content-store.js';
import type { Lease } from './leases.js';

export interface LayerMeta {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Docker's layer size: regular file bytes plus symlink target lengths (see tar-extract). */
  size: number;
  /** Bytes of the uncompressed layer tar. */
  tarSize: number;
  created: string;
}

export interface CreateLayerOptions {
  expectedDiffId?: Digest;
  signal?: AbortSignal;
  /** Leases the layer as it becomes visible (or is found present), so garbage collection keeps it. */
  lease?: Lease;
  /**
   * The parent is being unpacked at the same time (a pull extracts layers in parallel): it is named
   * in meta.json but need not exist yet. The image record, written last, still needs every layer.
   */
  parentPending?: boolean;
}

export const layerLeaseKey = (chainId: Digest) => `layer:${chainId}`;

export class LayerStore {
  private readonly layers = new Map<Digest, LayerMeta>();

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.root)) {
      const dir = path.join(this.root, name);
      if (name.startsWith('tmp-')) {
        this.log.info(`removing unfinished layer extraction ${dir}`);
        await fsp.rm(dir, { recursive: true, force: true });
        continue;
      }
      try {
        const meta = JSON.parse(await fsp.readFile(path.join(dir, 'meta.json'), 'utf8')) as LayerMeta;
        if (!isDigest(meta.chainId) || digestHex(meta.chainId) !== name) throw new Error('meta.json does not match its directory');
        this.layers.set(meta.chainId, meta);
      } catch (e) {
        // A chain-ID directory is renamed into place complete; anything else is not ours to keep.
        this.log.warn(`removing broken layer ${dir}: ${(e as Error).message}`);
        await fsp.rm(dir, { recursive: true, force: true });
      }
    }
  }

  static chainOf(parent: Digest | null, diffId: Digest): Digest {
    return parent ? sha256Digest(`${parent} ${diffId}`) : diffId;
  }

  get(chainId: Digest): LayerMeta | undefined {
    return this.layers.get(chainId);
  }

  has(chainId: Digest): boolean {
    return this.layers.has(chainId);
  }

  list(): LayerMeta[] {
    return [...this.layers.values()];
  }

  /** The unpacked directory of this layer alone (an overlayfs lowerdir). */
  diffDir(chainId: Digest): string {
    return path.join(this.root, digestHex(chainId), 'diff');
  }

  /**
   * Unpacks a layer tar on top of `parent` (which must exist). Returns the existing layer when the same
   * chain is already unpacked (the new copy is discarded).
   */
  async create(parent: Digest | null, tarStream: AsyncIterable<Uint8Array>, opts: CreateLayerOptions = {}): Promise<LayerMeta> {
    if (parent && !opts.parentPending && !this.layers.has(parent)) throw new Error(`parent layer ${parent} is not in the store`);
    const tmp = path.join(this.root, `tmp-${randomBytes(8).toString('hex')}`);
    await fsp.mkdir(path.join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    try {
      const r = await extractLayer(tarStream, path.join(tmp, 'diff'), {
        expectedDiffId: opts.expectedDiffId,
        signal: opts.signal,
        warn: (m) => this.log.warn(m),
      });
      const chainId = LayerStore.chainOf(parent, r.diffId);
      const meta: LayerMeta = { chainId, diffId: r.diffId, parent, size: r.contentSize, tarSize: r.tarSize, created: new Date().toISOString() };
      await writeFileAtomic(path.join(tmp, 'meta.json'), JSON.stringify(meta));
      const final = path.join(this.root, digestHex(chainId));
      const commit = async (): Promise<LayerMeta> => {
        const existing = this.layers.get(chainId);
        if (existing) return existing;
        try {
          await fsp.rename(tmp, final);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        }
        await syncDir(this.root);
        this.layers.set(chainId, meta);
        return meta;
      };
      const result = opts.lease ? await opts.lease.guard(layerLeaseKey(chainId), commit) : await commit();
      // Present already (or a concurrent create won the rename): our copy is not needed.
      await fsp.rm(tmp, { recursive: true, force: true });
      return result;
    } catch (e) {
      // The consumer closes its source on failure: a refused tar must not keep its blob (or the
      // client's socket) open until the process exits.
      const src = tarStream as Partial<Readable>;
      if (typeof src.destroy === 'function' && !src.destroyed) src.destroy();
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Leases an existing layer (true) or says it is absent (false). */
  async leaseExisting(chainId: Digest, lease: Lease): Promise<boolean> {
    return lease.guard(layerLeaseKey(chainId), async () => this.layers.has(chainId));
  }

  /** Removes layers not in `keep`; returns what was removed. Call under the lease manager's lock. */
  async removeUnused(keep: (chainId: Digest) => boolean): Promise<LayerMeta[]> {
    const removed: LayerMeta[] = [];
    for (const meta of [...this.layers.values()]) {
      if (keep(meta.chainId)) continue;
      this.layers.delete(meta.chainId);
      // Rename first so a crash mid-delete leaves a tmp- dir (cleaned at init), never a half layer.
      const dir = path.join(this.root, digestHex(meta.chainId));
      const doomed = path.join(this.root, `tmp-rm-${randomBytes(6).toString('hex')}`);
      try {
        await fsp.rename(dir, doomed);
        await fsp.rm(doomed, { recursive: true, force: true });
      } catch (e) {
        this.log.warn(`removing layer ${meta.chainId}: ${(e as Error).message}`);
      }
      removed.push(meta);
    }
    return removed;
  }
}
