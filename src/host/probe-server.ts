// The daemon's side of `berth-nsexec --serve` (native/berth_nsexec_serve.c): one long-lived helper
// that runs healthcheck probes. Why: 50 containers probed every second were 50 spawns a second from
// berthd, each with three pipes made into streams, a SIGCHLD and a reap; measured outside berthd
// (a node process spawning /bin/true 50 times a second), a spawn alone costs its parent ~0.7 ms of
// CPU and its three pipes another ~0.7 ms, against ~0.07 ms per request written to a helper in
// batches of 50. The health monitor starts probes in shared ticks (health-check.ts), the requests of
// one tick go out in one write, and the server answers probes that end together in one write too.
//
// The server is started at the first probe and again after it died; the probes it was running when
// it died are rejected with ProbeServerGone, and the runtime runs them as ordinary execs instead
// (a crashed helper must not make containers unhealthy).
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../daemon/logger.js';
import { decodeProbeResponses, encodeProbeRequest, type ProbeResponse } from '../lib/oci/probe-frames.js';
import { fastSpawn, type FastChild } from './fast-spawn.js';

/** The server ended (or was closed) before answering this probe. */
export class ProbeServerGone extends Error {}

interface Pending {
  resolve(r: ProbeResponse): void;
  reject(e: Error): void;
}

export class ProbeServer {
  private child: FastChild | null = null;
  private stdin: Writable | null = null;
  private readonly pending = new Map<string, Pending>();
  private queued: Buffer[] = [];
  private flushing = false;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly helperPath: string,
    private readonly log: Logger,
  ) {}

  /** Runs one probe: berth-nsexec with `args` and `env`, killed at `timeoutMs`. */
  run(args: string[], env: string[], timeoutMs: number): Promise<ProbeResponse> {
    if (this.closed) return Promise.reject(new ProbeServerGone('the probe server is closed'));
    const id = (++this.seq).toString(36);
    const frame = encodeProbeRequest({ id, timeoutMs, args, env });
    try {
      this.ensureStarted();
    } catch (e) {
      return Promise.reject(new ProbeServerGone(`the probe server could not start: ${(e as Error).message}`));
    }
    return new Promise<ProbeResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queued.push(frame);
      // The probes of one tick are started in one turn of the event loop: one write for all.
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  close(): void {
    this.closed = true;
    this.stop(new ProbeServerGone('the probe server is closed'));
  }

  private flush(): void {
    this.flushing = false;
    if (!this.queued.length || !this.stdin) return;
    const all = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued);
    this.queued = [];
    this.stdin.write(all);
  }

  private ensureStarted(): void {
    if (this.child) return;
    const child = fastSpawn(this.helperPath, ['--serve'], { env: {}, stdio: ['write', 'read', 'ignore'] });
    this.child = child;
    const [stdin, stdout] = child.streams as [Writable, Readable];
    this.stdin = stdin;
    stdin.on('error', () => {}); // the server died: its exit says so
    let buf: Buffer = Buffer.alloc(0);
    stdout.on('data', (b: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, b]) : b;
      let decoded;
      try {
        decoded = decodeProbeResponses(buf);
      } catch (e) {
        this.log.warn('probe server sent what is not a response; restarting it', e);
        this.stop(new ProbeServerGone((e as Error).message));
        return;
      }
      buf = decoded.rest;
      for (const r of decoded.responses) {
        const p = this.pending.get(r.id);
        if (!p) continue;
        this.pending.delete(r.id);
        p.resolve(r);
      }
    });
    stdout.on('error', () => {});
    void child.exited.then((s) => {
      if (this.child !== child) return;
      if (!this.closed) this.log.warn('probe server ended', { code: s.code, signal: s.signal });
      this.stop(new ProbeServerGone(`the probe server ended (${s.signal ?? s.code})`));
    }, () => {});
  }

  /** Ends the running server, if any, and fails what it was running. */
  private stop(why: ProbeServerGone): void {
    const child = this.child;
    this.child = null;
    this.stdin = null;
    this.queued = [];
    if (child) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      for (const s of child.streams) (s as Readable | Writable | null)?.destroy();
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(why);
  }
}
