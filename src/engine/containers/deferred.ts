// A promise with its resolve function at hand (exit handling and attach hand results across calls).
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
