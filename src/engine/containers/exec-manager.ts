// `docker exec`: exec instances kept in memory (as Docker keeps them), created against a running
// container, started once through the runtime with the container's environment, user and working
// directory as defaults, and inspectable for their exit code afterwards.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../daemon/logger.js';
import type { EventBus } from '../events.js';
import { ConflictError, InvalidParameterError, isBerthError, noSuchExec, SystemError } from '../../errors.js';
import type { AttachStreams, ContainerRuntime, ExecHandle } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ResolvedUser } from './user-resolve.js';
import { processEnv } from './create-config.js';

export interface ExecConfig {
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  privileged: boolean;
  detachKeys: string;
  consoleSize?: { height: number; width: number };
}

export interface ExecInfo {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
}

interface ExecRecord extends ExecInfo {
  handle?: ExecHandle;
  finishedAt?: number;
  /** A resize that arrived while the process was being started (the docker CLI sends one at once). */
  pendingSize?: { height: number; width: number };
}

export interface ExecStartOptions {
  detach: boolean;
  /** The start request's Tty: framing only (see start). */
  tty?: boolean;
  stdin?: Readable;
  onOutput?(stream: 'stdout' | 'stderr', data: Buffer): void;
  consoleSize?: { height: number; width: number };
  /** A healthcheck probe with its timeout (runtime-contract.ts ExecOptions.probe). */
  probeTimeoutMs?: number;
}

/** Finished exec instances are forgotten after this long, as Docker garbage-collects them. */
const KEEP_FINISHED_MS = 5 * 60 * 1000;

/** How often finished exec instances are looked for (not on every create: see gc). */
const GC_EVERY_MS = 10_000;

export class ExecManager {
  private readonly execs = new Map<string, ExecRecord>();
  /**
   * The unfinished execs of each container, for its ExecIDs. Healthchecks make an exec a second per
   * container, kept 5 minutes once finished (15 000 records for 50 probed containers): inspect and ps
   * must not walk all of them for every container, nor every create for the garbage collection.
   */
  private readonly open = new Map<string, Set<string>>();
  private lastGc = 0;

  constructor(
    private readonly d: {
      runtime: ContainerRuntime;
      events: EventBus;
      log: Logger;
      findRunning(idOrName: string): ContainerRecord;
      find(idOrName: string): ContainerRecord;
      resolveUser(c: ContainerRecord, spec: string): Promise<ResolvedUser>;
      execRoot(c: ContainerRecord): string;
    },
  ) {}

  create(containerIdOrName: string, cfg: ExecConfig): string {
    const c = this.d.findRunning(containerIdOrName);
    if (c.state.status === 'paused') throw new ConflictError(`Container ${c.id} is paused, unpause the container before exec`);
    if (!cfg.cmd || cfg.cmd.length === 0) throw new InvalidParameterError('No exec command specified');
    this.gc();
    const id = newExecId();
    this.execs.set(id, { id, containerId: c.id, config: cfg, running: false, exitCode: null, pid: 0, started: false });
    let set = this.open.get(c.id);
    if (!set) this.open.set(c.id, (set = new Set()));
    set.add(id);
    this.publish(c, `exec_create: ${cfg.cmd.join(' ')}`, id);
    return id;
  }

