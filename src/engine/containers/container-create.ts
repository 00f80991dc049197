// docker create: the checks of a container's configuration, its name, image, mounts and /etc files,
// and its record written (with its run staged ahead of the start that usually follows).
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import type { DaemonConfig } from '../../daemon/config.js';
import type { ContainerConfig, HostConfig, NetworkingConfig } from '../../api/types/containers.js';
import type { Digest, ImageProvider, ResolvedImage } from '../images/image-service-contract.js';
import { ConflictError, InvalidParameterError, NotFoundError } from '../../errors.js';
import { mountsFrom } from './shared-from-others.js';
import { ZERO_TIME, type ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import { mergeConfig, validateContainerName } from './create-config.js';
import { planMounts } from './mount-plan.js';
import { parseSignal } from './signals.js';
import { validateNetworkMode, effectiveNetworkMode } from './network-modes.js';
import { normalizeLinks } from './link-targets.js';
import { normalizeMac } from '../../lib/net/ipam.js';
import { validateRestartPolicy } from './restart-policy.js';
import { validateHealthcheck } from './health-check.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import { DEFAULT_LOG_DRIVER, mergeLogConfig } from './log-drivers.js';
import { generateName } from '../../lib/names/index.js';
import type { VolumeAccess } from './volume-access.js';
import { logOptions, validateResources, validateUnsupported } from './container-checks.js';
import { writeEtcFiles } from './run-spec.js';
import { mountRecords } from './mount-records.js';
import { runShape, type RunShape } from './run-staging.js';

export interface CreateContainerInput {
  name?: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig?: NetworkingConfig;
}

export interface ContainerCreatorDeps {
  config: DaemonConfig;
  store: ContainerStore;
  images: ImageProvider;
  volumes: VolumeAccess;
  host: ContainerHostOps;
  networking: ContainerNetworking;
  /** Containers being created, by ID, with the image they take (counted as users of it). */
  imagesInUse: Map<string, Digest>;
  stageAhead(c: ContainerRecord, etcWritten: Promise<unknown>, saved: Promise<unknown>): void;
  publish(c: ContainerRecord, action: string): void;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** A runtime started ahead for creates of this shape (runtime-ahead.ts): its ID, taken. */
  takeAhead?(shape: RunShape): string | undefined;
  /** After a create: the next runtime of its shape started ahead. */
  prepareAhead?(shape: RunShape): void;
  /** A create that took a runtime started ahead failed before its run: the runtime goes. */
  dropAhead?(id: string): Promise<unknown>;
}

export class ContainerCreator {
  constructor(private readonly d: ContainerCreatorDeps) {}

  /** docker create: checks everything first, then writes the record (staging its run ahead). */
  async create(input: CreateContainerInput): Promise<{ id: string; warnings: string[] }> {
    const req = input.config ?? {};
    const hc: HostConfig = { ...(input.hostConfig ?? {}) };
    const warnings: string[] = [];

    // --mac-address from clients older than API 1.44 (newer ones send it per endpoint).
    if (req.MacAddress && !normalizeMac(req.MacAddress)) throw new InvalidParameterError(`invalid MAC address ${req.MacAddress}`);
    if (this.d.networking.validate) this.d.networking.validate(hc, input.networkingConfig);
    else {
      const bindings = Object.values(hc.PortBindings ?? {}).some((b) => Array.isArray(b) && b.length > 0);
      if (bindings || hc.PublishAllPorts) throw new InvalidParameterError('port publishing (-p/-P) needs bridge networking, which this daemon was started without');
      validateNetworkMode(hc.NetworkMode);
    }
    validateUnsupported(hc, this.d.config.defaultRuntime);
    validateRestartPolicy(hc.RestartPolicy, !!hc.AutoRemove);
    validateHealthcheck(req.Healthcheck);
    validateResources(hc, os.availableParallelism?.() ?? os.cpus().length);
    if (req.StopSignal) parseSignal(req.StopSignal);
    // As dockerd: the daemon's driver when none is named, its --log-opt values under the container's
    // own when the driver is the daemon's (inspect shows the options that apply), then each checked.
    hc.LogConfig = mergeLogConfig(hc.LogConfig, { type: this.d.config.logDriver ?? DEFAULT_LOG_DRIVER, opts: this.d.config.logOpts });
    const logOpts = logOptions(hc);

    let name: string | null = null;
    if (input.name) {
      name = validateContainerName(input.name);
      this.checkNameFree(name);
    }
    const imageRef = req.Image ?? '';
    if (!imageRef) throw new InvalidParameterError('No command specified: an image is required');
    const shape = runShape({ tty: req.Tty, openStdin: req.OpenStdin, stdinOnce: req.StdinOnce, logDriver: hc.LogConfig?.Type, logMaxSize: logOpts.maxSize });
    const id = this.d.takeAhead?.(shape) ?? randomBytes(32).toString('hex');
    this.d.prepareAhead?.(shape);
    try {
      const image = await this.d.images.resolve(imageRef);
      // Take the image into use and check it is still there in one synchronous step (an rmi racing this
      // create either sees this use and refuses, or has started deleting and this create fails).
      this.d.imagesInUse.set(id, image.id);
      if (!this.d.images.isAvailable(image.id)) throw new NotFoundError(`No such image: ${imageRef}`);
      return await this.createWithImage(id, name, input, hc, image, imageRef, warnings, logOpts);
    } catch (e) {
      // A runtime started ahead for this ID (if it took one) goes with the failed create.
      await this.d.dropAhead?.(id);
      throw e;
    } finally {
      this.d.imagesInUse.delete(id);
    }
  }

  private async createWithImage(
    id: string,
    requestedName: string | null,
    input: CreateContainerInput,
    hc: HostConfig,
    image: ResolvedImage,
    imageRef: string,
    warnings: string[],
    logOpts: ReturnType<typeof logOptions>,
  ): Promise<{ id: string; warnings: string[] }> {
    const req = input.config ?? {};
    let name = requestedName;
    const merged = mergeConfig(req, image.config ?? {});

    if (name) this.checkNameFree(name); // again: the image lookup awaited
    else name = this.uniqueName(id);
    this.d.store.reserveName(name, id);

    if (hc.Links?.length) hc.Links = normalizeLinks(hc.Links, name, hc.NetworkMode, (n) => this.d.store.find(n));
    const mode = effectiveNetworkMode(hc.NetworkMode);
    const hostname = merged.config.Hostname || (mode === 'host' || hc.UTSMode === 'host' ? this.d.host.hostname() : id.slice(0, 12));
    const config: ContainerConfig = { ...merged.config, Hostname: hostname, Domainname: merged.config.Domainname ?? '', Image: imageRef };
    if (!hc.NetworkMode) hc.NetworkMode = 'default';

    const p = this.d.store.paths(id);
    const createdVolumes: string[] = [];
    try {
      const plan = planMounts({ binds: hc.Binds, mounts: hc.Mounts, tmpfs: hc.Tmpfs, volumes: config.Volumes });
      // Six mkdirs in place: microseconds, where thread-pool round trips cost a millisecond on the path of every run.
      fsSync.mkdirSync(p.dir, { recursive: true, mode: 0o710 });
      fsSync.mkdirSync(p.overlayDir, { recursive: true, mode: 0o710 });
      fsSync.mkdirSync(p.upperDir, { recursive: true, mode: 0o755 });
      fsSync.mkdirSync(p.workDir, { recursive: true, mode: 0o700 });
      fsSync.mkdirSync(p.mergedDir, { recursive: true, mode: 0o755 });
      const mounts = await mountRecords(plan, this.d.volumes, createdVolumes);
      mounts.push(...mountsFrom(hc.VolumesFrom ?? [], mounts, (n) => this.d.store.find(n)));
      const rec: ContainerRecord = {
        id,
        name,
        created: new Date().toISOString(),
        path: merged.path,
        args: merged.args,
        image: image.id,
        imageRef,
        layerDirs: image.layerDirs,
        config,
        hostConfig: hc,
        ...(input.networkingConfig ? { networkingConfig: input.networkingConfig } : {}),
        state: { status: 'created', pid: 0, conmonPid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
        mounts,
        restartCount: 0,
        logMaxSize: logOpts.maxSize,
        logMaxFile: logOpts.maxFile,
      };
      const etcWritten = writeEtcFiles({ store: this.d.store, host: this.d.host }, rec);
      const saved = etcWritten.then(() => this.d.store.save(rec));
      this.d.stageAhead(rec, etcWritten, saved);
      await saved;
      this.d.publish(rec, 'create');
      return { id, warnings };
    } catch (e) {
      // A staging begun above sees the failed save and undoes its mount; let it finish first.
      await this.d.withLock(id, async () => {}).catch(() => {});
      this.d.store.releaseName(name);
      for (const v of createdVolumes) await this.d.volumes.remove(v).catch(() => {});
      await fs.rm(p.overlayDir, { recursive: true, force: true });
      await fs.rm(p.dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Docker's conflict when a name is taken (by a container or a create under way). */
  checkNameFree(name: string): void {
    const owner = this.d.store.nameOwner(name);
    if (owner) {
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
  }

  private uniqueName(id: string): string {
    return generateName(randomUnit, (n) => this.d.store.nameOwner(n) !== undefined, id);
  }
}

/** A uniform random number in [0, 1) from the crypto generator, for the name generator. */
function randomUnit(): number {
  return randomBytes(4).readUInt32BE(0) / 2 ** 32;
}
