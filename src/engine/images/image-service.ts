// The image service: what the Engine API's image endpoints and the container service ask of the image
// side. It ties the content store (blobs), the layer store (unpacked layers by chain ID) and the image
// store (records, tags, digests) together, with Docker's semantics for resolve, list, inspect, history,
// tag, rmi, prune, import, load and save, and the image events. Writes are ordered so that nothing is
// referenced before it is complete; leases keep new content from the collector until its image exists;
// init() removes what a killed daemon left half-done.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { EventBus } from '../events.js';
import type { Logger } from '../../daemon/logger.js';
import type { ImageProvider, ImageUsage, ResolvedImage } from './image-service-contract.js';
import { ConflictError, InvalidParameterError, NotFoundError, noSuchImage } from '../../errors.js';
import { shortId, type Digest } from '../../lib/oci/digest.js';
import { chainIds } from '../../lib/oci/chain-id.js';
import type { HistoryEntry, ImageConfig } from '../../lib/oci/types.js';
import {
  familiarName,
  familiarString,
  nameOnly,
  parseDockerRef,
  parseImageLookup,
  parseNormalizedNamed,
  refString,
  ReferenceError,
  repoName,
  withTag,
  type Reference,
} from '../../lib/reference/reference.js';
import { applyChanges } from '../../lib/dockerfile/changes.js';
import { DockerfileParseError } from '../../lib/dockerfile/instruction.js';
import { decompressStream } from '../../host/tar-decompress.js';
import { FsContentStore } from './content-store.js';
import { LayerStore, layerLeaseKey, type LayerMeta } from './layer-store.js';
import { ImageStore, type ImageRecord } from './image-store.js';
import { LeaseManager, type Lease } from './leases.js';
import { containerDefaults, importedImageConfig, validateImageConfig } from './image-config.js';
import { readArchive } from './archive-load.js';
import { writeArchive, type SaveImage } from './archive-save.js';
import { isSingleReference, matchesFamiliar, parseTagTarget } from './reference-filter.js';
import { boolFilter, labelMatches, untilTime } from '../../lib/format/filter-values.js';

export interface ImageServiceOptions {
  dataRoot: string;
  events: EventBus;
  log: Logger;
  usage: ImageUsage;
}

/** One line of a progress stream; routes write it as Docker's JSONMessage. */
export interface Progress {
  status?: string;
  id?: string;
  stream?: string;
  progress?: string;
  current?: number;
  total?: number;
}
export type ProgressFn = (p: Progress) => void;

/** An image as the image endpoints present it (routes translate to the wire shapes). */
export interface ImageDetails {
  id: Digest;
  repoTags: string[];
  repoDigests: string[];
  parent: string;
  comment: string;
  created: string;
  author: string;
  dockerVersion: string;
  config: ImageConfig;
  architecture: string;
  variant?: string;
  os: string;
  size: number;
  diffIds: Digest[];
  layerDirs: string[];
  lastTagTime: string | null;
  labels: Record<string, string>;
  containers: number;
}

export interface HistoryItem {
  id: string;
  created: number;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}

/** One record of rmi/prune: Docker's {"Untagged": ...} or {"Deleted": ...}. */
export type DeleteRecord = { untagged: string } | { deleted: string };

export interface ListOptions {
  all?: boolean;
  filters?: Record<string, string[]>;
}

export interface ImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
  /** What `fromSrc` was ("-" for the request body): Docker's default comment is "Imported from SRC". */
  source?: string;
  signal?: AbortSignal;
}

export interface LoadOptions {
  quiet?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

export class ImageService implements ImageProvider {
  readonly content: FsContentStore;
  readonly layers: LayerStore;
  readonly store: ImageStore;
  readonly leases = new LeaseManager();
  private readonly configs = new Map<Digest, ImageConfig>();
  private readonly tmpRoot: string;
  private readonly events: EventBus;
  private readonly log: Logger;
  private readonly usage: ImageUsage;
  /** Images whose removal has passed its conflict checks: no longer found, no longer taken into use. */
  private readonly deleting = new Set<Digest>();

