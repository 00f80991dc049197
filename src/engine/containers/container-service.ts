// The container service: Docker's container lifecycle over an OCI runtime (conmon + runc). It owns the
// store of container records, the overlay rootfs of each container, the per-container /etc files,
// the exit watchers, attach and logs, and the reconciliation with what survived a berthd restart.
// Routes translate the wire to the calls here; nothing here sees HTTP.
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { DaemonConfig } from '../../daemon/config.js';
import type { Logger } from '../../daemon/logger.js';
import { parseByteSize } from '../../daemon/byte-size.js';
import type { EventBus } from '../events.js';
import type { ContainerConfig, EndpointSettings, HostConfig, NetworkingConfig } from '../../api/types/containers.js';
import type { Digest, ImageProvider, ImageUsage, ResolvedImage } from '../images/image-service-contract.js';
import { ConflictError, ForbiddenError, InvalidParameterError, NotFoundError, NotImplementedError, NotModifiedError, SystemError, isBerthError } from '../../errors.js';
import type { AttachHandle, AttachStreams, ContainerRuntime, ExitInfo, SpecInput } from './runtime-contract.js';
import { mountsFrom, sharedNamespaces } from './shared-from-others.js';
import { ZERO_TIME, type ContainerPaths, type ContainerRecord, type ContainerStateRecord, type MountRecord } from './container-model.js';
import { ContainerStore, writeFileAtomic } from './container-store.js';
import { replaceFileSync } from '../atomic-file.js';
import { mergeConfig, processEnv, validateContainerName } from './create-config.js';
import { planMounts, sortByDepth } from './mount-plan.js';
import { hostnameFile, hostsFile, resolvConfFile } from './etc-files.js';
import { resolveUser, type ResolvedUser } from './user-resolve.js';
import { readFileInRoot, resolveInRoot } from './scoped-path.js';
import { processGone } from '../../host/process-state.js';
import { statusText } from './status-text.js';
import { parseSignal, SIGKILL } from './signals.js';
import { DefaultNetworking, validateNetworkMode, effectiveNetworkMode } from './network-modes.js';
import { linkEnv, linkHostsEntry } from '../../lib/net/links.js';
import { linkTargets, normalizeLinks } from './link-targets.js';
import { restartsAtDaemonStart, shouldRestart, validateRestartPolicy } from './restart-policy.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { planUpdate, type UpdateBody } from './container-update.js';
import type { NetCounters } from '../../lib/net/net-dev.js';
import { HealthMonitor, effectiveCheck, goDuration, initialHealth, validateHealthcheck, type HealthState } from './health-check.js';
import type { ContainerHostOps, ContainerNetworking, NetworkAttachment } from './container-host.js';
import { readLogs } from './log-reader.js';
import type { LogRecord } from './k8s-log.js';
import { LogRotator } from './log-rotator.js';
import { DEFAULT_LOG_DRIVER, defaultLogBounds, driverKeepsLog, logPathShown, mergeLogConfig, validateLogConfig } from './log-drivers.js';
import { populateVolume } from './volume-populate.js';
import { diskUsage } from './disk-usage.js';
import { listChanges, type Change } from './changes.js';
import { parsePsOutput } from './top.js';
import { matchesListFilters, validateListFilters } from './list-filters.js';
import { ExecManager } from './exec-manager.js';
import { extractInto, hostPath, packTree, statPath, type PathStat, type RootView } from './rootfs-archive.js';
import { generateName } from '../../lib/names/index.js';
import type { VolumeAccess } from './volume-access.js';
import { createHostOps } from './host-ops.js';
import { ALL_CAPABILITIES, normalizeCapability } from '../../lib/oci/runtime-spec.js';
import type { CgroupStats } from '../../host/cgroup-stats.js';

export interface ContainerServiceOptions {
  config: DaemonConfig;
  runtime: ContainerRuntime;
  images: ImageProvider;
  volumes: VolumeAccess;
  events: EventBus;
  log: Logger;
  /** Machine operations; default: the real ones (host-ops.ts). Tests pass fakes. */
  host?: ContainerHostOps;
  /** Network preparation before create; default: none/host/container: modes. */
  networking?: ContainerNetworking;
  /** How long a run staged at create waits for its start (default START_AHEAD_MS). */
  startAheadMs?: number;
}

export interface CreateContainerInput {
  name?: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig?: NetworkingConfig;
}

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

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
export interface WaitResult {
  statusCode: number;
  error: string | null;
}

export interface AttachOptions {
  stdin?: Readable;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  signal?: AbortSignal;
}

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail: number | null;
  sinceNs?: bigint | null;
  untilNs?: bigint | null;
  signal?: AbortSignal;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface Waiter {
  condition: WaitCondition;
  resolve(r: WaitResult): void;
}

interface PendingAttach {
  streams: AttachStreams;
  connected: Deferred<AttachHandle | null>;
}

/** Exit code Docker records when a start fails for a reason other than a missing or unrunnable command. */
const EXIT_UNKNOWN = 128;
/** Exit code Docker records when it cannot tell how a container ended (its monitor vanished). */
const EXIT_LOST = 255;
/** How long a force-remove waits for a SIGKILLed container's exit before cleaning up regardless. */
const KILL_WAIT_MS = 10_000;

export class ContainerService implements ImageUsage {
  readonly store: ContainerStore;
  private readonly config: DaemonConfig;
  private readonly runtime: ContainerRuntime;
  private readonly images: ImageProvider;
  private readonly volumes: VolumeAccess;
  private readonly events: EventBus;
  private readonly log: Logger;
  private readonly host: ContainerHostOps;
  private readonly networking: ContainerNetworking;
  /** Pending policy restarts and their back-off. */
  private readonly restarts = new RestartSupervisor();
  /** Healthcheck probes of running containers. */
  private readonly health = new HealthMonitor({
    probe: (id, cmd, timeoutMs) => this.runProbe(id, cmd, timeoutMs),
    update: (id, h, changed) => this.healthUpdated(id, h, changed),
    log: { debug: (m, e) => this.log.debug(m, e) },
  });
  private readonly exec: ExecManager;
  private readonly rotator: LogRotator;

  private readonly locks = new Map<string, Promise<unknown>>();
  /** Resolved when the current run's exit has been fully handled (state saved, rootfs unmounted). */
  private readonly runs = new Map<string, { exited: Deferred<ExitInfo>; watch: AbortController }>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly pendingAttaches = new Map<string, Set<PendingAttach>>();
  /** Users of each mounted rootfs: a running container holds one, export/cp of a stopped one another. */
  private readonly rootfsRefs = new Map<string, number>();
  private readonly removing = new Set<string>();
  /** Containers being created, by ID, with the image they take (counted as users of it). */
  private readonly imagesInUse = new Map<string, Digest>();
  /** Containers whose exit is being handled (their log gets its last bounding there, not from the rotator). */
  private readonly exiting = new Set<string>();
  /** Removals through the API in progress, by container ID (see remove). */
  private readonly removals = new Map<string, Promise<void>>();
  /** Runs staged ahead of their start (see stageAhead), and how many are being staged. */
  private readonly prepared = new Map<string, StagedRun & { timer: NodeJS.Timeout }>();
  private staging = 0;
  private readonly startAheadMs: number;
  /** Background jobs under way: removal clean-ups and staging ahead (shutdown waits for them). */
  private readonly background = new Set<Promise<void>>();

  constructor(opts: ContainerServiceOptions) {
    this.config = opts.config;
    this.runtime = opts.runtime;
    this.images = opts.images;
    this.volumes = opts.volumes;
    this.events = opts.events;
    this.log = opts.log;
    this.host = opts.host ?? createHostOps(opts.log);
    this.networking = opts.networking ?? new DefaultNetworking();
    this.startAheadMs = opts.startAheadMs ?? START_AHEAD_MS;
    this.store = new ContainerStore(path.join(opts.config.dataRoot, 'containers'), path.join(opts.config.dataRoot, 'overlay'));
    this.exec = new ExecManager({
      runtime: this.runtime,
      events: this.events,
      log: this.log,
      findRunning: (id) => this.findRunning(id),
      find: (id) => this.store.find(id),
      resolveUser: (c, spec) => this.resolveUserFor(c, spec),
      execRoot: (c) => this.store.paths(c.id).execDir,
    });
    this.rotator = new LogRotator({
      log: this.log,
      targets: () =>
        this.store
          .all()
          // A container whose exit is being handled gets its last bounding from recordExit instead.
          .filter((c) => (c.state.status === 'running' || c.state.status === 'paused') && !this.exiting.has(c.id))
          .map((c) => ({ logPath: this.store.paths(c.id).logFile, bundleDir: this.store.paths(c.id).bundleDir, maxSize: c.logMaxSize, maxFile: c.logMaxFile })),
      reopen: (bundleDir) => this.runtime.reopenLog(bundleDir),
    });
    this.volumes.setUsage?.((name) => this.store.all().filter((c) => c.mounts.some((m) => m.type === 'volume' && m.name === name)).map((c) => c.id));
  }

  // ---------------------------------------------------------------- start-up and shutdown

