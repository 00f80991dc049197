// Attach clients of a container: connected at once to a running one, or held until its next start
// and connected between the runtime's create and start, so that no output is missed.
import type { Readable } from 'node:stream';
import type { Logger } from '../../daemon/logger.js';
import type { AttachHandle, AttachStreams, ContainerRuntime } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import { deferred, type Deferred } from './deferred.js';
import { driverKeepsLog } from './log-drivers.js';
import { readLogs } from './log-reader.js';

export interface AttachOptions {
  stdin?: Readable;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  signal?: AbortSignal;
}

interface PendingAttach {
  streams: AttachStreams;
  connected: Deferred<AttachHandle | null>;
}

export interface AttachBrokerDeps {
  runtime: Pick<ContainerRuntime, 'attach'>;
  store: Pick<ContainerStore, 'paths'>;
  log: Logger;
  publish(c: ContainerRecord, action: string): void;
  isRunning(c: ContainerRecord): boolean;
  /** Resolves once the current run's exit has been recorded. */
  exitOf(id: string): Promise<unknown>;
}

export class AttachBroker {
  private readonly pending = new Map<string, Set<PendingAttach>>();

  constructor(private readonly d: AttachBrokerDeps) {}

  /**
   * Attaches a client. To a running container: at once. To a created or stopped one: when it next
   * starts, connected between runtime create and start so no output is missed (`docker run` and
   * `docker start -a` attach first). `done` settles once the container's output has ended.
   */
  async attach(c: ContainerRecord, o: AttachOptions): Promise<{ tty: boolean; done: Promise<void>; close(): void }> {
    const tty = !!c.config.Tty;
    if (o.logs && driverKeepsLog(c.hostConfig.LogConfig?.Type)) {
      for await (const r of readLogs({ logPath: this.d.store.paths(c.id).logFile, stdout: o.stdout, stderr: o.stderr, tail: null, follow: false })) {
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
    this.d.publish(c, 'attach');
    // When the output ends because the container exited, the stream closes only once the exit is
    // recorded (bounded), so a client that inspects right after the stream sees the exit code.
    let clientClosed = false;
    const afterOutput = async () => {
      if (clientClosed) return;
      await Promise.race([this.d.exitOf(c.id), sleep(2000)]);
    };
    if (this.d.isRunning(c)) {
      const h = await this.d.runtime.attach(c.id, this.d.store.paths(c.id).bundleDir, streams);
      const closeIt = () => {
        clientClosed = true;
        h.close();
      };
      o.signal?.addEventListener('abort', closeIt, { once: true });
      return { tty, done: h.done.then(afterOutput), close: closeIt };
    }
    const pending: PendingAttach = { streams, connected: deferred() };
    let set = this.pending.get(c.id);
    if (!set) this.pending.set(c.id, (set = new Set()));
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

  /** Connects the clients waiting for this start (between the runtime's create and start). */
  async connectPending(c: ContainerRecord): Promise<void> {
    const set = this.pending.get(c.id);
    if (!set?.size) return;
    this.pending.delete(c.id);
    for (const pa of set) {
      try {
        pa.connected.resolve(await this.d.runtime.attach(c.id, this.d.store.paths(c.id).bundleDir, pa.streams));
      } catch (e) {
        this.d.log.warn(`attaching a client to ${c.id} failed`, e);
        pa.connected.resolve(null);
      }
    }
  }

  /** The start failed or the container went: its waiting clients get nothing. */
  failPending(id: string): void {
    const set = this.pending.get(id);
    if (!set) return;
    this.pending.delete(id);
    for (const pa of set) pa.connected.resolve(null);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