  constructor(opts: ImageServiceOptions) {
    this.events = opts.events;
    this.log = opts.log;
    this.usage = opts.usage;
    this.content = new FsContentStore(path.join(opts.dataRoot, 'content'));
    this.layers = new LayerStore(path.join(opts.dataRoot, 'layers'), opts.log);
    this.store = new ImageStore(path.join(opts.dataRoot, 'images'), opts.log);
    this.tmpRoot = path.join(opts.dataRoot, 'tmp', 'images');
  }

  async init(): Promise<void> {
    // Unpacked archives of loads a killed daemon never finished.
    await fsp.rm(this.tmpRoot, { recursive: true, force: true });
    await fsp.mkdir(this.tmpRoot, { recursive: true, mode: 0o700 });
    await this.content.init();
    await this.layers.init();
    await this.store.init();
    for (const rec of this.store.list()) {
      try {
        const cfg = validateImageConfig(JSON.parse((await this.content.get(rec.id)).toString('utf8')));
        const missing = rec.chainIds.find((c) => !this.layers.has(c));
        if (missing) throw new Error(`layer ${missing} is missing`);
        this.configs.set(rec.id, cfg);
      } catch (e) {
        this.log.warn(`dropping image ${rec.id}: ${(e as Error).message}`);
        await this.store.remove(rec.id);
      }
    }
    // Blobs and layers of imports and loads that never got their image record.
    const removed = await this.collectGarbage();
    if (removed.layers.length || removed.blobs) this.log.info(`image store: removed ${removed.layers.length} unused layers and ${removed.blobs} unused blobs`);
  }

  count(): number {
    return this.store.count();
  }

  // ---------------------------------------------------------------- lookup

  /**
   * The image ID a user's string names, or NotFoundError "No such image: X" where X is, as in Docker's
   * ErrImageDoesNotExist, the familiar reference with the default tag ("No such image: nosuch:latest").
   */
  lookupId(refOrId: string): Digest {
    const id = this.findId(refOrId);
    if (!id || this.deleting.has(id)) throw noSuchImage(notFoundName(refOrId));
    return id;
  }

  /** Bytes of every unpacked layer, each counted once however many images share it (docker system df). */
  layersSize(): number {
    return this.layers.list().reduce((n, l) => n + l.size, 0);
  }

  /**
   * Docker's SharedSize for each of `ids` (docker system df): the bytes of its layers that another of
   * the same images uses too.
   */
  sharedSizes(ids: Digest[]): Map<Digest, number> {
    const users = new Map<string, number>();
    for (const id of ids) for (const c of this.store.get(id)?.chainIds ?? []) users.set(c, (users.get(c) ?? 0) + 1);
    const out = new Map<Digest, number>();
    for (const id of ids) {
      let n = 0;
      for (const c of this.store.get(id)?.chainIds ?? []) if ((users.get(c) ?? 0) > 1) n += this.layers.get(c)?.size ?? 0;
      out.set(id, n);
    }
    return out;
  }

  isAvailable(id: Digest): boolean {
    return this.store.has(id) && !this.deleting.has(id);
  }

  private findId(refOrId: string): Digest | undefined {
    let lk;
    try {
      lk = parseImageLookup(refOrId);
    } catch (e) {
      if (e instanceof ReferenceError) throw new InvalidParameterError(e.message);
      throw e;
    }
    if (lk.kind === 'id') return this.store.has(lk.id) ? lk.id : undefined;
    if (lk.kind === 'ref') {
      // name:tag@digest names the digest (Docker's ParseDockerRef drops the tag).
      const r = lk.ref.digest ? { ...nameOnly(lk.ref), digest: lk.ref.digest } : lk.ref;
      const byRef = this.store.lookupRef(refString(r));
      if (byRef) return byRef;
    }
    const prefix = lk.kind === 'ref' ? lk.idPrefix : lk.idPrefix;
    if (prefix === undefined) return undefined;
    try {
      return this.store.searchPrefix(prefix);
    } catch (e) {
      throw new InvalidParameterError((e as Error).message);
    }
  }

  private config(id: Digest): ImageConfig {
    const c = this.configs.get(id);
    if (!c) throw noSuchImage(id);
    return c;
  }

  /** A copy of an image's config (the builder starts each step from its parent's). */
  configOf(refOrId: string): ImageConfig {
    return structuredClone(this.config(this.lookupId(refOrId)));
  }