  /** Loads the store and reconciles each container with what the runtime says survived. */
  async init(): Promise<void> {
    const { loaded, orphans } = await this.store.load();
    for (const u of this.store.unreadable) this.log.warn(`container ${u.id} is skipped: its record cannot be read (${u.reason}); it stays on disk`);
    for (const id of orphans) {
      this.log.info(`removing half-made container ${id}`);
      const p = this.store.paths(id);
      await this.host.unmountOverlay(p.mergedDir).catch(() => {});
      await this.runtime.delete(id, true).catch(() => {});
      await this.runtime.forget?.(id).catch(() => {});
      await this.host.removeCgroup(this.cgroupsPath(id)).catch(() => {});
      await fs.rm(p.overlayDir, { recursive: true, force: true });
      await fs.rm(p.dir, { recursive: true, force: true });
    }
    // A few at a time: each may ask runc (a process spawn), and a daemon with hundreds of
    // containers should still come up quickly.
    const queue = [...loaded];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        try {
          await this.reconcile(c);
        } catch (e) {
          this.log.error(`reconciling container ${c.id}`, e);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    this.rotator.start();
    // Restart policies at a daemon start (also for containers that exited while berthd was down):
    // started in the background, so that the API answers meanwhile.
    for (const c of this.store.all()) {
      if (c.state.status === 'running' || c.state.status === 'paused' || c.removalInProgress) continue;
      const facts = { exitCode: c.state.exitCode, restartCount: c.restartCount, manuallyStopped: !!c.manuallyStopped, everStarted: c.state.startedAt !== ZERO_TIME };
      if (restartsAtDaemonStart(c.hostConfig.RestartPolicy, facts)) {
        c.state.status = 'restarting';
        this.restarts.schedule(c.id, 0, () => void this.policyRestart(c.id));
      } else if (c.state.status === 'restarting') {
        c.state.status = 'exited';
        await this.store.saveState(c).catch(() => {});
      }
    }
  }

  /** Starts the probes of a container that has a healthcheck; `fresh`: a new run, health starts over. */
  private watchHealth(c: ContainerRecord, fresh: boolean): void {
    const check = effectiveCheck(c.config.Healthcheck);
    if (!check) {
      delete c.state.health;
      return;
    }
    if (fresh || !c.state.health) c.state.health = initialHealth();
    this.health.watch(c.id, check, new Date(c.state.startedAt), c.state.health);
  }

  private healthUpdated(id: string, h: HealthState, changed: boolean): void {
    const c = this.store.tryFind(id);
    if (!c || c.id !== id || c.state.status !== 'running') return;
    c.state.health = h;
    this.store.saveState(c).catch((e) => this.log.warn(`saving the health of ${id}`, e));
    if (changed) this.publish(c, `health_status: ${h.Status}`);
  }

  /** One probe: an exec of the check's command, its output kept (bounded), killed at the timeout. */
  private async runProbe(id: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string } | null> {
    const c = this.store.tryFind(id);
    // A paused container is not probed (its health stays as it was until it is thawed).
    if (!c || c.state.status !== 'running') return null;
    const execId = this.exec.create(id, { cmd, env: [], user: '', workingDir: '', tty: false, attachStdin: false, attachStdout: true, attachStderr: true, privileged: false, detachKeys: '' });
    const chunks: Buffer[] = [];
    let size = 0;
    const run = await this.exec.start(execId, {
      detach: false,
      onOutput: (_s, d) => {
        if (size < 8192) chunks.push(d);
        size += d.length;
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const res = await Promise.race([run.done, timedOut]);
    clearTimeout(timer);
    if (res === 'timeout') {
      const pid = this.exec.inspect(execId).pid;
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      return { exitCode: -1, output: `Health check exceeded timeout (${goDuration(timeoutMs)})` };
    }
    return { exitCode: res, output: Buffer.concat(chunks).toString('utf8') };
  }

  /** A restart the container's policy asked for, once its back-off has passed. */
  private async policyRestart(id: string): Promise<void> {
    await this.withLock(id, async () => {
      const c = this.store.tryFind(id);
      if (!c || c.id !== id || c.state.status !== 'restarting' || c.manuallyStopped || this.removing.has(id)) return;
      c.restartCount++;
      try {
        await this.startLocked(c);
      } catch (e) {
        this.log.warn(`restart of ${id.slice(0, 12)} by its policy failed: ${(e as Error).message}`);
        this.afterExit(c, 0);
      }
    }).catch((e) => this.log.error(`restarting ${id}`, e));
  }

  /** After an exit was recorded: back to "restarting" with a timer when the policy says so. */
  private afterExit(c: ContainerRecord, ranForMs: number): void {
    if (!shouldRestart(c.hostConfig.RestartPolicy, { exitCode: c.state.exitCode, restartCount: c.restartCount, manuallyStopped: !!c.manuallyStopped })) return;
    c.state.status = 'restarting';
    this.store.saveState(c).catch((e) => this.log.warn(`saving ${c.id}`, e));
    this.restarts.schedule(c.id, ranForMs, () => void this.policyRestart(c.id));
  }

  private async reconcile(c: ContainerRecord): Promise<void> {
    const p = this.store.paths(c.id);
    if (c.removalInProgress) {
      // Only a removal that also takes anonymous volumes marks the record first.
      await this.finishRemoval(c, true);
      return;
    }
    // An exited record was saved after its run was cleaned up (runc delete, unmount): only an
    // unmount interrupted by a crash can be left, which the check below catches without asking runc.
    const st = c.state.status === 'exited' ? null : await this.runtime.state(c.id).catch(() => null);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      if (st && (st.status === 'running' || st.status === 'paused')) {
        // Still alive under its conmon: adopt it again.
        this.rootfsRefs.set(c.id, 1);
        if (st.status !== c.state.status) {
          c.state.status = st.status;
          await this.store.save(c);
        }
        this.armWatcher(c.id);
        this.watchHealth(c, false);
        this.log.info(`container ${c.id.slice(0, 12)} still running (pid ${st.pid})`);
        return;
      }
      const exit = await this.runtime.readExit(c.id).catch(() => null);
      await this.recordExit(c, exit ?? { exitCode: EXIT_LOST, finishedAt: new Date(), oomKilled: false }, exit ? '' : 'container monitor disappeared');
      if (c.hostConfig.AutoRemove) await this.remove(c.id, { force: true, volumes: true }).catch((e) => this.log.warn(`auto-remove ${c.id}`, e));
      return;
    }
    if (c.state.status === 'created' && st && (st.status === 'running' || st.status === 'paused')) {
      // berthd was killed between `runc start` and saving the record: the container did start.
      this.rootfsRefs.set(c.id, 1);
      c.state = { ...c.state, status: st.status, pid: st.pid, error: '', exitCode: 0, startedAt: new Date().toISOString() };
      await this.store.save(c);
      this.armWatcher(c.id);
      this.watchHealth(c, true);
      this.log.info(`container ${c.id.slice(0, 12)} was started by the previous daemon (pid ${st.pid}); adopted`);
      return;
    }
    // created/exited: nothing may run or stay mounted (a daemon killed mid-start leaves both behind).
    if (st) await this.runtime.delete(c.id, true).catch(() => {});
    if (await this.host.isMounted(p.mergedDir).catch(() => false)) await this.host.unmountOverlay(p.mergedDir).catch(() => {});
  }

  /** Stops watchers and timers; containers keep running under conmon. */
  async shutdown(): Promise<void> {
    this.rotator.stop();
    // Pending policy restarts are left as "restarting" in their records: the next start takes them.
    this.restarts.close();
    this.health.close();
    for (const r of this.runs.values()) r.watch.abort();
    this.runs.clear();
    // Background jobs are short; one cut off here is finished as an orphan at the next start-up.
    await Promise.race([this.settled(), sleep(10_000)]);
    // Runs staged ahead would wait for a start that cannot come: take them back.
    await Promise.all([...this.prepared.keys()].map((id) => this.discardStaged(id).catch(() => {})));
  }

  /** Resolves when the background jobs under way (removal clean-ups, staging ahead) have ended. */
  async settled(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  // ---------------------------------------------------------------- queries

  /**
   * docker network connect: a stopped container keeps the network in its configuration for its next
   * start; a running one is also wired into it now.
   */
  async connectNetwork(idOrName: string, network: string, cfg: EndpointSettings): Promise<void> {
    const id = this.store.find(idOrName).id;
    await this.withLock(id, async () => {
      const c = this.store.find(id);
      const mode = c.hostConfig.NetworkMode ?? '';
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) throw new ForbiddenError('container sharing network namespace with another container or host cannot be connected to any other network');
      const primary = mode === '' || mode === 'default' ? 'bridge' : mode;
      const eps = ((c.networkingConfig ??= {}).EndpointsConfig ??= {});
      const running = c.state.status === 'running' || c.state.status === 'paused';
      if (network === primary || eps[network] || (running && c.network?.endpoints.some((e) => e.network === network))) {
        throw new ForbiddenError(`endpoint with name ${c.name} already exists in network ${network}`);
      }
      if (running) {
        if (!this.networking.connect) throw new ForbiddenError('this daemon has no bridge networking');
        const ep = await this.networking.connect(c, network, cfg);
        c.network = { sandboxKey: c.network?.sandboxKey ?? '', endpoints: [...(c.network?.endpoints ?? []), ep], ...(c.network?.ports ? { ports: c.network.ports } : {}) };
      }
      eps[network] = cfg;
      await this.store.save(c);
      this.events.publish({ type: 'network', action: 'connect', id: network, attributes: { container: c.id, name: network, type: 'bridge' } });
    });
  }

  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const id = this.store.find(idOrName).id;
    await this.withLock(id, async () => {
      const c = this.store.find(id);
      const mode = c.hostConfig.NetworkMode ?? '';
      const primary = mode === '' || mode === 'default' ? 'bridge' : mode;
      const eps = c.networkingConfig?.EndpointsConfig ?? {};
      const running = c.state.status === 'running' || c.state.status === 'paused';
      const onIt = network === primary || network in eps || (running && c.network?.endpoints.some((e) => e.network === network));
      if (!onIt) throw new ForbiddenError(`container ${c.id} is not connected to network ${network}`);
      if (running && this.networking.disconnect) {
        await this.networking.disconnect(c, network);
        if (c.network) c.network = { ...c.network, endpoints: c.network.endpoints.filter((e) => e.network !== network) };
      }
      delete eps[network];
      // Off its primary network, a container has none left to start on: Docker then gives it none.
      if (network === primary) {
        const rest = Object.keys(eps);
        c.hostConfig.NetworkMode = rest[0] ?? 'none';
      }
      await this.store.save(c);
      this.events.publish({ type: 'network', action: 'disconnect', id: network, attributes: { container: c.id, name: network, type: 'bridge' } });
    });
  }

  /** Records of the containers running now (networking adopts their endpoints after a restart). */
  runningRecords(): ContainerRecord[] {
    return this.store.all().filter((c) => c.state.status === 'running' || c.state.status === 'paused');
  }

  /** Whether a container's configuration names the network (it cannot be removed then). */
  usesNetwork(id: string, name: string): boolean {
    return this.store.all().some((c) => {
      const mode = c.hostConfig.NetworkMode ?? '';
      const eps = Object.keys(c.networkingConfig?.EndpointsConfig ?? {});
      return mode === name || mode === id || eps.includes(name) || eps.includes(id);
    });
  }

  containersUsing(imageId: Digest): string[] {
    const ids = this.store
      .all()
      .filter((c) => c.image === imageId)
      .map((c) => c.id);
    for (const [cid, img] of this.imagesInUse) if (img === imageId && !ids.includes(cid)) ids.push(cid);
    return ids;
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    const all = this.store.all();
    for (const c of all) {
      if (c.state.status === 'paused') paused++;
      else if (c.state.status === 'running' || c.state.status === 'restarting') running++;
    }
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /** The record (a copy) for routes that need a field before acting (e.g. Tty before hijacking). */
  get(idOrName: string): ContainerRecord {
    return structuredClone(this.store.find(idOrName));
  }

  async inspect(idOrName: string, opts: { size?: boolean } = {}): Promise<ContainerView> {
    const c = this.store.find(idOrName);
    return this.view(c, !!opts.size);
  }

  private async view(c: ContainerRecord, size: boolean): Promise<ContainerView> {
    const v: ContainerView = {
      record: structuredClone(c),
      paths: this.store.paths(c.id),
      logPath: logPathShown(c.hostConfig.LogConfig?.Type) ? this.store.paths(c.id).logFile : '',
      execIds: this.exec.idsFor(c.id),
      statusText: statusText(c.state, Date.now(), this.removing.has(c.id)),
    };
    if (size) {
      v.sizeRw = await diskUsage(v.paths.upperDir);
      let lower = 0;
      for (const d of c.layerDirs) lower += await diskUsage(d, true);
      v.sizeRootFs = v.sizeRw + lower;
    }
    return v;
  }

  async list(opts: ListOptions = {}): Promise<ContainerView[]> {
    const filters = opts.filters ?? {};
    validateListFilters(filters);
    const all = this.store.all().sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    const showAll = !!opts.all || (opts.limit ?? 0) > 0 || !!filters['status']?.length || !!filters['exited']?.length;
    let ancestors: Set<string> | null = null;
    if (filters['ancestor']?.length) {
      ancestors = new Set();
      for (const a of filters['ancestor']) {
        ancestors.add(a);
        const img = await this.images.resolve(a).catch(() => null);
        if (img) ancestors.add(img.id);
      }
    }
    const order = new Map(all.map((c, i) => [c.id, i]));
    const boundIndex = (key: 'before' | 'since'): number | null => {
      const v = filters[key]?.[0];
      if (!v) return null;
      const c = this.store.find(v);
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
      if (!matchesListFilters(c, filters, ancestors, this.removing.has(c.id))) continue;
      out.push(await this.view(c, !!opts.size));
      if (opts.limit && opts.limit > 0 && out.length >= opts.limit) break;
    }
    return out;
  }

  // ---------------------------------------------------------------- create

  async create(input: CreateContainerInput): Promise<{ id: string; warnings: string[] }> {
    const req = input.config ?? {};
    const hc: HostConfig = { ...(input.hostConfig ?? {}) };
    const warnings: string[] = [];

    if (this.networking.validate) this.networking.validate(hc, input.networkingConfig);
    else {
      const bindings = Object.values(hc.PortBindings ?? {}).some((b) => Array.isArray(b) && b.length > 0);
      if (bindings || hc.PublishAllPorts) throw new InvalidParameterError('port publishing (-p/-P) needs bridge networking, which this daemon was started without');
      validateNetworkMode(hc.NetworkMode);
    }
    validateUnsupported(hc, this.config.defaultRuntime);
    // Most creates are a `docker run`, whose start follows within milliseconds.
    this.host.prepareStart?.();
    validateRestartPolicy(hc.RestartPolicy, !!hc.AutoRemove);
    validateHealthcheck(req.Healthcheck);
    validateResources(hc, os.availableParallelism?.() ?? os.cpus().length);
    if (req.StopSignal) parseSignal(req.StopSignal);
    // As dockerd: the daemon's driver when none is named, its --log-opt values under the container's
    // own when the driver is the daemon's (inspect shows the options that apply), then each checked.
    hc.LogConfig = mergeLogConfig(hc.LogConfig, { type: this.config.logDriver ?? DEFAULT_LOG_DRIVER, opts: this.config.logOpts });
    const logOpts = this.logOptions(hc);

    let name: string | null = null;
    if (input.name) {
      name = validateContainerName(input.name);
      this.checkNameFree(name);
    }
    const imageRef = req.Image ?? '';
    if (!imageRef) throw new InvalidParameterError('No command specified: an image is required');
    const id = randomBytes(32).toString('hex');
    const image = await this.images.resolve(imageRef);
    // Take the image into use and check it is still there in one synchronous step (an rmi racing this
    // create either sees this use and refuses, or has started deleting and this create fails).
    this.imagesInUse.set(id, image.id);
    if (!this.images.isAvailable(image.id)) {
      this.imagesInUse.delete(id);
      throw new NotFoundError(`No such image: ${imageRef}`);
    }
    try {
      return await this.createWithImage(id, name, input, hc, image, imageRef, warnings, logOpts);
    } finally {
      this.imagesInUse.delete(id);
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
    logOpts: ReturnType<ContainerService['logOptions']>,
  ): Promise<{ id: string; warnings: string[] }> {
    const req = input.config ?? {};
    let name = requestedName;
    const merged = mergeConfig(req, image.config ?? {});

    if (name) this.checkNameFree(name); // again: the image lookup awaited
    else name = this.uniqueName(id);
    this.store.reserveName(name, id);

    if (hc.Links?.length) hc.Links = normalizeLinks(hc.Links, name, hc.NetworkMode, (n) => this.store.find(n));
    const mode = effectiveNetworkMode(hc.NetworkMode);
    const hostname = merged.config.Hostname || (mode === 'host' || hc.UTSMode === 'host' ? this.host.hostname() : id.slice(0, 12));
    const config: ContainerConfig = { ...merged.config, Hostname: hostname, Domainname: merged.config.Domainname ?? '', Image: imageRef };
    if (!hc.NetworkMode) hc.NetworkMode = 'default';

    const p = this.store.paths(id);
    const createdVolumes: string[] = [];
    try {
      const plan = planMounts({ binds: hc.Binds, mounts: hc.Mounts, tmpfs: hc.Tmpfs, volumes: config.Volumes });
      // Six mkdirs in place: microseconds, where thread-pool round trips cost a millisecond on the path of every run.
      fsSync.mkdirSync(p.dir, { recursive: true, mode: 0o710 });
      fsSync.mkdirSync(p.overlayDir, { recursive: true, mode: 0o710 });
      fsSync.mkdirSync(p.upperDir, { recursive: true, mode: 0o755 });
      fsSync.mkdirSync(p.workDir, { recursive: true, mode: 0o700 });
      fsSync.mkdirSync(p.mergedDir, { recursive: true, mode: 0o755 });
      const mounts: MountRecord[] = [];
      for (const m of plan) {
        if (m.kind === 'bind') {
          const st = await fs.stat(m.source).catch(() => null);
          if (!st) {
            if (!m.createSource) throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
            // Docker creates a missing -v host path as a directory.
            await fs.mkdir(m.source, { recursive: true, mode: 0o755 });
          }
          mounts.push({ type: 'bind', source: m.source, destination: m.destination, mode: m.mode, rw: !m.readonly, propagation: m.propagation });
        } else if (m.kind === 'volume') {
          const anonymous = m.name === null;
          const vol = await this.volumes.create(anonymous ? { anonymous: true, labels: m.labels } : { name: m.name!, labels: m.labels, ifMissing: true });
          if (anonymous) createdVolumes.push(vol.name);
          let source = vol.mountpoint;
          if (m.subpath) {
            // Resolved inside the volume (symlinks too) so a link in it cannot point the mount elsewhere.
            source = await resolveInRoot(vol.mountpoint, m.subpath);
            if (!(await fs.stat(source).catch(() => null))) {
              throw new InvalidParameterError(`invalid mount config for type "volume": cannot access path ${m.subpath} in volume ${vol.name}: no such file or directory`);
            }
          }
          mounts.push({
            type: 'volume',
            name: vol.name,
            source,
            destination: m.destination,
            driver: 'local',
            mode: m.mode,
            rw: !m.readonly,
            propagation: '',
            anonymous,
            copyImageContent: !m.noCopy && !m.subpath,
          });
        } else {
          mounts.push({ type: 'tmpfs', source: '', destination: m.destination, mode: '', rw: !m.readonly, propagation: '', tmpfsOptions: m.options, ...(m.fromTmpfsOption ? { hidden: true } : {}) });
        }
      }
      mounts.push(...mountsFrom(hc.VolumesFrom ?? [], mounts, (n) => this.store.find(n)));
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
      const etcWritten = this.writeEtcFiles(rec);
      const saved = etcWritten.then(() => this.store.save(rec));
      this.stageAhead(rec, etcWritten, saved);
      await saved;
      this.publish(rec, 'create');
      return { id, warnings };
    } catch (e) {
      // A staging begun above sees the failed save and undoes its mount; let it finish first.
      await this.withLock(id, async () => {}).catch(() => {});
      this.store.releaseName(name);
      for (const v of createdVolumes) await this.volumes.remove(v).catch(() => {});
      await fs.rm(p.overlayDir, { recursive: true, force: true });
      await fs.rm(p.dir, { recursive: true, force: true });
      throw e;
    }
  }

  private checkNameFree(name: string): void {
    const owner = this.store.nameOwner(name);
    if (owner) {
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
  }

  private uniqueName(id: string): string {
    return generateName(randomUnit, (n) => this.store.nameOwner(n) !== undefined, id);
  }

  private logOptions(hc: HostConfig): { maxSize: number; maxFile: number } {
    const type = hc.LogConfig?.Type ?? DEFAULT_LOG_DRIVER;
    const cfg = hc.LogConfig?.Config ?? {};
    validateLogConfig(type, cfg);
    if (type === 'none') return { maxSize: -1, maxFile: 1 };
    let { maxSize, maxFile } = defaultLogBounds(type);
    if (cfg['max-size'] !== undefined) maxSize = cfg['max-size'] === '-1' ? -1 : parseByteSize(cfg['max-size']);
    if (cfg['max-file'] !== undefined) {
      maxFile = Number(cfg['max-file']);
      if (!Number.isInteger(maxFile) || maxFile < 1) throw new InvalidParameterError(`max-file cannot be less than 1`);
    }
    return { maxSize, maxFile };
  }

  private async writeEtcFiles(c: ContainerRecord, address?: string, nameservers?: string[], linkHosts: string[] = []): Promise<void> {
    const p = this.store.paths(c.id);
    const mode = effectiveNetworkMode(c.hostConfig.NetworkMode) === 'host' ? 'host' : (c.hostConfig.NetworkMode ?? 'none');
    const [hostHosts, hostResolv] = await Promise.all([this.host.readHostFile('/etc/hosts').catch(() => ''), this.host.readHostFile('/etc/resolv.conf').catch(() => '')]);
    const hostname = c.config.Hostname ?? c.id.slice(0, 12);
    // Regenerated when needed, so no fsync; written whole to a temp name and renamed all the same.
    replaceFileSync(p.hostnameFile, hostnameFile(hostname), 0o644);
    replaceFileSync(
      p.hostsFile,
      hostsFile({ hostname, domainname: c.config.Domainname ?? '', networkMode: mode, hostHosts, extraHosts: [...(c.hostConfig.ExtraHosts ?? []), ...linkHosts], ...(address ? { address } : {}) }),
      0o644,
    );
    replaceFileSync(
      p.resolvConfFile,
      resolvConfFile({ hostResolv, networkMode: mode, dns: c.hostConfig.Dns?.length ? c.hostConfig.Dns : (nameservers ?? []), dnsSearch: c.hostConfig.DnsSearch ?? [], dnsOptions: c.hostConfig.DnsOptions ?? [] }),
      0o644,
    );
  }

  // ---------------------------------------------------------------- start

  async start(idOrName: string): Promise<void> {
    const id = this.store.find(idOrName).id;
    await this.withLock(id, async () => {
      const c = this.store.find(id);
      if (c.state.status === 'running' || c.state.status === 'paused') throw new NotModifiedError('container already started');
      if (this.removing.has(id)) throw new ConflictError(`removal of container ${c.name} is already in progress`);
      // A user's start: the policy applies again from scratch.
      this.restarts.forget(id);
      c.manuallyStopped = false;
      c.restartCount = 0;
      await this.startLocked(c);
    });
  }

  private async startLocked(c: ContainerRecord): Promise<void> {
    this.host.prepareStart?.();
    let staged = this.takePrepared(c.id);
    try {
      staged ??= await this.stageRun(c);
      const p = this.store.paths(c.id);
      // `docker run` attaches before it starts: connect those clients now, before the process runs,
      // so they see its first bytes.
      await this.connectPendingAttaches(c);
      const size = c.hostConfig.ConsoleSize;
      if (c.config.Tty && Array.isArray(size) && size[0] > 0 && size[1] > 0) {
        // The client's terminal size from the first byte on (its resize call comes after the start).
        await this.runtime.resize(p.bundleDir, size[0], size[1]).catch((e) => this.log.debug(`initial tty size of ${c.id}`, e));
      }
      await this.runtime.start(c.id, staged.pid);
      const net = staged.net;
      c.state = { ...c.state, status: 'running', pid: staged.pid, conmonPid: staged.conmonPid, exitCode: 0, error: '', oomKilled: false, startedAt: new Date().toISOString() };
      if (net.endpoints?.length || net.sandboxKey) c.network = { sandboxKey: net.sandboxKey ?? '', endpoints: net.endpoints ?? [], ...(net.ports?.length ? { ports: net.ports } : {}) };
      else delete c.network;
      this.watchHealth(c, true);
      await this.store.saveState(c);
      this.armWatcher(c.id);
      this.publish(c, 'start');
    } catch (e) {
      if (staged) await this.unstage(c);
      const err = translateStartError(e, c.path);
      c.state = { ...c.state, status: 'created', pid: 0, conmonPid: 0, error: err.message, exitCode: err.exitCode ?? (c.state.exitCode || EXIT_UNKNOWN) };
      if (c.state.startedAt !== ZERO_TIME) c.state.status = 'exited';
      await this.store.save(c).catch(() => {});
      this.failPendingAttaches(c.id);
      if (c.hostConfig.AutoRemove) {
        // Docker removes an --rm container whose start failed, after the lock is released.
        setImmediate(() => void this.remove(c.id, { force: true, volumes: true }).catch(() => {}));
      }
      throw err.error;
    }
  }

  /**
   * Everything of a start up to the moment the process would run: rootfs mounted, volumes filled,
   * network prepared, bundle written, and the runtime's container created under conmon (its init
   * waiting). Undoes its own partial work when it fails.
   */
  private async stageRun(c: ContainerRecord, gate?: Promise<void>): Promise<StagedRun> {
    const p = this.store.paths(c.id);
    let mounted = false;
    let networked = false;
    let created = false;
    try {
      // Whatever a previous run left in the runtime (an exited container runc still knows) goes
      // first; a container that never ran has nothing there, and runc costs a process spawn.
      if (c.state.startedAt !== ZERO_TIME || c.state.error) await this.runtime.delete(c.id, true).catch(() => {});
      await this.acquireRootfs(c);
      mounted = true;
      if (!c.volumesPopulated) {
        for (const m of c.mounts) {
          if (m.type === 'volume' && m.copyImageContent) await populateVolume(p.mergedDir, m.destination, m.source);
        }
        c.volumesPopulated = true;
      }
      const net = await this.networking.prepare(c, (other) => {
        const o = this.store.find(other);
        return o.state.status === 'running' || o.state.status === 'paused' ? o.state.pid : 0;
      });
      networked = true;
      const links = linkTargets(c, (n) => this.store.find(n));
      const user = await this.resolveUserFor(c, c.config.User ?? '');
      if (c.config.WorkingDir) await this.ensureWorkingDir(p.mergedDir, c.config.WorkingDir, user);
      const spec = this.host.buildSpec(await this.specInput(c, user, net.spec, links.flatMap((l) => linkEnv(l.alias, c.name, l.target))));
      fsSync.mkdirSync(p.bundleDir, { recursive: true, mode: 0o700 });
      // Rewritten on every start from the stored record, so a crash cannot lose anything here: no fsync
      // on the start path (the record itself is still written with fsync).
      replaceFileSync(path.join(p.bundleDir, 'config.json'), JSON.stringify(spec, null, 2) + '\n', 0o644);
      if (gate) await gate;
      // The /etc files were written at create (by then, past the gate); rewrite them when networking
      // gave an address or they went missing.
      if (net.address || !fsSync.existsSync(p.hostsFile)) await this.writeEtcFiles(c, net.address, net.nameservers, links.map((l) => linkHostsEntry(l.alias, l.target)));
      const tty = !!c.config.Tty;
      const { pid, conmonPid } = await this.runtime.create({
        id: c.id,
        bundleDir: p.bundleDir,
        logPath: driverKeepsLog(c.hostConfig.LogConfig?.Type) ? p.logFile : null,
        // conmon's own cap is a backstop for while berthd is down; berthd rotates well below it.
        logSizeMax: c.logMaxSize > 0 ? Math.max(c.logMaxSize * 4, c.logMaxSize + 4 * 1024 * 1024) : -1,
        tty,
        openStdin: !!c.config.OpenStdin,
        // Docker never closes a TTY container's stdin when its client goes away (a detached
        // `docker run -it` shell keeps running and can be attached again); without a TTY, StdinOnce
        // closes it when the first client's stdin ends (`echo x | docker run -i ... cat`).
        stdinOnce: !!c.config.StdinOnce && !tty,
      });
      created = true;
      // The namespaces exist now (the init waits for its start): wire the network into them.
      if (this.networking.plumb) await this.networking.plumb(c, pid, net);
      return { pid, conmonPid, net };
    } catch (e) {
      if (created) await this.runtime.delete(c.id, true).catch(() => {});
      if (networked) await this.networking.release(c).catch(() => {});
      if (mounted) await this.releaseRootfs(c.id).catch((err) => this.log.warn(`unmount after failed start of ${c.id}`, err));
      throw e;
    }
  }

  /** Takes back a staged run that will not start: runtime container, network, rootfs mount. */
  private async unstage(c: ContainerRecord): Promise<void> {
    await this.runtime.delete(c.id, true).catch(() => {});
    await this.networking.release(c).catch(() => {});
    await this.releaseRootfs(c.id).catch((err) => this.log.warn(`unmount after failed start of ${c.id}`, err));
  }

  // ---------------------------------------------------------------- staging ahead of start

  /**
   * Stages a just-created container's run in the background, so that the start which `docker run`
   * sends a few milliseconds later only has to let the process go (the runtime's create is most of
   * a start's time). Nothing of it is visible through the API: the container stays "created" with no
   * PID. A staged run that is not started within START_AHEAD_MS is taken back; so is one whose
   * container is removed or written into (docker cp) first. At most MAX_STAGED_AHEAD at a time, so a
   * burst of `docker create` costs little.
   */
  private stageAhead(c: ContainerRecord, etcWritten: Promise<unknown>, saved: Promise<unknown>): void {
    const id = c.id;
    if (!this.config.startAhead || this.prepared.size + this.staging >= MAX_STAGED_AHEAD) return;
    this.staging++;
    const job = this.withLock(id, async () => {
      // Staging overlaps the create's own writes: the runtime's create needs only the /etc files it
      // bind-mounts. A crash before the record is saved leaves a directory without one, which start-up
      // cleans as an orphan, runtime state included.
      const gate = etcWritten.then(() => undefined);
      gate.catch(() => {}); // handled where stageRun awaits it; a failure before that must not go unhandled
      const staged = await this.stageRun(c, gate);
      const wanted = await saved.then(
        () => this.store.tryFind(id) === c && c.state.status === 'created' && !this.removing.has(id) && !this.prepared.has(id),
        () => false,
      );
      if (!wanted) {
        await this.unstage(c);
        return;
      }
      const timer = setTimeout(() => void this.discardStaged(id), this.startAheadMs);
      timer.unref();
      this.prepared.set(id, { ...staged, timer });
    })
      .catch((e) => this.log.debug(`staging ${id} ahead of its start failed; the start will do it again and report`, e))
      .finally(() => this.staging--);
    void this.track(job);
  }

  private takePrepared(id: string): StagedRun | undefined {
    const p = this.prepared.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.prepared.delete(id);
    return p;
  }

  /** Takes back a run staged ahead (under the container's lock); a no-op when there is none. */
  private async discardStaged(id: string): Promise<void> {
    if (!this.prepared.has(id)) return;
    await this.withLock(id, async () => {
      const staged = this.takePrepared(id);
      if (!staged) return;
      const c = this.store.tryFind(id);
      if (c && c.id === id) await this.unstage(c);
      else await this.runtime.delete(id, true).catch(() => {});
    });
  }


  private async specInput(c: ContainerRecord, user: ResolvedUser, network: SpecInput['network'], linkVars: string[] = []): Promise<SpecInput> {
    const p = this.store.paths(c.id);
    const hc = c.hostConfig;
    const ro = !!hc.ReadonlyRootfs;
    const mounts: SpecInput['mounts'] = [];
    const bindOpts = (rw: boolean, propagation: string) => ['rbind', propagation || 'rprivate', rw ? 'rw' : 'ro'];
    for (const m of sortByDepth(c.mounts)) {
      if (m.type === 'tmpfs') {
        const opts = ['nosuid', 'nodev', 'noexec', ...(m.tmpfsOptions ?? [])];
        // "exec"/"suid"/"dev" in the user's options undo the defaults.
        const cleaned = opts.filter((o) => !((o === 'noexec' && opts.includes('exec')) || (o === 'nosuid' && opts.includes('suid')) || (o === 'nodev' && opts.includes('dev'))));
        mounts.push({ destination: m.destination, source: 'tmpfs', type: 'tmpfs', options: [...cleaned, m.rw ? 'rw' : 'ro'] });
      } else {
        mounts.push({ destination: m.destination, source: m.source, type: 'bind', options: bindOpts(m.rw, m.propagation) });
      }
    }
    const userDests = new Set(c.mounts.map((m) => m.destination));
    // The /etc files follow the user's mounts unless the user mounted over them.
    for (const [dest, src] of [
      ['/etc/resolv.conf', p.resolvConfFile],
      ['/etc/hostname', p.hostnameFile],
      ['/etc/hosts', p.hostsFile],
    ] as const) {
      if (!userDests.has(dest)) mounts.push({ destination: dest, source: src, type: 'bind', options: bindOpts(!ro, 'rprivate') });
    }
    const initPath = hc.Init ? this.host.initBinary() : null;
    if (hc.Init && !initPath) throw new SystemError('--init requested but neither catatonit nor tini is installed on the host');
    const resources: SpecInput['resources'] = {};
    if (hc.Memory) resources.memory = hc.Memory;
    if (hc.MemorySwap) resources.memorySwap = hc.MemorySwap;
    if (hc.MemoryReservation) resources.memoryReservation = hc.MemoryReservation;
    if (hc.NanoCpus) resources.nanoCpus = hc.NanoCpus;
    if (hc.CpuShares) resources.cpuShares = hc.CpuShares;
    if (hc.CpuQuota) resources.cpuQuota = hc.CpuQuota;
    if (hc.CpuPeriod) resources.cpuPeriod = hc.CpuPeriod;
    if (hc.CpusetCpus) resources.cpusetCpus = hc.CpusetCpus;
    if (hc.PidsLimit && hc.PidsLimit > 0) resources.pidsLimit = hc.PidsLimit;
    const hostname = c.config.Hostname ?? c.id.slice(0, 12);
    const input: SpecInput = {
      rootfs: p.mergedDir,
      readonlyRootfs: ro,
      args: [c.path, ...c.args],
      // Link variables first: the container's own environment wins over them, as in Docker.
      env: processEnv([...linkVars, ...(c.config.Env ?? [])], hostname, !!c.config.Tty),
      cwd: c.config.WorkingDir || '/',
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      tty: !!c.config.Tty,
      hostname,
      mounts,
      privileged: !!hc.Privileged,
      capAdd: hc.CapAdd ?? [],
      capDrop: hc.CapDrop ?? [],
      network,
      resources,
      cgroupsPath: this.cgroupsPath(c.id),
      ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
      hostHardLimits: this.host.hostHardLimits(),
      sysctls: hc.Sysctls ?? {},
      shmSize: hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : 64 * 1024 * 1024,
      noNewPrivileges: (hc.SecurityOpt ?? []).some((o) => o === 'no-new-privileges' || o === 'no-new-privileges:true' || o === 'no-new-privileges=true'),
    };
    const shared = sharedNamespaces(hc, (n) => {
      const o = this.store.find(n);
      return { id: o.id, pid: this.isRunning(o) ? o.state.pid : 0 };
    });
    if (shared) input.shared = shared;
    if (hc.OomScoreAdj) input.oomScoreAdj = hc.OomScoreAdj;
    if (initPath) input.init = { hostPath: initPath, containerPath: '/sbin/docker-init' };
    if (hc.MaskedPaths) input.maskedPaths = hc.MaskedPaths;
    if (hc.ReadonlyPaths) input.readonlyPaths = hc.ReadonlyPaths;
    return input;
  }

  /** Docker creates a missing working directory, owned by the container's user. */
  private async ensureWorkingDir(root: string, dir: string, user: ResolvedUser): Promise<void> {
    const host = await resolveInRoot(root, dir);
    if (await fs.stat(host).catch(() => null)) return;
    const rel = path.relative(root, host).split(path.sep).filter(Boolean);
    let cur = root;
    for (const part of rel) {
      cur = path.join(cur, part);
      if (await fs.lstat(cur).catch(() => null)) continue;
      await fs.mkdir(cur, { mode: 0o755 });
      await fs.chown(cur, user.uid, user.gid).catch(() => {});
    }
  }

  private cgroupsPath(id: string): string {
    return `/berth/${id}`;
  }

  async resolveUserFor(c: ContainerRecord, spec: string): Promise<ResolvedUser> {
    const root = this.store.paths(c.id).mergedDir;
    // Read even for root: supplementary groups and $HOME come from the files too.
    const [passwd, group] = await Promise.all([readFileInRoot(root, '/etc/passwd'), readFileInRoot(root, '/etc/group')]);
    return resolveUser(spec, passwd, group, c.hostConfig.GroupAdd ?? []);
  }

  // ---------------------------------------------------------------- rootfs mounts

  private async acquireRootfs(c: ContainerRecord): Promise<string> {
    const p = this.store.paths(c.id);
    const n = this.rootfsRefs.get(c.id) ?? 0;
    if (n === 0 && !(await this.host.isMounted(p.mergedDir).catch(() => false))) {
      let lower = [...c.layerDirs].reverse();
      if (lower.length === 0) {
        // overlayfs needs a lower layer; an image without layers gets an empty one.
        const empty = path.join(p.overlayDir, 'empty');
        await fs.mkdir(empty, { recursive: true });
        lower = [empty];
      }
      await this.host.mountOverlay({ lower, upper: p.upperDir, work: p.workDir, target: p.mergedDir }, { knownUnmounted: true });
    }
    this.rootfsRefs.set(c.id, n + 1);
    return p.mergedDir;
  }

  private async releaseRootfs(id: string): Promise<void> {
    const n = (this.rootfsRefs.get(id) ?? 1) - 1;
    if (n > 0) {
      this.rootfsRefs.set(id, n);
      return;
    }
    this.rootfsRefs.delete(id);
    const p = this.store.paths(id);
    if (await this.host.isMounted(p.mergedDir).catch(() => true)) await this.host.unmountOverlay(p.mergedDir);
  }

  /** Runs fn with the container's rootfs mounted (mounting a stopped container's for the duration). */
  async withRootfs<T>(idOrName: string, fn: (root: string, c: ContainerRecord) => Promise<T>): Promise<T> {
    const c = this.store.find(idOrName);
    const root = await this.withLock(c.id, () => this.acquireRootfs(c));
    try {
      return await fn(root, c);
    } finally {
      await this.withLock(c.id, () => this.releaseRootfs(c.id)).catch((e) => this.log.warn(`unmount ${c.id}`, e));
    }
  }

  // ---------------------------------------------------------------- exits

  private armWatcher(id: string): void {
    const watch = new AbortController();
    const run = { exited: deferred<ExitInfo>(), watch };
    this.runs.set(id, run);
    this.runtime.waitExit(id, watch.signal).then(
      (info) => void this.handleExit(id, info, run),
      (e) => {
        if (watch.signal.aborted) return;
        this.log.error(`watching container ${id} failed; treating it as exited`, e);
        void this.handleExit(id, { exitCode: EXIT_LOST, finishedAt: new Date(), oomKilled: false }, run);
      },
    );
  }

  private async handleExit(id: string, info: ExitInfo, run: { exited: Deferred<ExitInfo> }): Promise<void> {
    this.exiting.add(id);
    try {
      await this.withLock(id, async () => {
        const c = this.store.tryFind(id);
        if (!c || c.id !== id) return;
        if (c.hostConfig.AutoRemove && !this.removing.has(id)) {
          // --rm: the run's clean-up and the removal's are one job, and the client waiting for
          // "removed" need not wait for it (runc delete, unmount, rm -rf): the record goes first.
          this.markExited(c, info, '');
          this.removing.add(id);
          try {
            await this.finishRemoval(c, true, { ranInRuntime: true, background: true });
          } finally {
            this.removing.delete(id);
          }
          return;
        }
        await this.recordExit(c, info, '');
        this.afterExit(c, Date.parse(c.state.finishedAt) - Date.parse(c.state.startedAt));
      });
    } catch (e) {
      this.log.error(`handling exit of ${id}`, e);
    } finally {
      this.exiting.delete(id);
      if (this.runs.get(id) === run) this.runs.delete(id);
      run.exited.resolve(info);
    }
  }

  /** Cleans up after a run (runtime state, network, rootfs) and records how it ended. */
  private async recordExit(c: ContainerRecord, info: ExitInfo, error: string): Promise<void> {
    // Independent clean-ups run side by side: `runc delete` waits for the cgroup to empty, the
    // unmount and the log bounding do not need it.
    await Promise.all([
      this.runtime
        .delete(c.id, true)
        .catch((e) => this.log.warn(`runc delete ${c.id}`, e))
        .then(() => this.host.removeCgroup(this.cgroupsPath(c.id)).catch(() => {})),
      this.networking.release(c).catch((e) => this.log.warn(`network release ${c.id}`, e)),
      this.releaseRootfs(c.id).catch((e) => this.log.warn(`unmount ${c.id}`, e)),
      // Output faster than the rotation check may have overrun max-size: bound the files now, once
      // conmon is gone (it writes the exit file first and drains the last output to the log after).
      processGone(c.state.conmonPid, MONITOR_DRAIN_MS)
        .then(() => this.rotator.boundExited(this.store.paths(c.id).logFile, c.logMaxSize, c.logMaxFile))
        .catch((e) => this.log.warn(`bounding the log of ${c.id}`, e)),
    ]);
    this.markExited(c, info, error);
    await this.store.saveState(c);
  }

  /** The exited state in memory, the die event and the exit waiters; saving is the caller's. */
  private markExited(c: ContainerRecord, info: ExitInfo, error: string): void {
    this.health.unwatch(c.id);
    this.exec.containerStopped(c.id);
    delete c.network;
    c.state = {
      ...c.state,
      status: 'exited',
      pid: 0,
      conmonPid: 0,
      exitCode: info.exitCode,
      oomKilled: info.oomKilled,
      error,
      // The exit file's time can precede the moment we recorded the start of a very short run.
      finishedAt: new Date(Math.max(info.finishedAt.getTime(), Date.parse(c.state.startedAt) || 0)).toISOString(),
    };
    if (info.oomKilled) this.publish(c, 'oom');
    this.publish(c, 'die', { exitCode: String(info.exitCode) });
    this.resolveWaiters(c.id, ['not-running', 'next-exit'], { statusCode: info.exitCode, error: error || null });
  }

  // ---------------------------------------------------------------- stop, kill, restart, pause

  private isRunning(c: ContainerRecord): boolean {
    return c.state.status === 'running' || c.state.status === 'paused';
  }

  private findRunning(idOrName: string): ContainerRecord {
    const c = this.store.find(idOrName);
    if (!this.isRunning(c)) throw new ConflictError(`Container ${idOrName} is not running`);
    return c;
  }

  /** The promise of the current run's handled exit (resolves at once if there is no run). */
  private exitOf(id: string): Promise<ExitInfo | null> {
    return this.runs.get(id)?.exited.promise ?? Promise.resolve(null);
  }

  async stop(idOrName: string, opts: { signal?: string; timeout?: number } = {}): Promise<void> {
    const first = this.store.find(idOrName);
    if (first.state.status === 'restarting') {
      // Between two runs of its policy: the pending restart is called off. Under the container's lock,
      // so a restart already under way finishes first (and is then stopped below, as running).
      const calledOff = await this.withLock(first.id, async () => {
        const r = this.store.find(first.id);
        if (r.state.status !== 'restarting') return false;
        this.restarts.cancel(r.id);
        r.manuallyStopped = true;
        r.state.status = 'exited';
        await this.store.save(r);
        this.publish(r, 'stop');
        return true;
      });
      if (calledOff) return;
    }
    const c = this.store.find(idOrName);
    if (!this.isRunning(c)) throw new NotModifiedError('container already stopped');
    c.manuallyStopped = true;
    await this.stopRunning(c, opts);
    this.publish(c, 'stop');
  }

  private async stopRunning(c: ContainerRecord, opts: { signal?: string; timeout?: number }): Promise<void> {
    const exited = this.exitOf(c.id);
    const signal = parseSignal(opts.signal || c.config.StopSignal || 'SIGTERM');
    const timeout = opts.timeout ?? c.config.StopTimeout ?? 10;
    try {
      await this.runtime.kill(c.id, signal);
      this.publish(c, 'kill', { signal: String(signal) });
      if (c.state.status === 'paused') await this.runtime.resume(c.id).catch(() => {});
    } catch (e) {
      this.log.debug(`stop signal to ${c.id} failed, killing`, e);
    }
    if (timeout >= 0 && signal !== SIGKILL) {
      const timedOut = await Promise.race([exited.then(() => false), sleep(timeout * 1000).then(() => true)]);
      if (!timedOut) return;
      this.log.info(`container ${c.id.slice(0, 12)} did not stop within ${timeout}s after signal ${signal}; killing it`);
      await this.runtime.kill(c.id, SIGKILL).catch(() => {});
      this.publish(c, 'kill', { signal: String(SIGKILL) });
    }
    await exited;
  }

  async kill(idOrName: string, signal?: string): Promise<void> {
    const r = this.store.find(idOrName);
    if (r.state.status === 'restarting') throw new ConflictError(`Container ${r.id} is restarting, wait until the container is running`);
    const c = this.findRunning(idOrName);
    const sig = parseSignal(signal || 'SIGKILL');
    c.manuallyStopped = true;
    const exited = this.exitOf(c.id);
    await this.runtime.kill(c.id, sig);
    this.publish(c, 'kill', { signal: String(sig) });
    if (sig === SIGKILL) {
      if (c.state.status === 'paused') await this.runtime.resume(c.id).catch(() => {});
      // Docker's kill with SIGKILL returns once the container is down (bounded at 10 s), so an
      // inspect right after it sees "exited 137".
      await Promise.race([exited, sleep(KILL_WAIT_MS)]);
    }
  }

  async restart(idOrName: string, opts: { signal?: string; timeout?: number } = {}): Promise<void> {
    const c = this.store.find(idOrName);
    if (this.isRunning(c)) {
      await this.stopRunning(c, opts);
      this.publish(c, 'stop');
    }
    await this.start(c.id);
    this.publish(c, 'restart');
  }

  /**
   * docker update: new limits go to a running container's cgroups at once (runc update) and into
   * HostConfig for every later start; a stopped container only keeps them.
   */
  async update(idOrName: string, body: UpdateBody): Promise<{ warnings: string[] }> {
    const id = this.store.find(idOrName).id;
    return this.withLock(id, async () => {
      const c = this.store.find(id);
      const plan = planUpdate(c.hostConfig, body, { swapAccounting: this.host.swapAccounting?.() ?? true });
      if (this.isRunning(c) && Object.keys(plan.resources).length) {
        if (!this.runtime.update) throw new NotImplementedError('this runtime cannot change limits of a running container');
        try {
          await this.runtime.update(c.id, plan.resources);
        } catch (e) {
          throw new SystemError(`Cannot update container ${c.id}: ${(e as Error).message}`, { cause: e });
        }
      }
      c.hostConfig = plan.hostConfig;
      await this.store.save(c);
      this.publish(c, 'update');
      return { warnings: [] };
    });
  }

  async pause(idOrName: string): Promise<void> {
    const c = this.findRunning(idOrName);
    if (c.state.status === 'paused') throw new ConflictError(`Container ${c.id} is already paused`);
    await this.runtime.pause(c.id);
    c.state.status = 'paused';
    await this.store.save(c);
    this.publish(c, 'pause');
  }

  async unpause(idOrName: string): Promise<void> {
    const c = this.store.find(idOrName);
    if (c.state.status !== 'paused') throw new ConflictError(`Container ${c.id} is not paused`);
    await this.runtime.resume(c.id);
    c.state.status = 'running';
    await this.store.save(c);
    this.publish(c, 'unpause');
  }

  // ---------------------------------------------------------------- wait

  /**
   * Registers a wait; throws NotFound at once (before the route sends headers). The result settles
   * when the condition is met; abort the signal to drop the wait.
   */
  wait(idOrName: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    const c = this.store.find(idOrName);
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new InvalidParameterError(`invalid condition: "${condition}"`);
    }
    if (condition === 'not-running' && !this.isRunning(c)) {
      return Promise.resolve({ statusCode: c.state.exitCode, error: c.state.error || null });
    }
    return new Promise<WaitResult>((resolve) => {
      const w: Waiter = { condition, resolve };
      let set = this.waiters.get(c.id);
      if (!set) this.waiters.set(c.id, (set = new Set()));
      set.add(w);
      signal?.addEventListener('abort', () => set!.delete(w), { once: true });
    });
  }

  private resolveWaiters(id: string, conditions: WaitCondition[], r: WaitResult): void {
    const set = this.waiters.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!conditions.includes(w.condition)) continue;
      set.delete(w);
      w.resolve(r);
    }
    if (set.size === 0) this.waiters.delete(id);
  }

  // ---------------------------------------------------------------- rename, remove, prune

  async rename(idOrName: string, newName: string): Promise<void> {
    if (!newName) throw new InvalidParameterError('Neither old nor new names may be empty');
    const c = this.store.find(idOrName);
    const name = validateContainerName(newName);
    if (name === c.name) throw new InvalidParameterError('Renaming a container with the same name as its current name');
    this.checkNameFree(name);
    // Held from the check until the record is indexed under it: a create of the same name that comes
    // while the record is written must see it taken (as it sees a create's own reservation).
    this.store.reserveName(name, c.id);
    const oldName = c.name;
    c.name = name;
    try {
      await this.store.save(c);
    } catch (e) {
      c.name = oldName;
      throw e;
    } finally {
      this.store.releaseName(name);
    }
    this.publish(c, 'rename', { oldName: `/${oldName}` });
  }

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const c = this.store.find(idOrName);
    const pending = this.removals.get(c.id);
    if (pending) {
      if (!opts.force) throw new ConflictError(`removal of container ${c.name} is already in progress`);
      // Many `rm -f` of one container at once: one removes it, the others wait for that and then
      // find it gone, as a sequential order would have it (Docker: "No such container").
      await pending.catch(() => {});
      this.store.find(idOrName);
      return;
    }
    const removal = this.removeOnce(c, opts);
    this.removals.set(c.id, removal);
    try {
      await removal;
    } finally {
      if (this.removals.get(c.id) === removal) this.removals.delete(c.id);
    }
  }

  private async removeOnce(c: ContainerRecord, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    if (this.removing.has(c.id)) throw new ConflictError(`removal of container ${c.name} is already in progress`);
    if (c.state.status === 'restarting') {
      if (!opts.force) throw new ConflictError(`You cannot remove a restarting container ${c.id}. Stop the container before attempting removal or force remove`);
      this.restarts.forget(c.id);
    }
    if (this.isRunning(c)) {
      if (!opts.force) {
        throw new ConflictError(
          `You cannot remove a ${c.state.status} container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      const exited = this.exitOf(c.id);
      await this.runtime.kill(c.id, SIGKILL).catch(() => {});
      if (c.state.status === 'paused') await this.runtime.resume(c.id).catch(() => {});
      const ok = await Promise.race([exited.then(() => true), sleep(KILL_WAIT_MS).then(() => false)]);
      if (!ok) this.log.warn(`container ${c.id} did not report its exit after SIGKILL; removing anyway`);
    }
    // An AutoRemove started, or already finished, while we waited.
    if (this.removing.has(c.id) || this.store.tryFind(c.id)?.id !== c.id) return;
    this.removing.add(c.id);
    try {
      await this.withLock(c.id, () => this.finishRemoval(c, !!opts.volumes));
    } finally {
      this.removing.delete(c.id);
    }
  }

  /**
   * Removes a container that no longer runs. The record goes first (one unlink), so the container is
   * gone for every client at once; a crash after that leaves a directory without a record, which the
   * next start-up cleans as an orphan. The rest (runtime state, unmount, cgroup, files) follows,
   * awaited unless `background` (the --rm path, whose client only waits for the record to go).
   */
  private async finishRemoval(c: ContainerRecord, removeVolumes: boolean, o: { ranInRuntime?: boolean; background?: boolean } = {}): Promise<void> {
    const anonymous = removeVolumes ? c.mounts.filter((m) => m.type === 'volume' && m.anonymous && m.name) : [];
    if (anonymous.length && !c.removalInProgress) {
      // Volumes outlive a crash only through the record that names them: mark it before it goes.
      c.removalInProgress = true;
      await this.store.save(c);
    }
    this.runs.get(c.id)?.watch.abort();
    this.runs.delete(c.id);
    this.failPendingAttaches(c.id);
    this.exec.containerRemoved(c.id);
    // An exited or never-started container was already deleted from the runtime (at its exit or
    // when its start failed); a run whose exit was not cleaned up still has runtime state.
    const stagedAhead = this.takePrepared(c.id) !== undefined;
    const runtimeDelete = !!o.ranInRuntime || stagedAhead || (c.state.status !== 'exited' && c.state.status !== 'created');
    this.rootfsRefs.delete(c.id);
    await this.store.forget(c.id);
    for (const m of anonymous) {
      await this.volumes.remove(m.name!).catch((e) => this.log.debug(`keeping volume ${m.name}: ${(e as Error).message}`));
    }
    this.publish(c, 'destroy');
    this.resolveWaiters(c.id, ['not-running', 'next-exit', 'removed'], { statusCode: c.state.exitCode, error: null });
    if (!o.background) {
      await this.track(this.cleanUpRemoved(c, runtimeDelete));
      return;
    }
    // After this turn of the event loop, so the answers just resolved are written out first.
    void this.track(new Promise<void>((r) => setImmediate(r)).then(() => this.cleanUpRemoved(c, runtimeDelete)));
  }

  /** What a removed container leaves on the host: runtime state, network, rootfs mount, cgroup, files. */
  private async cleanUpRemoved(c: ContainerRecord, runtimeDelete: boolean): Promise<void> {
    const p = this.store.paths(c.id);
    await Promise.all([
      (runtimeDelete ? this.runtime.delete(c.id, true).catch((e) => this.log.warn(`runc delete ${c.id}`, e)) : Promise.resolve()).then(() =>
        this.host.removeCgroup(this.cgroupsPath(c.id)).catch(() => {}),
      ),
      this.networking.release(c).catch((e) => this.log.warn(`network release ${c.id}`, e)),
      (async () => {
        if (await this.host.isMounted(p.mergedDir).catch(() => false)) await this.host.unmountOverlay(p.mergedDir);
        await fs.rm(p.overlayDir, { recursive: true, force: true });
      })().catch((e) => this.log.warn(`removing the rootfs of ${c.id}`, e)),
    ]);
    await this.runtime.forget?.(c.id).catch(() => {});
    await this.store.removeFiles(c.id).catch((e) => this.log.warn(`removing the files of ${c.id}`, e));
  }

  /** Keeps a background job in view so that shutdown can let it finish. */
  private track(job: Promise<void>): Promise<void> {
    const t = job.catch((e) => this.log.warn('background job', e));
    this.background.add(t);
    void t.finally(() => this.background.delete(t));
    return t;
  }

  async prune(filters: Record<string, string[]> = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    for (const k of Object.keys(filters)) if (!['until', 'label', 'label!'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const untilMs = filters['until']?.[0] ? parseUntil(filters['until'][0]) : null;
    const deleted: string[] = [];
    let space = 0;
    for (const c of this.store.all()) {
      if (this.isRunning(c) || this.removing.has(c.id)) continue;
      if (untilMs !== null && Date.parse(c.created) >= untilMs) continue;
      if (!matchesListFilters(c, { label: filters['label'] ?? [], 'label!': filters['label!'] ?? [] }, null, false)) continue;
      const size = await diskUsage(this.store.paths(c.id).upperDir);
      try {
        await this.remove(c.id, {});
        deleted.push(c.id);
        space += size;
      } catch (e) {
        this.log.warn(`prune: ${c.id}`, e);
      }
    }
    this.events.publish({ type: 'container', action: 'prune', id: '', attributes: { reclaimed: String(space) } });
    return { deleted, spaceReclaimed: space };
  }

  // ---------------------------------------------------------------- inspection of the filesystem and processes

  async top(idOrName: string, psArgs = '-ef'): Promise<{ titles: string[]; processes: string[][] }> {
    const c = this.findRunning(idOrName);
    const pids = await this.runtime.pids(c.id);
    const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : [];
    let out: string;
    try {
      out = await this.host.ps(args);
    } catch (e) {
      throw new SystemError(`Error running ps: ${(e as Error).message}`);
    }
    return parsePsOutput(out, pids);
  }

  async changes(idOrName: string): Promise<Change[]> {
    const c = this.store.find(idOrName);
    const p = this.store.paths(c.id);
    return listChanges(p.upperDir, [...c.layerDirs].reverse());
  }

  /** The overlay upper directory (the container's diff), for commit and the builder. */
  diffDir(idOrName: string): { upper: string; layerDirs: string[] } {
    const c = this.store.find(idOrName);
    return { upper: this.store.paths(c.id).upperDir, layerDirs: [...c.layerDirs] };
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const c = this.findRunning(idOrName);
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) throw new InvalidParameterError('invalid tty size');
    await this.runtime.resize(this.store.paths(c.id).bundleDir, height, width);
  }

  // ---------------------------------------------------------------- stats

  /** One sample of the container's resource usage (zeros for a stopped container, as Docker). */
  async stats(idOrName: string): Promise<{ record: ContainerRecord; sample: CgroupStats | null; systemCpuNs: number; onlineCpus: number; read: Date; networks: Record<string, NetCounters> | null }> {
    const c = this.store.find(idOrName);
    const read = new Date();
    const running = this.isRunning(c);
    const [sample, sys, networks] = await Promise.all([
      running ? this.host.cgroupStats(this.cgroupsPath(c.id)) : null,
      this.host.systemCpu(),
      // Its own namespace's interfaces: not for --network host (the host's) or none (no endpoint).
      running && c.network?.endpoints.length && this.host.netStats ? this.host.netStats(c.state.pid) : null,
    ]);
    return { record: structuredClone(c), sample, systemCpuNs: sys.totalNs, onlineCpus: sys.onlineCpus, read, networks };
  }

  // ---------------------------------------------------------------- export and docker cp

  /**
   * A running container is seen through /proc/PID/root (its own mount namespace shows volumes and
   * binds); a stopped one gets its rootfs mounted for the duration, with its mounts mapped by path.
   */
  private async rootView(c: ContainerRecord): Promise<{ view: RootView; release(): Promise<void> }> {
    if (this.isRunning(c) && c.state.pid > 0) {
      return { view: { root: `/proc/${c.state.pid}/root`, mounts: [] }, release: async () => {} };
    }
    const root = await this.withLock(c.id, () => this.acquireRootfs(c));
    let released = false;
    return {
      view: { root, mounts: c.mounts.filter((m) => m.type !== 'tmpfs').map((m) => ({ destination: m.destination, source: m.source })) },
      release: async () => {
        if (released) return;
        released = true;
        await this.withLock(c.id, () => this.releaseRootfs(c.id)).catch((e) => this.log.warn(`unmount ${c.id}`, e));
      },
    };
  }

  /** `docker export`: a tar of the whole rootfs (without volumes), as Docker streams it. */
  async export(idOrName: string): Promise<Readable> {
    const c = this.store.find(idOrName);
    const root = await this.withLock(c.id, () => this.acquireRootfs(c));
    const stream = packTree(root, '');
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void this.withLock(c.id, () => this.releaseRootfs(c.id)).catch((e) => this.log.warn(`unmount ${c.id}`, e));
    };
    stream.once('end', release);
    stream.once('close', release);
    stream.once('error', release);
    this.publish(c, 'export');
    return stream;
  }

  async archiveStat(idOrName: string, ctrPath: string): Promise<PathStat> {
    const c = this.store.find(idOrName);
    if (!ctrPath) throw new InvalidParameterError('path must not be empty');
    const { view, release } = await this.rootView(c);
    try {
      return (await statPath(view, ctrPath, idOrName)).stat;
    } finally {
      await release();
    }
  }

  async getArchive(idOrName: string, ctrPath: string): Promise<{ stat: PathStat; stream: Readable }> {
    const c = this.store.find(idOrName);
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
      this.publish(c, 'archive-path');
      return { stat, stream };
    } catch (e) {
      await release();
      throw e;
    }
  }

  async putArchive(idOrName: string, ctrPath: string, input: Readable, o: { noOverwriteDirNonDir: boolean; copyUidGid: boolean }): Promise<void> {
    const c = this.store.find(idOrName);
    if (!ctrPath) throw new InvalidParameterError('path must not be empty');
    if (c.hostConfig.ReadonlyRootfs) throw new InvalidParameterError('container rootfs is marked read-only');
    // A run staged ahead has bind-mounted the /etc files already; a copy that replaces one must not go unseen.
    await this.discardStaged(c.id);
    const { view, release } = await this.rootView(c);
    try {
      await extractInto(view, ctrPath, input, o, idOrName);
      this.publish(c, 'extract-to-dir');
    } finally {
      await release();
    }
  }

  // ---------------------------------------------------------------- logs and attach

  /** The container's log records; follow ends when the container exits. */
  logs(idOrName: string, o: LogsOptions): { tty: boolean; records: AsyncGenerator<LogRecord> } {
    const c = this.store.find(idOrName);
    if (!driverKeepsLog(c.hostConfig.LogConfig?.Type)) throw new NotImplementedError('configured logging driver does not support reading');
    const running = this.isRunning(c);
    const stopped = running ? this.exitOf(c.id) : Promise.resolve(null);
    return {
      tty: !!c.config.Tty,
      records: readLogs({
        logPath: this.store.paths(c.id).logFile,
        stdout: o.stdout,
        stderr: o.stderr,
        tail: o.tail,
        sinceNs: o.sinceNs ?? null,
        untilNs: o.untilNs ?? null,
        follow: o.follow && running,
        stopped,
        ...(o.signal ? { signal: o.signal } : {}),
      }),
    };
  }

  /**
   * Attaches a client. To a running container: at once. To a created or stopped one: when it next
   * starts, connected between runtime create and start so no output is missed (`docker run` and
   * `docker start -a` attach first). `done` settles once the container's output has ended.
   */
  async attach(idOrName: string, o: AttachOptions): Promise<{ tty: boolean; done: Promise<void>; close(): void }> {
    const c = this.store.find(idOrName);
    const tty = !!c.config.Tty;
    if (o.logs && driverKeepsLog(c.hostConfig.LogConfig?.Type)) {
      for await (const r of readLogs({ logPath: this.store.paths(c.id).logFile, stdout: o.stdout, stderr: o.stderr, tail: null, follow: false })) {
        o.onOutput(r.stream, r.data);
      }
    }
    if (!o.stream) return { tty, done: Promise.resolve(), close() {} };
    const streams: AttachStreams = {
      ...(o.stdin && c.config.OpenStdin ? { stdin: o.stdin } : {}),
      onOutput: (stream, data) => {
        if (stream === 'stdout' ? o.stdout : o.stderr) o.onOutput(stream, data);
      },
    };
    this.publish(c, 'attach');
    // When the output ends because the container exited, the stream closes only once the exit is
    // recorded (bounded), so a client that inspects right after the stream sees the exit code.
    let clientClosed = false;
    const afterOutput = async () => {
      if (clientClosed) return;
      await Promise.race([this.exitOf(c.id), sleep(2000)]);
    };
    if (this.isRunning(c)) {
      const h = await this.runtime.attach(c.id, this.store.paths(c.id).bundleDir, streams);
      const closeIt = () => {
        clientClosed = true;
        h.close();
      };
      o.signal?.addEventListener('abort', closeIt, { once: true });
      return { tty, done: h.done.then(afterOutput), close: closeIt };
    }
    const pending: PendingAttach = { streams, connected: deferred() };
    let set = this.pendingAttaches.get(c.id);
    if (!set) this.pendingAttaches.set(c.id, (set = new Set()));
    set.add(pending);
    let handle: AttachHandle | null = null;
    let closed = false;
    const close = () => {
      closed = true;
      clientClosed = true;
      set!.delete(pending);
      pending.connected.resolve(null);
      handle?.close();
    };
    o.signal?.addEventListener('abort', close, { once: true });
    const done = pending.connected.promise.then(async (h) => {
      handle = h;
      if (!h) return;
      if (closed) h.close();
      await h.done;
      await afterOutput();
    });
    return { tty, done, close };
  }

  private async connectPendingAttaches(c: ContainerRecord): Promise<void> {
    const set = this.pendingAttaches.get(c.id);
    if (!set?.size) return;
    this.pendingAttaches.delete(c.id);
    for (const pa of set) {
      try {
        pa.connected.resolve(await this.runtime.attach(c.id, this.store.paths(c.id).bundleDir, pa.streams));
      } catch (e) {
        this.log.warn(`attaching a client to ${c.id} failed`, e);
        pa.connected.resolve(null);
      }
    }
  }

  private failPendingAttaches(id: string): void {
    const set = this.pendingAttaches.get(id);
    if (!set) return;
    this.pendingAttaches.delete(id);
    for (const pa of set) pa.connected.resolve(null);
  }

  // ---------------------------------------------------------------- exec

  /** A hint that a start (or exec) may follow soon: the host may pay slow kernel set-up in advance. */
  expectStart(): void {
    this.host.prepareStart?.();
  }

  createExec(...args: Parameters<ExecManager['create']>): ReturnType<ExecManager['create']> {
    // `runc exec` moves the new process into the container's cgroups: the same warm-up as a start.
    this.host.prepareStart?.();
    return this.exec.create(...args);
  }
  startExec(...args: Parameters<ExecManager['start']>): ReturnType<ExecManager['start']> {
    return this.exec.start(...args);
  }
  resizeExec(...args: Parameters<ExecManager['resize']>): ReturnType<ExecManager['resize']> {
    return this.exec.resize(...args);
  }
  inspectExec(...args: Parameters<ExecManager['inspect']>): ReturnType<ExecManager['inspect']> {
    return this.exec.inspect(...args);
  }

  // ---------------------------------------------------------------- helpers

  private publish(c: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    // Docker puts the container's labels, its image and its name in every container event.
    this.events.publish({ type: 'container', action, id: c.id, attributes: { ...(c.config.Labels ?? {}), image: c.imageRef, name: c.name, ...extra } });
  }

  /** Serialises lifecycle steps per container (start/exit handling/remove) without a global lock. */
  private async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}


/** A uniform random number in [0, 1) from the crypto generator, for the name generator. */
function randomUnit(): number {
  return randomBytes(4).readUInt32BE(0) / 2 ** 32;
}

/** A run staged up to the runtime's create (see stageRun). */
interface StagedRun {
  pid: number;
  conmonPid: number;
  net: NetworkAttachment;
}

/** How long a run staged at create waits for its start, and how many may wait at once. */
const START_AHEAD_MS = 2000;
const MAX_STAGED_AHEAD = 4;

/** How long an exit's handling waits for conmon to drain the last output into the log. */
const MONITOR_DRAIN_MS = 2000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const rel = /^(\d+)(s|m|h)$/.exec(v);
  if (rel) return Date.now() - Number(rel[1]) * { s: 1e3, m: 60e3, h: 3600e3 }[rel[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidParameterError(`failed to parse value ${v} as a timestamp`);
  return t;
}

/**
 * Options berth does not implement yet are refused with a clear 400 rather than silently ignored
 * (a container that should share the host's PID namespace must not quietly get its own).
 */
export function validateUnsupported(hc: HostConfig, defaultRuntime: string): void {
  const refuse = (what: string, why = 'not supported yet') => {
    throw new InvalidParameterError(`${what} is ${why}`);
  };
  // Docker's own checks of the modes (runconfig): host, container:NAME, and for IPC the private kinds.
  const joinable = (m: string) => m === 'host' || (m.startsWith('container:') && m.length > 'container:'.length);
  if (hc.PidMode && hc.PidMode !== 'private' && !joinable(hc.PidMode)) throw new InvalidParameterError(`invalid --pid: ${hc.PidMode}`);
  if (hc.IpcMode && !['private', 'shareable', 'none'].includes(hc.IpcMode) && !joinable(hc.IpcMode)) throw new InvalidParameterError(`invalid IPC mode: ${hc.IpcMode}`);
  if (hc.UTSMode && hc.UTSMode !== 'host') throw new InvalidParameterError(`invalid UTS mode: ${hc.UTSMode}`);
  if (hc.Runtime && hc.Runtime !== defaultRuntime && hc.Runtime !== 'runc') throw new InvalidParameterError(`Unknown runtime specified ${hc.Runtime}`);
  const devices = (hc as { Devices?: unknown[] | null }).Devices;
  if (Array.isArray(devices) && devices.length) refuse('--device');
  // Unknown capability names fail the create, with Docker's words, rather than the start.
  for (const [field, list] of [['CapAdd', hc.CapAdd], ['CapDrop', hc.CapDrop]] as const) {
    for (const c of list ?? []) {
      const n = normalizeCapability(c);
      if (n !== 'ALL' && !ALL_CAPABILITIES.includes(n)) throw new InvalidParameterError(`invalid ${field}: unknown capability: "${n}"`);
    }
  }
}

/** Docker's create-time checks of resource limits. */
export function validateResources(hc: HostConfig, ncpu: number): void {
  // Docker: any non-zero limit under 6 MB, negative ones included, is refused with these words.
  if (hc.Memory && hc.Memory < 6 * 1024 * 1024) throw new InvalidParameterError('Minimum memory limit allowed is 6MB');
  if (hc.MemoryReservation && hc.MemoryReservation < 0) throw new InvalidParameterError('Invalid value: memory reservation cannot be negative');
  if (hc.CpuShares && hc.CpuShares < 0) throw new InvalidParameterError('Invalid value: CPU shares cannot be negative');
  if (hc.ShmSize && hc.ShmSize < 0) throw new InvalidParameterError('SHM size can not be less than 0');
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
    throw new InvalidParameterError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hc.NanoCpus) {
    if (hc.CpuQuota || hc.CpuPeriod) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if (hc.NanoCpus < 0 || hc.NanoCpus > ncpu * 1e9) {
      throw new InvalidParameterError(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
  }
  for (const u of hc.Ulimits ?? []) {
    if (u.Soft > u.Hard) throw new InvalidParameterError(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  }
}

/**
 * Docker's translation of a failed start (daemon/start.go): a missing command gives exit code 127, a
 * command that cannot be run 126, both as 400 errors whose text the docker CLI reads to choose its
 * own exit code; anything else is a 500 with exit code 128.
 */
export function translateStartError(e: unknown, cmd: string): { error: Error; message: string; exitCode?: number } {
  if (isBerthError(e) && e.kind !== 'system') return { error: e, message: e.message };
  const raw = (e as Error)?.message ?? String(e);
  let msg = raw;
  const lower = raw.toLowerCase();
  const fromRuntime = /runc|oci runtime|conmon|exec:|container process/i.test(raw);
  if (fromRuntime && !/oci runtime (create|start) failed/i.test(raw)) msg = `failed to create task for container: OCI runtime create failed: ${raw.replace(/\s+$/, '')}: unknown`;
  if (lower.includes(cmd.toLowerCase()) && (lower.includes('executable file not found') || lower.includes('no such file or directory'))) {
    return { error: new InvalidParameterError(msg), message: msg, exitCode: 127 };
  }
  if (lower.includes('permission denied')) return { error: new InvalidParameterError(msg), message: msg, exitCode: 126 };
  if (lower.includes('not a directory')) {
    const m = `${msg}: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`;
    return { error: new InvalidParameterError(m), message: m };
  }
  return { error: isBerthError(e) ? e : new SystemError(msg, { cause: e }), message: msg };
}
