// The container service: Docker's container lifecycle over an OCI runtime (conmon + runc). It owns the
// store of container records and wires the parts of the lifecycle, each in its own file beside this
// one: create (container-create.ts), a run's staging (run-staging.ts, run-spec.ts, start-ahead.ts),
// exits (exit-handling.ts), restart policy (restart-wiring.ts), health (health-probe.ts), removal
// (container-removal.ts), start-up reconciliation (reconcile.ts), attach, logs, files, stats.
// Routes translate the wire to the calls here; nothing here sees HTTP.
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { DaemonConfig } from '../../daemon/config.js';
import type { Logger } from '../../daemon/logger.js';
import type { EventBus } from '../events.js';
import type { EndpointSettings } from '../../api/types/containers.js';
import type { Digest, ImageProvider, ImageUsage } from '../images/image-service-contract.js';
import { ConflictError, InvalidParameterError, NotModifiedError } from '../../errors.js';
import type { ContainerRuntime, ExitInfo } from './runtime-contract.js';
import { ZERO_TIME, type ContainerRecord } from './container-model.js';
import { ContainerStore } from './container-store.js';
import { validateContainerName } from './create-config.js';
import type { ResolvedUser } from './user-resolve.js';
import { UserLookup } from './user-lookup.js';
import { DefaultNetworking } from './network-modes.js';
import { restartsAtDaemonStart } from './restart-policy.js';
import { RestartSupervisor } from './restart-supervisor.js';
import { type UpdateBody } from './container-update.js';
import { HealthMonitor, type HealthState } from './health-check.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import type { LogRecord } from './k8s-log.js';
import { LogRotator } from './log-rotator.js';
import { listChanges, type Change } from './changes.js';
import { ExecManager } from './exec-manager.js';
import type { PathStat } from './rootfs-archive.js';
import type { VolumeAccess } from './volume-access.js';
import { createHostOps } from './host-ops.js';
import { connectNetworkLocked, disconnectNetworkLocked } from './network-attach.js';
import { healthUpdated, runHealthProbe, watchHealth } from './health-probe.js';
import { reconcileContainer } from './reconcile.js';
import { AttachBroker, type AttachOptions } from './attach-broker.js';
import { ExitWaiters, type WaitCondition, type WaitResult } from './exit-waiters.js';
import { KeyedLock } from './keyed-lock.js';
import { ContainerFiles } from './container-files.js';
import { removeOrphan } from './container-cleanup.js';
import { containerTop, statsSample, type ContainerStatsSample } from './container-stats.js';
import { START_AHEAD_MS, StartAhead, type StagedRun } from './start-ahead.js';
import { RuntimeAhead } from './runtime-ahead.js';
import { RootfsMounts } from './rootfs-mounts.js';
import { ContainerCreator, type CreateContainerInput } from './container-create.js';
import { ExitHandling } from './exit-handling.js';
import { stageRun } from './run-staging.js';
import { containerView, listContainers, type ContainerView, type ListDeps, type ListOptions } from './container-list.js';
import { ContainerRemoval } from './container-removal.js';
import { translateStartError } from './container-checks.js';
import { killRunning, stopRunning, type SignalDeps } from './container-signals.js';
import { applyUpdate } from './update-apply.js';
import { afterExit, policyRestart, type RestartWiringDeps } from './restart-wiring.js';
import { containerLogs, type LogsOptions } from './container-logs.js';

export { translateStartError, validateResources, validateUnsupported } from './container-checks.js';

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

export type { CreateContainerInput } from './container-create.js';

export type { ContainerView, ListOptions } from './container-list.js';

export type { WaitCondition, WaitResult } from './exit-waiters.js';

export type { AttachOptions } from './attach-broker.js';

export type { LogsOptions } from './container-logs.js';

