// A thin wrapper over the runc CLI: `runc --root <execRoot>/runc ...` (a root per daemon, so two
// daemons never see each other's containers), runc's state JSON parsed, its error lines typed.
import path from 'node:path';
import type { ResourceUpdate } from '../engine/containers/runtime-contract.js';
import { runCommand, type CommandResult } from './command.js';
import { EXEC_FIFO, InitGoneError, releaseExecFifo } from './exec-fifo.js';
import { deleteExitedContainer } from './runc-state-cleanup.js';
import type { Logger } from '../daemon/logger.js';
import { NotFoundError, SystemError } from '../errors.js';

export interface RuncState {
  ociVersion: string;
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  rootfs: string;
  created: string;
  owner?: string;
}

/** runc exited non-zero; `runtimeMessage` is the text of its last error line (without the log prefix). */
export class RuncError extends SystemError {
  constructor(
    readonly command: string,
    readonly runtimeMessage: string,
    readonly exitCode: number,
  ) {
    super(`runc ${command} failed: ${runtimeMessage}`);
  }
}

/**
 * runc prints errors as logrus lines on stderr: `time="..." level=error msg="..."` (text format) or
 * `{"level":"error","msg":"..."}` (json format). Returns the message of the last error line, or the
 * raw trimmed text when nothing matches.
 */
export function runcErrorMessage(stderr: string): string {
  let last = '';
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as { msg?: string; level?: string };
        if (j.msg && (j.level === 'error' || j.level === 'fatal' || !last)) last = j.msg;
        continue;
      } catch {
        /* not JSON: fall through */
      }
    }
    const m = /level=(\w+) msg="((?:[^"\\]|\\.)*)"/.exec(t);
    if (m) {
      if (m[1] === 'error' || m[1] === 'fatal' || !last) last = JSON.parse(`"${m[2]}"`) as string;
      continue;
    }
    if (!last) last = t;
  }
  return last || stderr.trim();
}

export function isNotExistMessage(msg: string): boolean {
  return /container does not exist|container .* does not exist|no such container/i.test(msg);
}

export class Runc {
  readonly root: string;
  constructor(
    readonly opts: { execRoot: string; runtimePath?: string; log: Logger },
  ) {
    this.root = path.join(opts.execRoot, 'runc');
  }

  get binary(): string {
    return this.opts.runtimePath ?? 'runc';
  }

  /** Global flags every invocation carries (conmon passes the same via --runtime-arg). */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  async run(args: string[], opts: { input?: string } = {}): Promise<CommandResult> {
    return runCommand(this.binary, [...this.globalArgs(), ...args], { log: this.opts.log, input: opts.input });
  }

  private async check(command: string, args: string[], id: string): Promise<CommandResult> {
    const r = await this.run(args);
    if (r.code !== 0) {
      const msg = runcErrorMessage(r.stderr);
      if (isNotExistMessage(msg)) throw new NotFoundError(`No such container: ${id}`);
      throw new RuncError(command, msg, r.code);
    }
    return r;
  }

  /** runc's view of the container, or null when runc does not know it. */
  async state(id: string): Promise<RuncState | null> {
    const r = await this.run(['state', id]);
    if (r.code !== 0) {
      const msg = runcErrorMessage(r.stderr);
      if (isNotExistMessage(msg)) return null;
      throw new RuncError('state', msg, r.code);
    }
    return JSON.parse(r.stdout) as RuncState;
  }

  /** Every container under this root. */
  async list(): Promise<RuncState[]> {
    const r = await this.run(['list', '--format', 'json']);
    if (r.code !== 0) throw new RuncError('list', runcErrorMessage(r.stderr), r.code);
    const t = r.stdout.trim();
    return t && t !== 'null' ? (JSON.parse(t) as RuncState[]) : [];
  }

  /**
   * Starts a created container. Given the init's PID, releases it through runc's exec FIFO in-process
   * (see exec-fifo.ts). Otherwise, when the FIFO is not there, or when the fast path saw no byte (the
   * init looked gone), `runc start` decides and gives its own error: the fast path only ever saves
   * time, it never fails a start that runc would have made.
   */
  async start(id: string, initPid?: number): Promise<void> {
    if (initPid && initPid > 0) {
      try {
        if (await releaseExecFifo(path.join(this.root, id, EXEC_FIFO), initPid)) return;
      } catch (e) {
        if (!(e instanceof InitGoneError)) throw e;
        this.opts.log.debug('exec FIFO: the init looked gone; asking runc', { id, pid: initPid });
      }
    }
    await this.check('start', ['start', id], id);
  }

  /** Signal the init process (`all` signals every process in the container). */
  async kill(id: string, signal: string | number, all = false): Promise<void> {
    await this.check('kill', ['kill', ...(all ? ['--all'] : []), id, String(signal)], id);
  }

  /**
   * `runc delete [--force]`; a container runc does not know counts as deleted. A forced delete of a
   * container whose init has exited is done without runc (runc-state-cleanup.ts) when runc's record
   * allows it.
   */
  async delete(id: string, force = false): Promise<void> {
    if (force && (await deleteExitedContainer(this.root, id).catch(() => false))) return;
    const r = await this.run(['delete', ...(force ? ['--force'] : []), id]);
    if (r.code === 0) return;
    const msg = runcErrorMessage(r.stderr);
    if (isNotExistMessage(msg)) return;
    throw new RuncError('delete', msg, r.code);
  }

  async pause(id: string): Promise<void> {
    await this.check('pause', ['pause', id], id);
  }

  async resume(id: string): Promise<void> {
    await this.check('resume', ['resume', id], id);
  }

  /** Applies new cgroup limits to a running container. */
  async update(id: string, r: ResourceUpdate): Promise<void> {
    const args = ['update'];
    const add = (flag: string, v: number | string | undefined) => {
      if (v !== undefined) args.push(flag, String(v));
    };
    add('--memory', r.memory);
    add('--memory-swap', r.memorySwap);
    add('--memory-reservation', r.memoryReservation);
    add('--cpu-share', r.cpuShares);
    add('--cpu-quota', r.cpuQuota);
    add('--cpu-period', r.cpuPeriod);
    add('--cpuset-cpus', r.cpusetCpus);
    add('--pids-limit', r.pidsLimit);
    if (args.length === 1) return;
    args.push(id);
    await this.check('update', args, id);
  }

  /** Host PIDs of the container's processes. */
  async ps(id: string): Promise<number[]> {
    const r = await this.check('ps', ['ps', '--format', 'json', id], id);
    const t = r.stdout.trim();
    return t && t !== 'null' ? (JSON.parse(t) as number[]) : [];
  }

  /**
   * `runc exec --process FILE` without a monitor (the process's stdio are pipes of the caller); the
   * caller gets the child back. For execs that need a pty or must outlive berthd use conmon.
   */
  execArgs(id: string, processFile: string, extra: string[] = []): string[] {
    return [...this.globalArgs(), 'exec', '--process', processFile, ...extra, id];
  }
}
