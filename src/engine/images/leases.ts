// Leases keep blobs and layers that an operation in progress (import, load; later build and pull) has
// written but no image references yet from being garbage-collected. One mutex orders the two sides:
// a store makes new content visible (rename) and leases it inside `guard`, and the collector decides
// and deletes inside `exclusive`, so it can never delete something between its commit and its lease.

export interface Lease {
  /** Leases `key` and runs `fn` (the commit: a rename into place, an existence check) under the mutex. */
  guard<T>(key: string, fn: () => Promise<T>): Promise<T>;
  release(): void;
}

export class LeaseManager {
  private readonly held = new Map<string, number>();
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` alone: no commit happens while it runs. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  isHeld(key: string): boolean {
    return this.held.has(key);
  }

  open(): Lease {
    const mine: string[] = [];
    let released = false;
    return {
      guard: <T>(key: string, fn: () => Promise<T>) =>
        this.exclusive(async () => {
          if (!released) {
            mine.push(key);
            this.held.set(key, (this.held.get(key) ?? 0) + 1);
          }
          return fn();
        }),
      release: () => {
        if (released) return;
        released = true;
        for (const k of mine) {
          const n = (this.held.get(k) ?? 1) - 1;
          if (n <= 0) this.held.delete(k);
          else this.held.set(k, n);
        }
      },
    };
  }
}
