// Docker's JSON progress messages for pull and push, as the engine produces them (routes write them
// unchanged: the field names are the wire's). The docker CLI draws its bars from progressDetail.
import { progressBar } from '../../lib/distribution/progress-bar.js';

export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
}

export type ProgressSink = (m: ProgressMessage) => void;

/** Per-id status lines with Docker's empty progressDetail, and throttled byte progress. */
export class ProgressReporter {
  private readonly last = new Map<string, number>();

  constructor(private readonly sink: ProgressSink) {}

  message(status: string, id?: string): void {
    this.sink(id === undefined ? { status } : { status, progressDetail: {}, id });
  }

  /** Byte progress, at most every 100 ms per id (as Docker's progress reader), and always at the end. */
  bytes(status: string, id: string, current: number, total: number): void {
    const now = Date.now();
    const prev = this.last.get(`${status}:${id}`) ?? 0;
    if (current < total && now - prev < 100) return;
    this.last.set(`${status}:${id}`, now);
    this.sink({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  }

  aux(aux: Record<string, unknown>): void {
    this.sink({ progressDetail: {}, aux });
  }
}

/** A counting semaphore: at most `n` transfers at once (--max-concurrent-downloads/-uploads). */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly n: number) {}

  /** True when a slot is free right now (the caller says "Waiting" otherwise). */
  get free(): boolean {
    return this.active < this.n;
  }

  async run<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    if (this.active >= this.n) {
      onWait?.();
      await new Promise<void>((r) => this.queue.push(r));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
