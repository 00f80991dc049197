// One promise chain per key: steps for the same container run one after another, other containers'
// steps are not held up (no global lock).
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Serialises lifecycle steps per container (start/exit handling/remove) without a global lock. */
  async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.tails.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    }
  }
}