  private record(id: Digest): ImageRecord {
    const r = this.store.get(id);
    if (!r) throw noSuchImage(id);
    return r;
  }

  async resolve(ref: string): Promise<ResolvedImage> {
    const id = this.lookupId(ref);
    const rec = this.record(id);
    let displayRef = ref;
    const lk = parseImageLookup(ref);
    if (lk.kind === 'id') displayRef = id;
    else if (lk.kind === 'ref' && this.store.lookupRef(refString(lk.ref.digest ? { ...nameOnly(lk.ref), digest: lk.ref.digest } : lk.ref))) displayRef = familiarString(lk.ref);
    return { id, displayRef, config: containerDefaults(this.config(id)), layerDirs: rec.chainIds.map((c) => this.layers.diffDir(c)) };
  }

  // ---------------------------------------------------------------- views

  private tagsAndDigests(id: Digest): { tags: string[]; digests: string[] } {
    const tags: string[] = [];
    const digests: string[] = [];
    for (const full of this.store.refsFor(id)) {
      const r = parseDockerRef(full);
      if (r.digest) digests.push(`${familiarName(r)}@${r.digest}`);
      else tags.push(familiarString(r));
    }
    return { tags, digests };
  }

  private imageSize(rec: ImageRecord): number {
    let size = 0;
    for (const c of rec.chainIds) size += this.layers.get(c)?.size ?? 0;
    return size;
  }

  private details(id: Digest): ImageDetails {
    const rec = this.record(id);
    const cfg = this.config(id);
    const { tags, digests } = this.tagsAndDigests(id);
    return {
      id,
      repoTags: tags,
      repoDigests: digests,
      parent: rec.parent ?? '',
      comment: cfg.comment ?? '',
      created: cfg.created ?? '',
      author: cfg.author ?? '',
      dockerVersion: cfg.docker_version ?? '',
      config: cfg,
      architecture: cfg.architecture,
      variant: cfg.variant,
      os: cfg.os,
      size: this.imageSize(rec),
      diffIds: cfg.rootfs.diff_ids,
      layerDirs: rec.chainIds.map((c) => this.layers.diffDir(c)),
      lastTagTime: rec.lastTagTime || null,
      labels: cfg.config?.Labels ?? {},
      containers: this.usage.containersUsing(id).length,
    };
  }

  async inspect(ref: string): Promise<ImageDetails> {
    return this.details(this.lookupId(ref));
  }