/** Exit code Docker records when a start fails for a reason other than a missing or unrunnable command. */
const EXIT_UNKNOWN = 128;

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
  private readonly attaches: AttachBroker;
  private readonly files: ContainerFiles;
  private readonly creator: ContainerCreator;
  private readonly rotator: LogRotator;

  private readonly locks = new KeyedLock();
  private readonly users = new UserLookup();
  /** Watchers of the runs' exits (exit-handling.ts). */
  private readonly exits: ExitHandling;
  private readonly waiters = new ExitWaiters();
  /** Users of each mounted rootfs (rootfs-mounts.ts). */
  private readonly rootfs: RootfsMounts;
  private readonly removing = new Set<string>();
  /** Containers being created, by ID, with the image they take (counted as users of it). */
  private readonly imagesInUse = new Map<string, Digest>();
  /** docker rm (container-removal.ts). */
  private readonly removal: ContainerRemoval;
  /** A runtime started ahead of the next create (runtime-ahead.ts). */
  private readonly runtimeAhead: RuntimeAhead;
  /** Runs staged ahead of their start (see stageAhead). */
  private readonly ahead: StartAhead;
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
    this.store = new ContainerStore(path.join(opts.config.dataRoot, 'containers'), path.join(opts.config.dataRoot, 'overlay'));
    this.rootfs = new RootfsMounts({ store: this.store, host: this.host });
    this.exec = new ExecManager({
      runtime: this.runtime,
      events: this.events,
      log: this.log,
      findRunning: (id) => this.findRunning(id),
      find: (id) => this.store.find(id),
      resolveUser: (c, spec) => this.resolveUserFor(c, spec),
      execRoot: (c) => this.store.paths(c.id).execDir,
    });
    this.attaches = new AttachBroker({
      runtime: this.runtime,
      store: this.store,
      log: this.log,
      publish: (c, action) => this.publish(c, action),
      isRunning: (c) => this.isRunning(c),
      exitOf: (id) => this.exitOf(id),
    });
    this.exits = new ExitHandling({
      ...this.core(),
      rotator: { boundExited: (...a) => this.rotator.boundExited(...a) },
      health: this.health,
      exec: this.exec,
      waiters: this.waiters,
      removing: this.removing,
      withLock: (id, fn) => this.withLock(id, fn),
      finishRemoval: (c, v, o) => this.finishRemoval(c, v, o),
      releaseRootfs: (id) => this.releaseRootfs(id),
      afterExit: (c, ms) => this.afterExit(c, ms),
      publish: (c, action, extra) => this.publish(c, action, extra),
    });
    this.removal = new ContainerRemoval({
      ...this.core(),
      volumes: this.volumes,
      restarts: this.restarts,
      exits: this.exits,
      attaches: this.attaches,
      exec: this.exec,
      rootfs: this.rootfs,
      waiters: this.waiters,
      removing: this.removing,
      isRunning: (c) => this.isRunning(c),
      exitOf: (id) => this.exitOf(id),
      withLock: (id, fn) => this.withLock(id, fn),
      takePrepared: (id) => this.takePrepared(id),
      publish: (c, action) => this.publish(c, action),
      track: (job) => this.track(job),
    });
    this.creator = new ContainerCreator({
      config: this.config,
      store: this.store,
      images: this.images,
      volumes: this.volumes,
      host: this.host,
      networking: this.networking,
      imagesInUse: this.imagesInUse,
      stageAhead: (c, etcWritten, saved) => this.stageAhead(c, etcWritten, saved),
      publish: (c, action) => this.publish(c, action),
      withLock: (id, fn) => this.withLock(id, fn),
      takeAhead: (shape) => this.runtimeAhead.take(shape),
      prepareAhead: (shape) => this.runtimeAhead.prepareAfter(shape),
      dropAhead: (id) => this.runtimeAhead.dropTaken(id),
    });
    this.runtimeAhead = new RuntimeAhead({
      runtime: this.runtime,
      paths: (id) => this.store.paths(id),
      enabled: () => !!this.config.startAhead,
      log: this.log,
      track: (job) => this.track(job),
    });
    this.ahead = new StartAhead({
      enabled: () => !!this.config.startAhead,
      startAheadMs: opts.startAheadMs ?? START_AHEAD_MS,
      store: this.store,
      runtime: this.runtime,
      log: this.log,
      removing: this.removing,
      withLock: (id, fn) => this.withLock(id, fn),
      stageRun: (c, gate) => this.stageRun(c, gate),
      unstage: (c) => this.unstage(c),
      track: (job) => this.track(job),
    });
    this.files = new ContainerFiles({
      log: this.log,
      withLock: (id, fn) => this.withLock(id, fn),
      acquireRootfs: (c) => this.acquireRootfs(c),
      releaseRootfs: (id) => this.releaseRootfs(id),
      discardStaged: (id) => this.discardStaged(id),
      publish: (c, action) => this.publish(c, action),
      isRunning: (c) => this.isRunning(c),
    });
    this.rotator = new LogRotator({
      log: this.log,
      targets: () =>
        this.store
          .all()
          // A container whose exit is being handled gets its last bounding from recordExit instead.
          .filter((c) => (c.state.status === 'running' || c.state.status === 'paused') && !this.exits.isExiting(c.id))
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
      await removeOrphan(this.core(), id);
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
    watchHealth(this.health, c, fresh);
  }

  private healthUpdated(id: string, h: HealthState, changed: boolean): void {
    healthUpdated({ store: this.store, log: this.log, publish: (c, action) => this.publish(c, action) }, id, h, changed);
  }

  /** One probe: an exec of the check's command (health-probe.ts). */
  private runProbe(id: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string } | null> {
    return runHealthProbe({ store: this.store, exec: this.exec }, id, cmd, timeoutMs);
  }

  private policyRestart(id: string): Promise<void> {
    return policyRestart(this.restartDeps(), id);
  }

  private afterExit(c: ContainerRecord, ranForMs: number): void {
    afterExit(this.restartDeps(), c, ranForMs);
  }

  private restartDeps(): RestartWiringDeps {
    return { store: this.store, log: this.log, restarts: this.restarts, removing: this.removing, withLock: (id, fn) => this.withLock(id, fn), startLocked: (c) => this.startLocked(c) };
  }

  /** One container at start-up, matched with what the runtime says survived (reconcile.ts). */
  private reconcile(c: ContainerRecord): Promise<void> {
    return reconcileContainer(
      {
        store: this.store,
        runtime: this.runtime,
        host: this.host,
        log: this.log,
        rootfs: this.rootfs,
        finishRemoval: (x, v) => this.finishRemoval(x, v),
        armWatcher: (id) => this.armWatcher(id),
        watchHealth: (x, fresh) => this.watchHealth(x, fresh),
        recordExit: (x, info, error) => this.recordExit(x, info, error),
        remove: (id, o) => this.remove(id, o),
      },
      c,
    );
  }

  /** Stops watchers and timers; containers keep running under conmon. */
  async shutdown(): Promise<void> {
    this.rotator.stop();
    // Pending policy restarts are left as "restarting" in their records: the next start takes them.
    this.restarts.close();
    this.health.close();
    this.exits.dropAll();
    // Background jobs are short; one cut off here is finished as an orphan at the next start-up.
    await Promise.race([this.settled(), sleep(10_000)]);
    // Runs staged ahead would wait for a start that cannot come: take them back; so would a runtime
    // started ahead of a create.
    await Promise.all(this.ahead.ids().map((id) => this.discardStaged(id).catch(() => {})));
    await this.runtimeAhead.close();
    await this.runtime.dropAhead?.().catch(() => null);
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
      await connectNetworkLocked({ store: this.store, networking: this.networking, events: this.events }, id, network, cfg);
    });
  }

  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const id = this.store.find(idOrName).id;
    await this.withLock(id, async () => {
      await disconnectNetworkLocked({ store: this.store, networking: this.networking, events: this.events }, id, network);
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

  private view(c: ContainerRecord, size: boolean): Promise<ContainerView> {
    return containerView(this.listDeps(), c, size);
  }

  async list(opts: ListOptions = {}): Promise<ContainerView[]> {
    return listContainers(this.listDeps(), opts);
  }

  private listDeps(): ListDeps {
    return { store: this.store, images: this.images, execIds: (id) => this.exec.idsFor(id), removing: this.removing };
  }

  // ---------------------------------------------------------------- create (container-create.ts)

  async create(input: CreateContainerInput): Promise<{ id: string; warnings: string[] }> {
    return this.creator.create(input);
  }

  private checkNameFree(name: string): void {
    this.creator.checkNameFree(name);
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
      this.users.forget(id);
      c.manuallyStopped = false;
      c.restartCount = 0;
      await this.startLocked(c);
    });
  }

  private async startLocked(c: ContainerRecord): Promise<void> {
    let staged = this.takePrepared(c.id);
    try {
      staged ??= await this.stageRun(c);
      const p = this.store.paths(c.id);
      // `docker run` attaches before it starts: connect those clients now, before the process runs,
      // so they see its first bytes.
      await this.attaches.connectPending(c);
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
      this.attaches.failPending(c.id);
      if (c.hostConfig.AutoRemove) {
        // Docker removes an --rm container whose start failed, after the lock is released.
        setImmediate(() => void this.remove(c.id, { force: true, volumes: true }).catch(() => {}));
      }
      throw err.error;
    }
  }

  /** Everything of a start up to the moment the process would run (run-staging.ts). */
  private stageRun(c: ContainerRecord, gate?: Promise<void>): Promise<StagedRun> {
    return stageRun(
      {
        ...this.core(),
        acquireRootfs: (x) => this.acquireRootfs(x),
        releaseRootfs: (id) => this.releaseRootfs(id),
        resolveUserFor: (x, spec) => this.resolveUserFor(x, spec),
      },
      c,
      gate,
    );
  }

  /** Takes back a staged run that will not start: runtime container, network, rootfs mount. */
  private async unstage(c: ContainerRecord): Promise<void> {
    await this.runtime.delete(c.id, true).catch(() => {});
    await this.networking.release(c).catch(() => {});
    await this.releaseRootfs(c.id).catch((err) => this.log.warn(`unmount after failed start of ${c.id}`, err));
  }

  // ---------------------------------------------------------------- staging ahead of start (start-ahead.ts)

  private stageAhead(c: ContainerRecord, etcWritten: Promise<unknown>, saved: Promise<unknown>): void {
    this.ahead.stage(c, etcWritten, saved);
  }

  private takePrepared(id: string): StagedRun | undefined {
    return this.ahead.take(id);
  }

  private discardStaged(id: string): Promise<void> {
    return this.ahead.discard(id);
  }

  async resolveUserFor(c: ContainerRecord, spec: string): Promise<ResolvedUser> {
    // Read even for root: supplementary groups and $HOME come from the files too.
    return this.users.resolve(c.id, this.store.paths(c.id).mergedDir, spec, c.hostConfig.GroupAdd ?? []);
  }

  // ---------------------------------------------------------------- rootfs mounts

  private acquireRootfs(c: ContainerRecord): Promise<string> {
    return this.rootfs.acquire(c);
  }

  private releaseRootfs(id: string): Promise<void> {
    return this.rootfs.release(id);
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

  // ---------------------------------------------------------------- exits (exit-handling.ts)

  private armWatcher(id: string): void {
    this.exits.arm(id);
  }

  private recordExit(c: ContainerRecord, info: ExitInfo, error: string): Promise<void> {
    return this.exits.record(c, info, error);
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
    return this.exits.exitOf(id);
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

  private stopRunning(c: ContainerRecord, opts: { signal?: string; timeout?: number }): Promise<void> {
    return stopRunning(this.signalDeps(), c, opts);
  }

  private signalDeps(): SignalDeps {
    return { runtime: this.runtime, log: this.log, exitOf: (id) => this.exitOf(id), publish: (c, action, extra) => this.publish(c, action, extra) };
  }

  async kill(idOrName: string, signal?: string): Promise<void> {
    const r = this.store.find(idOrName);
    if (r.state.status === 'restarting') throw new ConflictError(`Container ${r.id} is restarting, wait until the container is running`);
    await killRunning(this.signalDeps(), this.findRunning(idOrName), signal);
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
      return applyUpdate({ store: this.store, runtime: this.runtime, host: this.host, isRunning: (c) => this.isRunning(c), publish: (c, action) => this.publish(c, action) }, id, body);
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
    return this.waiters.register(c, this.isRunning(c), condition, signal);
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
    return this.removal.remove(idOrName, opts);
  }

  private finishRemoval(c: ContainerRecord, removeVolumes: boolean, o: { ranInRuntime?: boolean; background?: boolean } = {}): Promise<void> {
    this.users.forget(c.id);
    return this.removal.finish(c, removeVolumes, o);
  }

  /** Keeps a background job in view so that shutdown can let it finish. */
  private track(job: Promise<void>): Promise<void> {
    const t = job.catch((e) => this.log.warn('background job', e));
    this.background.add(t);
    void t.finally(() => this.background.delete(t));
    return t;
  }

  async prune(filters: Record<string, string[]> = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    return this.removal.prune(filters, this.events);
  }

  // ---------------------------------------------------------------- inspection of the filesystem and processes

  async top(idOrName: string, psArgs = '-ef'): Promise<{ titles: string[]; processes: string[][] }> {
    return containerTop(this.runtime, this.host, this.findRunning(idOrName), psArgs);
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
  async stats(idOrName: string): Promise<ContainerStatsSample> {
    return statsSample(this.host, this.store.find(idOrName));
  }

  // ---------------------------------------------------------------- export and docker cp (container-files.ts)

  async export(idOrName: string): Promise<Readable> {
    return this.files.export(this.store.find(idOrName));
  }

  async archiveStat(idOrName: string, ctrPath: string): Promise<PathStat> {
    return this.files.archiveStat(this.store.find(idOrName), idOrName, ctrPath);
  }

  async getArchive(idOrName: string, ctrPath: string): Promise<{ stat: PathStat; stream: Readable }> {
    return this.files.getArchive(this.store.find(idOrName), idOrName, ctrPath);
  }

  async putArchive(idOrName: string, ctrPath: string, input: Readable, o: { noOverwriteDirNonDir: boolean; copyUidGid: boolean }): Promise<void> {
    return this.files.putArchive(this.store.find(idOrName), idOrName, ctrPath, input, o);
  }

  // ---------------------------------------------------------------- logs and attach

  /** The container's log records; follow ends when the container exits. */
  logs(idOrName: string, o: LogsOptions): { tty: boolean; records: AsyncGenerator<LogRecord> } {
    const c = this.store.find(idOrName);
    return containerLogs(this.store.paths(c.id).logFile, c, this.isRunning(c) ? this.exitOf(c.id) : null, o);
  }

  /** Attaches a client (attach-broker.ts). */
  async attach(idOrName: string, o: AttachOptions): Promise<{ tty: boolean; done: Promise<void>; close(): void }> {
    return this.attaches.attach(this.store.find(idOrName), o);
  }

  // ---------------------------------------------------------------- exec

  createExec(...args: Parameters<ExecManager['create']>): ReturnType<ExecManager['create']> {
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

  /** The stores and adapters most parts of the lifecycle take. */
  private core(): { store: ContainerStore; runtime: ContainerRuntime; host: ContainerHostOps; networking: ContainerNetworking; log: Logger } {
    return { store: this.store, runtime: this.runtime, host: this.host, networking: this.networking, log: this.log };
  }

  private publish(c: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    // Docker puts the container's labels, its image and its name in every container event.
    this.events.publish({ type: 'container', action, id: c.id, attributes: { ...(c.config.Labels ?? {}), image: c.imageRef, name: c.name, ...extra } });
  }

  /** Serialises lifecycle steps per container (start/exit handling/remove) without a global lock. */
  private withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

