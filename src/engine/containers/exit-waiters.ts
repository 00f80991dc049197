// docker wait: clients waiting for a container to stop running, to exit next, or to be removed.
import { InvalidParameterError } from '../../errors.js';
import type { ContainerRecord } from './container-model.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
export interface WaitResult {
  statusCode: number;
  error: string | null;
}

interface Waiter {
  condition: WaitCondition;
  resolve(r: WaitResult): void;
}

export class ExitWaiters {
  private readonly byId = new Map<string, Set<Waiter>>();

  /**
   * Registers a wait; throws NotFound at once (before the route sends headers). The result settles
   * when the condition is met; abort the signal to drop the wait.
   */
  register(c: ContainerRecord, running: boolean, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new InvalidParameterError(`invalid condition: "${condition}"`);
    }
    if (condition === 'not-running' && !running) {
      return Promise.resolve({ statusCode: c.state.exitCode, error: c.state.error || null });
    }
    return new Promise<WaitResult>((resolve) => {
      const w: Waiter = { condition, resolve };
      let set = this.byId.get(c.id);
      if (!set) this.byId.set(c.id, (set = new Set()));
      set.add(w);
      signal?.addEventListener('abort', () => set!.delete(w), { once: true });
    });
  }

  /** Settles the waits of a container whose condition is one of `conditions`. */
  resolve(id: string, conditions: WaitCondition[], r: WaitResult): void {
    const set = this.byId.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!conditions.includes(w.condition)) continue;
      set.delete(w);
      w.resolve(r);
    }
    if (set.size === 0) this.byId.delete(id);
  }
}
