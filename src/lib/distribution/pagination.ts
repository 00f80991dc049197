// `n`/`last` pagination of tags/list and _catalog: results in lexical order, those after `last`, at
// most `n` of them, and a `Link: <url>; rel="next"` header when more remain.
import { RegistryError } from './errors.js';

export interface Page {
  items: string[];
  /** The Link header's value, when there is a next page. */
  link?: string;
}

/** Parses `n`: absent means all; a non-negative integer otherwise (PAGINATION_NUMBER_INVALID). */
export function parsePageSize(n: string | null, max: number): number | undefined {
  if (n === null || n === '') return undefined;
  if (!/^\d+$/.test(n)) throw new RegistryError('PAGINATION_NUMBER_INVALID', 'invalid number of results requested', { n: n.slice(0, 50) });
  return Math.min(Number(n), max);
}

/**
 * One page of `all` (any order; sorted here). `basePath` is the endpoint path the Link points to.
 * n=0 gives an empty page (the spec allows it) without a Link.
 */
export function paginate(all: readonly string[], n: number | undefined, last: string | null, basePath: string): Page {
  const sorted = [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const after = last ? sorted.filter((x) => x > last) : sorted;
  if (n === undefined) return { items: after };
  const items = after.slice(0, n);
  if (n > 0 && after.length > n) {
    const q = new URLSearchParams({ n: String(n), last: items[items.length - 1]! });
    return { items, link: `<${basePath}?${q}>; rel="next"` };
  }
  return { items };
}
