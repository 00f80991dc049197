// API version rules: berthd speaks 1.45 and accepts clients down to 1.24, as the issue asks.
export const API_VERSION = '1.45';
export const MIN_API_VERSION = '1.24';

/** Compares dotted versions numerically ("1.9" < "1.24"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Splits an optional `/v1.NN` prefix from a request path. */
export function splitVersionPrefix(path: string): { version: string | null; rest: string } {
  const m = /^\/v(\d+(?:\.\d+)*)(\/.*)?$/.exec(path);
  if (!m) return { version: null, rest: path };
  return { version: m[1]!, rest: m[2] ?? '/' };
}
