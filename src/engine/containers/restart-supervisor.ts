// The timers of restart policies: one pending restart per container, with the back-off of its last
// restarts remembered (in memory: a restarted daemon starts again at 100 ms, as Docker's does). The
// container service decides whether to restart (restart-policy.ts) and does the start; this file
// only keeps time, so that a container in a crash loop costs a timer, not a busy loop.
import { nextBackoff } from './restart-policy.js';

export class RestartSupervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();

  /** Runs `restart` after the container's next back-off; returns the delay chosen. */
  schedule(id: string, ranForMs: number, restart: () => void): number {
    this.cancel(id);
    const delay = nextBackoff(this.backoff.get(id), ranForMs);
    this.backoff.set(id, delay);
    const t = setTimeout(() => {
      this.timers.delete(id);
      restart();
    }, delay);
    this.timers.set(id, t);
    return delay;
  }

  pending(id: string): boolean {
    return this.timers.has(id);
  }

  /** A pending restart is called off (stop, rm, a manual start); the back-off is kept. */
  cancel(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  /** The container is gone, or a user took over (manual start): the next back-off starts afresh. */
  forget(id: string): void {
    this.cancel(id);
    this.backoff.delete(id);
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }
}