  /** GET /images/json: Docker's filters dangling, reference, label, before, since; newest first. */
  async list(opts: ListOptions = {}): Promise<ImageDetails[]> {
    const f = opts.filters ?? {};
    for (const k of Object.keys(f)) {
      if (!['dangling', 'reference', 'label', 'before', 'since', 'until'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    }
    const dangling = f['dangling']?.length ? boolFilter('dangling', f['dangling']) : undefined;
    const createdOf = (id: Digest) => Date.parse(this.config(id).created ?? '') || 0;
    const before = f['before']?.length ? Math.min(...f['before'].map((r) => createdOf(this.lookupId(r)))) : undefined;
    const since = f['since']?.length ? Math.max(...f['since'].map((r) => createdOf(this.lookupId(r)))) : undefined;
    const parents = new Set(this.store.list().map((r) => r.parent).filter((p): p is Digest => !!p));
    const out: ImageDetails[] = [];
    for (const rec of this.store.list()) {
      const d = this.details(rec.id);
      const isDangling = d.repoTags.length === 0 && d.repoDigests.length === 0;
      // Intermediate images (untagged parents of other images) only with `all`, as Docker's.
      if (!opts.all && isDangling && parents.has(rec.id)) continue;
      if (dangling !== undefined && dangling !== (d.repoTags.length === 0)) continue;
      const created = createdOf(rec.id);
      if (before !== undefined && !(created < before)) continue;
      if (since !== undefined && !(created > since)) continue;
      if (f['label']?.length && !f['label'].every((l) => labelMatches(d.labels, l))) continue;
      if (f['reference']?.length) {
        const keep = (r: string) => f['reference']!.some((pat) => matchesFamiliar(pat, r));
        const tags = d.repoTags.filter(keep);
        const digests = d.repoDigests.filter(keep);
        if (!tags.length && !digests.length) continue;
        d.repoTags = tags;
        d.repoDigests = digests;
      }
      out.push(d);
    }
    return out.sort((a, b) => Date.parse(b.created || '0') - Date.parse(a.created || '0') || a.id.localeCompare(b.id));
  }

  /** GET /images/{name}/history: newest first, Docker's "<missing>" for entries without a local image. */
  async history(ref: string): Promise<HistoryItem[]> {
    const id = this.lookupId(ref);
    const cfg = this.config(id);
    const rec = this.record(id);
    const layerSizes = rec.chainIds.map((c) => this.layers.get(c)?.size ?? 0);
    let entries: HistoryEntry[] = cfg.history ?? [];
    if (!entries.length) entries = cfg.rootfs.diff_ids.map(() => ({ created: cfg.created }));
    let layer = 0;
    const items: HistoryItem[] = entries.map((h) => {
      const size = h.empty_layer ? 0 : (layerSizes[layer++] ?? 0);
      return { id: '<missing>', created: Math.floor((Date.parse(h.created ?? '') || 0) / 1000), createdBy: h.created_by ?? '', tags: [], size, comment: h.comment ?? '' };
    });
    items.reverse();
    // As Docker: the newest entry is this image, the ones below it its parents while they are here.
    let cur: Digest | undefined = id;
    for (const item of items) {
      if (!cur || !this.store.has(cur)) break;
      item.id = cur;
      item.tags = this.tagsAndDigests(cur).tags;
      cur = this.store.get(cur)?.parent;
    }
    return items;
  }

  // ---------------------------------------------------------------- names

  /** POST /images/{name}/tag?repo=&tag= */
  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const id = this.lookupId(source);
    const ref = parseTagTarget(repo, tag);
    await this.setTag(ref, id);
  }

  /**
   * Points a reference at an image: a tag (as `tag` does, with its event) or a digest reference
   * (`name@sha256:...`, what a pull records as RepoDigests). For the builder's -t and for pull.
   */
  async addReference(ref: string, id: Digest): Promise<void> {
    if (!this.store.has(id)) throw noSuchImage(id);
    let r: Reference;
    try {
      r = parseNormalizedNamed(ref);
    } catch (e) {
      throw new InvalidParameterError((e as Error).message);
    }
    if (r.digest) await this.store.setRef(refString({ ...nameOnly(r), digest: r.digest }), id);
    else await this.setTag(r.tag ? r : withTag(r, 'latest'), id);
  }

  private async setTag(ref: Reference, id: Digest): Promise<void> {
    const full = refString(ref);
    if (this.store.lookupRef(full) === id) {
      // A re-tag (every cached `build -t`): Docker still moves LastTagTime and says "tag", but nothing
      // else changes, so the request does not wait for the record's fsync.
      this.store.updateSoon(id, { lastTagTime: new Date().toISOString() });
      this.events.publish({ type: 'image', action: 'tag', id, attributes: { name: familiarString(ref) } });
      return;
    }
    const prev = await this.store.setRef(full, id);
    await this.store.update(id, { lastTagTime: new Date().toISOString() });
    this.events.publish({ type: 'image', action: 'tag', id, attributes: { name: familiarString(ref) } });
    if (prev) this.log.debug(`tag ${familiarString(ref)} moved from ${prev} to ${id}`);
  }

  private async untagRef(full: string, id: Digest, records: DeleteRecord[]): Promise<void> {
    if (await this.store.deleteRef(full)) {
      records.push({ untagged: familiarString(parseDockerRef(full)) });
      this.events.publish({ type: 'image', action: 'untag', id, attributes: { name: id } });
    }
  }

  // ---------------------------------------------------------------- removal

  /** DELETE /images/{name} with Docker's rmi semantics. */
  async remove(ref: string, opts: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteRecord[]> {
    const force = !!opts.force;
    const id = this.lookupId(ref);
    const records: DeleteRecord[] = [];
    const using = this.usage.containersUsing(id);
    let repoRefs = this.store.refsFor(id);
    const byId = isIdPrefix(id, ref);
    if (!byId) {
      // A name was given: untag it; the image goes only when no name is left.
      if (!force && isSingleReference(repoRefs) && using.length) {
        throw new ConflictError(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(using[0]!)} is using its referenced image ${shortId(id)}`);
      }
      const parsed = parseDockerRef(ref);
      const key = refString(parsed.digest ? { ...nameOnly(parsed), digest: parsed.digest } : parsed);
      if (!this.store.lookupRef(key)) throw noSuchImage(notFoundName(ref));
      await this.untagRef(key, id, records);
      repoRefs = this.store.refsFor(id);
      if (!parsed.digest) {
        // Digest references of the same repository go with its last tag (Docker does the same).
        const name = repoName(parsed);
        const tagLeft = repoRefs.some((r) => !parseDockerRef(r).digest && repoName(parseDockerRef(r)) === name);
        if (!tagLeft) {
          for (const r of repoRefs) {
            const p = parseDockerRef(r);
            if (p.digest && repoName(p) === name) await this.untagRef(r, id, records);
          }
          repoRefs = this.store.refsFor(id);
        }
      }
      if (repoRefs.length > 0) return records;
    } else if (isSingleReference(repoRefs)) {
      // By ID with names in one repository only: those names go too (after the conflict checks).
      this.checkDeleteConflict(id, force, false);
      for (const r of repoRefs) await this.untagRef(r, id, records);
    }
    try {
      this.checkDeleteConflict(id, force, true);
    } catch (e) {
      // After untagging by name Docker stays quiet about conflicts: the image just stays (dangling).
      if (!byId) return records;
      throw e;
    }
    // In the same synchronous step as the conflict check: from here no create can take the image (see
    // ImageProvider.isAvailable), and users that arrived since the start are counted now, not then.
    const usedNow = this.usage.containersUsing(id).length > 0;
    if (!usedNow) this.deleting.add(id);
    try {
      // Several repositories and forced: every name goes.
      for (const r of this.store.refsFor(id)) await this.untagRef(r, id, records);
      if (usedNow) {
        // Forced while containers still use it: Docker deletes the record and keeps the layers for the
        // containers; we keep the image untagged (dangling) so its layers stay, and prune removes it later.
        return records;
      }
      const parent = this.store.get(id)?.parent;
      await this.deleteImage(id, records);
      if (!opts.noprune && parent) await this.pruneParents(parent, records);
      return records;
    } finally {
      this.deleting.delete(id);
    }
  }

  /**
   * Docker's rmi also removes the untagged parents (intermediate build images) of what it deleted,
   * quietly stopping at the first one that is tagged, has other children or is used by a container.
   */
  private async pruneParents(id: Digest, records: DeleteRecord[]): Promise<void> {
    for (let cur: Digest | undefined = id; cur && this.store.has(cur); ) {
      const rec: ImageRecord = this.store.get(cur)!;
      const c: Digest = cur;
      if (this.store.refsFor(c).length || this.usage.containersUsing(c).length || this.store.list().some((r) => r.parent === c)) return;
      await this.deleteImage(c, records);
      cur = rec.parent;
    }
  }

  private checkDeleteConflict(id: Digest, force: boolean, checkRefs: boolean): void {
    const conflict = (hard: boolean, msg: string) =>
      new ConflictError(`conflict: unable to delete ${shortId(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${msg}`);
    if (this.store.list().some((r) => r.parent === id)) throw conflict(true, 'image has dependent child images');
    if (force) return;
    if (checkRefs && this.store.refsFor(id).length > 0) throw conflict(false, 'image is referenced in multiple repositories');
    const using = this.usage.containersUsing(id);
    if (using.length) throw conflict(false, `image is being used by stopped container ${shortId(using[0]!)}`);
  }

  /** Removes the record, then every layer and blob no other image needs; records what went. */
  private async deleteImage(id: Digest, records: DeleteRecord[]): Promise<number> {
    await this.store.remove(id);
    this.configs.delete(id);
    this.events.publish({ type: 'image', action: 'delete', id, attributes: { name: id } });
    records.push({ deleted: id });
    const { layers } = await this.collectGarbage();
    for (const l of layers) records.push({ deleted: l.chainId });
    return layers.reduce((n, l) => n + l.size, 0);
  }

  /** POST /images/prune: dangling images by default, every unused one with dangling=false. */
  async prune(filters: Record<string, string[]> = {}): Promise<{ deleted: DeleteRecord[]; spaceReclaimed: number }> {
    for (const k of Object.keys(filters)) {
      if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    }
    const danglingOnly = filters['dangling']?.length ? boolFilter('dangling', filters['dangling']) : true;
    const untilText = filters['until']?.[0];
    const until = untilText === undefined ? undefined : untilTime(untilText);
    if (until === null) throw new InvalidParameterError(`invalid filter 'until=${untilText}'`);
    const deleted: DeleteRecord[] = [];
    let space = 0;
    for (const rec of this.store.list()) {
      if (!this.store.has(rec.id)) continue;
      const cfg = this.config(rec.id);
      if (this.usage.containersUsing(rec.id).length) continue;
      if (this.store.list().some((r) => r.parent === rec.id)) continue;
      // Dangling means no tag: digest references alone do not keep an image (Docker's prune).
      const tagged = this.store.refsFor(rec.id).some((r) => !parseDockerRef(r).digest);
      if (danglingOnly && tagged) continue;
      if (until !== undefined && (Date.parse(cfg.created ?? '') || 0) >= until) continue;
      const labels = cfg.config?.Labels ?? {};
      if (filters['label']?.length && !filters['label'].every((l) => labelMatches(labels, l))) continue;
      if (filters['label!']?.length && filters['label!'].some((l) => labelMatches(labels, l))) continue;
      for (const r of this.store.refsFor(rec.id)) await this.untagRef(r, rec.id, deleted);
      space += await this.deleteImage(rec.id, deleted);
    }
    this.events.publish({ type: 'image', action: 'prune', id: '', attributes: { reclaimed: String(space) } });
    return { deleted, spaceReclaimed: space };
  }

  /** Removes layers and blobs that no image uses and no lease holds (pull and push call it after their lease). */
  collectGarbage(): Promise<{ layers: LayerMeta[]; blobs: number }> {
    return this.leases.exclusive(async () => {
      const keepLayers = new Set<Digest>();
      const keepBlobs = new Set<Digest>();
      for (const rec of this.store.list()) {
        keepBlobs.add(rec.id);
        if (rec.manifestDigest) keepBlobs.add(rec.manifestDigest);
        for (const c of rec.chainIds) keepLayers.add(c);
        for (const d of this.configs.get(rec.id)?.rootfs.diff_ids ?? []) keepBlobs.add(d);
      }
      const layers = await this.layers.removeUnused((c) => keepLayers.has(c) || this.leases.isHeld(layerLeaseKey(c)));
      let blobs = 0;
      for (const d of await this.content.list()) {
        if (keepBlobs.has(d) || this.leases.isHeld(`blob:${d}`)) continue;
        await this.content.delete(d);
        blobs++;
      }
      return { layers, blobs };
    });
  }

  // ---------------------------------------------------------------- writing images

  /**
   * Stores an image whose config is `configBytes`: each layer is taken from the content store when its
   * diff ID is there, else from `openLayer(i)` (plain or gzip tar), verified against the config's diff
   * IDs, and unpacked unless its chain is already unpacked. The image record is written last.
   * The way in for import and load now, and for the builder and pull later.
   */
  async addImage(
    configBytes: Buffer,
    lease: Lease,
    openLayer: (index: number) => Promise<AsyncIterable<Uint8Array>> | AsyncIterable<Uint8Array>,
    extra: { parent?: Digest; manifestDigest?: Digest; signal?: AbortSignal } = {},
  ): Promise<Digest> {
    let cfg: ImageConfig;
    try {
      cfg = validateImageConfig(JSON.parse(configBytes.toString('utf8')));
    } catch (e) {
      throw new InvalidParameterError(`invalid image config: ${(e as Error).message}`);
    }
    const { digest: id } = await this.content.put(configBytes, { lease });
    const diffIds = cfg.rootfs.diff_ids;
    const chains = chainIds(diffIds);
    let parent: Digest | null = null;
    for (let i = 0; i < diffIds.length; i++) {
      const diffId = diffIds[i]!;
      const chain = chains[i]!;
      const haveBlob = await lease.guard(`blob:${diffId}`, () => this.content.has(diffId));
      if (!haveBlob) {
        const { stream } = await decompressStream(await openLayer(i));
        await this.content.ingest(stream, { expected: diffId, lease, signal: extra.signal });
      }
      if (!(await this.layers.leaseExisting(chain, lease))) {
        await this.layers.create(parent, this.content.open(diffId), { expectedDiffId: diffId, lease, signal: extra.signal });
      }
      parent = chain;
    }
    if (!this.store.has(id)) {
      const now = new Date().toISOString();
      await this.store.add({ id, chainIds: chains, added: now, lastTagTime: '', ...(extra.parent ? { parent: extra.parent } : {}), ...(extra.manifestDigest ? { manifestDigest: extra.manifestDigest } : {}) });
    }
    this.configs.set(id, cfg);
    return id;
  }

  /** POST /images/create?fromSrc=- : a rootfs tar (plain or gzip) becomes a one-layer image. */
  async importImage(src: AsyncIterable<Uint8Array>, opts: ImportOptions = {}): Promise<Digest> {
    let target: Reference | undefined;
    if (opts.repo) target = parseTagTarget(opts.repo, opts.tag);
    let runConfig;
    try {
      runConfig = applyChanges({}, opts.changes ?? []);
    } catch (e) {
      if (e instanceof DockerfileParseError) throw new InvalidParameterError(e.message);
      throw e;
    }
    const lease = this.leases.open();
    try {
      const { stream } = await decompressStream(src);
      const { digest: diffId } = await this.content.ingest(stream, { lease, signal: opts.signal });
      const message = opts.message || `Imported from ${opts.source ?? '-'}`;
      const cfg = importedImageConfig({ diffId, runConfig, message });
      const id = await this.addImage(Buffer.from(JSON.stringify(cfg)), lease, () => this.content.open(diffId), { signal: opts.signal });
      this.events.publish({ type: 'image', action: 'import', id, attributes: { name: id } });
      if (target) await this.setTag(target, id);
      return id;
    } finally {
      lease.release();
      // A refused or abandoned tar leaves its blob behind: collect it now rather than at the next start.
      await this.collectGarbage().catch((e) => this.log.warn(`image gc: ${(e as Error).message}`));
    }
  }

  /** POST /images/load: a docker-archive or OCI layout. Returns the "Loaded image" lines. */
  async load(src: AsyncIterable<Uint8Array>, opts: LoadOptions = {}): Promise<string[]> {
    const lease = this.leases.open();
    const tmp = await fsp.mkdtemp(path.join(this.tmpRoot, 'load-'));
    const lines: string[] = [];
    try {
      const images = await readArchive(src, tmp, { signal: opts.signal, warn: (m) => this.log.warn(m) });
      const ids: Digest[] = [];
      for (const img of images) {
        let diffIds: unknown[] = [];
        try {
          diffIds = (JSON.parse(img.configBytes.toString('utf8')) as ImageConfig).rootfs?.diff_ids ?? [];
        } catch {
          // addImage reports the malformed config
        }
        if (Array.isArray(diffIds) && diffIds.length !== img.layerCount) {
          throw new InvalidParameterError(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${img.layerCount}`);
        }
        const parent = img.parent === undefined ? undefined : ids[img.parent];
        const id = await this.addImage(img.configBytes, lease, img.openLayer, { ...(parent ? { parent } : {}), signal: opts.signal });
        ids.push(id);
        this.events.publish({ type: 'image', action: 'load', id, attributes: { name: id } });
        if (!img.refs.length) {
          if (img.announce === false) continue;
          lines.push(`Loaded image ID: ${id}`);
          continue;
        }
        for (const ref of img.refs) {
          const key = refString(ref);
          const old = this.store.lookupRef(key);
          if (old && old !== id) {
            const msg = `The image ${familiarString(ref)} already exists, renaming the old one with ID ${old} to empty string`;
            lines.push(msg);
          }
          await this.store.setRef(key, id);
          await this.store.update(id, { lastTagTime: new Date().toISOString() });
          if (!ref.digest && img.announce !== false) lines.push(`Loaded image: ${familiarString(ref)}`);
        }
      }
      for (const l of lines) opts.onProgress?.({ stream: `${l}\n` });
      return lines;
    } finally {
      lease.release();
      await fsp.rm(tmp, { recursive: true, force: true });
      await this.collectGarbage().catch((e) => this.log.warn(`image gc: ${(e as Error).message}`));
    }
  }

  /**
   * Resolves `docker save` names as Docker does: a name without tag means every tag of that repository;
   * an ID means the image without names. Fails before anything is written if one is missing.
   */
  saveSet(names: string[]): SaveImage[] {
    const byId = new Map<Digest, SaveImage>();
    const add = (id: Digest, ref?: Reference) => {
      let s = byId.get(id);
      if (!s) {
        const cfg = this.config(id);
        s = { id, configBytes: null, diffIds: cfg.rootfs.diff_ids, refs: [] };
        byId.set(id, s);
      }
      if (ref && !s.refs.some((r) => refString(r) === refString(ref))) s.refs.push(ref);
    };
    for (const name of names) {
      let lk;
      try {
        lk = parseImageLookup(name);
      } catch (e) {
        throw new InvalidParameterError((e as Error).message);
      }
      if (lk.kind === 'ref' && !lk.ref.digest) {
        let named: Reference;
        try {
          named = parseNormalizedNamed(name);
        } catch {
          named = lk.ref;
        }
        if (!named.tag) {
          // Name only: every tag of the repository.
          const repo = repoName(named);
          const matches = this.store.allRefs().filter(([r]) => {
            const p = parseDockerRef(r);
            return repoName(p) === repo && !p.digest;
          });
          if (matches.length) {
            for (const [r, id] of matches) add(id, parseDockerRef(r));
            continue;
          }
        } else {
          const id = this.store.lookupRef(refString(lk.ref));
          if (id) {
            add(id, lk.ref);
            continue;
          }
        }
      }
      const id = this.lookupId(name);
      add(id, lk.kind === 'ref' && this.store.lookupRef(refString(lk.ref)) === id && !lk.ref.digest ? lk.ref : undefined);
    }
    return [...byId.values()];
  }

  /** GET /images/get: writes the archive of `images` (from saveSet) to `out`. */
  async save(images: SaveImage[], out: Writable, signal?: AbortSignal): Promise<void> {
    const lease = this.leases.open();
    try {
      for (const img of images) {
        // Keep the blobs until they are written, even if the image is removed meanwhile.
        await lease.guard(`blob:${img.id}`, async () => {});
        for (const d of img.diffIds) await lease.guard(`blob:${d}`, async () => {});
        img.configBytes = await this.content.get(img.id);
      }
      await writeArchive(images, this.content, out, signal);
      for (const img of images) this.events.publish({ type: 'image', action: 'save', id: img.id, attributes: { name: img.id } });
    } finally {
      lease.release();
    }
  }

  /**
   * POST /images/create?fromImage=: pulling is the registry issue's; for now an image we have is "up to
   * date" and one we lack is Docker's pull-access-denied answer.
   */
  async pullLocal(fromImage: string, tag?: string): Promise<{ display: string; id: Digest }> {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(fromImage);
      if (tag && !ref.digest) ref = tag.startsWith('sha256:') ? { ...nameOnly(ref), digest: tag as Digest } : withTag(ref, tag);
      if (!ref.tag && !ref.digest) ref = withTag(ref, 'latest');
    } catch (e) {
      throw new InvalidParameterError((e as Error).message);
    }
    const id = this.store.lookupRef(refString(ref));
    if (!id) throw new NotFoundError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login'`);
    return { display: familiarString(ref), id };
  }
}

// ---------------------------------------------------------------- helpers

function notFoundName(refOrId: string): string {
  try {
    const lk = parseImageLookup(refOrId);
    return lk.kind === 'ref' ? familiarString(lk.ref) : lk.kind === 'id' ? lk.id : refOrId;
  } catch {
    return refOrId;
  }
}

/** Whether `ref` is (a prefix of) the ID rather than a name. */
function isIdPrefix(id: Digest, ref: string): boolean {
  const r = ref.toLowerCase();
  return id.startsWith(r) || id.slice(7).startsWith(r);
}