  private get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (e) return e;
    // Docker accepts unique prefixes of exec IDs too.
    const matches = [...this.execs.values()].filter((x) => id.length > 0 && x.id.startsWith(id));
    if (matches.length === 1) return matches[0]!;
    throw noSuchExec(id);
  }

  inspect(id: string): ExecInfo & { tty: boolean } {
    const e = this.get(id);
    return { id: e.id, containerId: e.containerId, config: e.config, running: e.running, exitCode: e.exitCode, pid: e.pid, started: e.started, tty: e.config.tty };
  }

  /**
   * Starts the process. Resolves once it runs; `done` settles after its output ended and its exit
   * code is recorded. A failure to start records 126 (127 for a missing command) and throws.
   */
  async start(id: string, o: ExecStartOptions): Promise<{ tty: boolean; done: Promise<number> }> {
    const e = this.get(id);
    if (e.running) throw new ConflictError(`Error: Exec command ${e.id} is already running`);
    if (e.started) throw new ConflictError(`Error: Exec command ${e.id} has already run`);
    const c = this.d.findRunning(e.containerId);
    e.started = true;
    // The process gets the terminal exec *create* asked for, whatever the start says (Docker: the
    // start's Tty only chooses the stream framing; several clients send false there by default).
    const tty = e.config.tty;
    const cfg = e.config;
    const streams: AttachStreams | undefined = o.detach
      ? undefined
      : {
          ...(cfg.attachStdin && o.stdin ? { stdin: o.stdin } : {}),
          onOutput: (stream, data) => {
            if (stream === 'stdout' ? cfg.attachStdout : cfg.attachStderr) o.onOutput?.(stream, data);
          },
        };
    let handle: ExecHandle;
    try {
      const user = await this.d.resolveUser(c, cfg.user || c.config.User || '');
      const hostname = c.config.Hostname ?? c.id.slice(0, 12);
      // Docker: the container's environment, then the exec's entries replacing same-key ones.
      const env = processEnv([...(c.config.Env ?? []), ...cfg.env], hostname, tty);
      handle = await this.d.runtime.exec({
        containerId: c.id,
        execId: e.id,
        execDir: path.join(this.d.execRoot(c), e.id.slice(0, 32)),
        args: cfg.cmd,
        env: dedupeEnv(env),
        cwd: cfg.workingDir || c.config.WorkingDir || '/',
        user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
        tty,
        openStdin: cfg.attachStdin && !!o.stdin,
        privileged: cfg.privileged,
        capAdd: c.hostConfig.CapAdd ?? [],
        capDrop: c.hostConfig.CapDrop ?? [],
        ...(o.consoleSize ?? cfg.consoleSize ? { consoleSize: (o.consoleSize ?? cfg.consoleSize)! } : {}),
        ...(streams ? { streams } : {}),
        ...(o.probeTimeoutMs !== undefined ? { probe: { timeoutMs: o.probeTimeoutMs } } : {}),
      });
    } catch (err) {
      const t = translateExecError(err, cfg.cmd[0] ?? '');
      e.exitCode = t.exitCode;
      e.running = false;
      this.finished(e);
      throw t.error;
    }
    e.handle = handle;
    e.pid = handle.pid;
    e.running = true;
    if (e.pendingSize) await handle.resize(e.pendingSize.height, e.pendingSize.width).catch(() => {});
    this.publish(c, `exec_start: ${cfg.cmd.join(' ')}`, e.id);
    const done = handle.exited.then(
      (code) => code,
      (err) => {
        this.d.log.warn(`exec ${e.id} failed`, err);
        return 126;
      },
    ).then((code) => {
      e.exitCode = code;
      e.running = false;
      this.finished(e);
      // The record stays inspectable for its exit code; the process handle (streams, buffers) goes.
      delete e.handle;
      delete e.pendingSize;
      this.d.events.publish({ type: 'container', action: 'exec_die', id: c.id, attributes: { execID: e.id, exitCode: String(code), image: c.imageRef, name: c.name } });
      return code;
    });
    return { tty, done };
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const e = this.get(id);
    if (e.started && !e.handle && e.exitCode === null) {
      // Still starting: apply the size as soon as the process runs.
      e.pendingSize = { height, width };
      return;
    }
    if (!e.running || !e.handle) throw new ConflictError(`Exec ${e.id} is not running`);
    await e.handle.resize(height, width);
  }

  /**
   * The container's ExecIDs: the execs not yet finished. Docker drops an exec from its container's list
   * when it exits and keeps it in the daemon's store (inspectable by ID) until its periodic clean-up.
   */
  idsFor(containerId: string): string[] {
    return [...(this.open.get(containerId) ?? [])];
  }

  /** The container is being removed: every exec of it goes. */
  containerRemoved(containerId: string): void {
    for (const [id, e] of this.execs) if (e.containerId === containerId) this.execs.delete(id);
    this.open.delete(containerId);
  }

  /** The container stopped: its finished exec instances go; running ones finish on their own. */
  containerStopped(containerId: string): void {
    const open = this.open.get(containerId);
    for (const [id, e] of this.execs) {
      if (e.containerId !== containerId || e.running) continue;
      this.execs.delete(id);
      open?.delete(id);
    }
    if (open?.size === 0) this.open.delete(containerId);
  }

  private finished(e: ExecRecord): void {
    e.finishedAt = Date.now();
    const open = this.open.get(e.containerId);
    open?.delete(e.id);
    if (open?.size === 0) this.open.delete(e.containerId);
  }

  /** Forgets finished execs older than KEEP_FINISHED_MS; looks at most every GC_EVERY_MS. */
  private gc(): void {
    const now = Date.now();
    if (now - this.lastGc < GC_EVERY_MS) return;
    this.lastGc = now;
    for (const [id, e] of this.execs) if (!e.running && e.finishedAt && now - e.finishedAt > KEEP_FINISHED_MS) this.execs.delete(id);
  }

  private publish(c: ContainerRecord, action: string, execId: string): void {
    this.d.events.publish({ type: 'container', action, id: c.id, attributes: { execID: execId, image: c.imageRef, name: c.name } });
  }
}

/**
 * A 64-hex-digit exec ID. The random bytes are drawn 4 KiB at a time: a healthcheck makes an exec per
 * probe, and a call into the CSPRNG per ID was a measurable part of a probe's cost.
 */
let idPool = Buffer.alloc(0);
let idPoolAt = 0;
function newExecId(): string {
  if (idPoolAt + 32 > idPool.length) {
    idPool = randomBytes(4096);
    idPoolAt = 0;
  }
  const id = idPool.toString('hex', idPoolAt, idPoolAt + 32);
  idPoolAt += 32;
  return id;
}

function dedupeEnv(env: string[]): string[] {
  const out: string[] = [];
  const idx = new Map<string, number>();
  for (const e of env) {
    const k = e.includes('=') ? e.slice(0, e.indexOf('=')) : e;
    const i = idx.get(k);
    if (i === undefined) {
      idx.set(k, out.length);
      out.push(e);
    } else out[i] = e;
  }
  return out;
}

/** Docker's exec start failures: 127 for a missing command, 126 otherwise; the message as the runtime said it. */
export function translateExecError(err: unknown, cmd: string): { error: Error; exitCode: number } {
  if (isBerthError(err) && err.kind !== 'system') return { error: err, exitCode: 126 };
  const raw = (err as Error)?.message ?? String(err);
  const msg = /oci runtime exec failed/i.test(raw) ? raw : `OCI runtime exec failed: ${raw.replace(/\s+$/, '')}: unknown`;
  const lower = raw.toLowerCase();
  const notFound = lower.includes('executable file not found') || (lower.includes('no such file or directory') && lower.includes(cmd.toLowerCase()));
  return { error: new SystemError(msg, { cause: err }), exitCode: notFound ? 127 : 126 };
}
