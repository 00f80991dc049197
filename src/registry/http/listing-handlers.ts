// The read-only listings: /v2/ (the version check), /v2/_catalog and /v2/<name>/tags/list (n/last
// pagination with Link), the OCI 1.1 referrers API, and Docker's v1 search (/v1/search?q=&n=, which the
// reference registry lacks), with the v1 ping dockerd sends before searching.
import { parseBlobDigest } from '../../lib/distribution/digest.js';
import { paginate, parsePageSize } from '../../lib/distribution/pagination.js';
import { send, sendJson, type Ctx } from './context.js';

const MAX_PAGE = 10_000;

export async function baseHandler(ctx: Ctx): Promise<void> {
  sendJson(ctx.res, 200, {});
}

export async function catalogHandler(ctx: Ctx): Promise<void> {
  const { url, opts, identity } = ctx;
  const n = parsePageSize(url.searchParams.get('n'), MAX_PAGE);
  const all = (await opts.registry.catalog()).filter((r) => opts.auth.mayPull(identity, r));
  const page = paginate(all, n, url.searchParams.get('last'), '/v2/_catalog');
  sendJson(ctx.res, 200, { repositories: page.items }, page.link ? { Link: page.link } : {});
}

export async function tagsHandler(ctx: Ctx): Promise<void> {
  const { url, opts, repo } = ctx;
  const n = parsePageSize(url.searchParams.get('n'), MAX_PAGE);
  const page = paginate(await opts.registry.tags(repo), n, url.searchParams.get('last'), `/v2/${repo}/tags/list`);
  sendJson(ctx.res, 200, { name: repo, tags: page.items }, page.link ? { Link: page.link } : {});
}

export async function referrersHandler(ctx: Ctx): Promise<void> {
  const { url, opts, repo } = ctx;
  const subject = parseBlobDigest(ctx.route.ref!);
  const artifactType = url.searchParams.get('artifactType') ?? undefined;
  const manifests = await opts.registry.referrers(repo, subject, artifactType);
  const headers: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.index.v1+json' };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  send(ctx.res, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

/** dockerd pings /v1/_ping before a v1 search; any JSON answer counts, the headers say "standalone". */
export async function v1PingHandler(ctx: Ctx): Promise<void> {
  sendJson(ctx.res, 200, {}, { 'X-Docker-Registry-Standalone': 'true', 'X-Docker-Registry-Version': '0.6.0' });
}

/**
 * Docker's search answer shape (what `docker search` and the Engine's /images/search read): every
 * repository whose name holds the term (case-insensitive; the empty term matches all), best first by
 * where the term falls, at most `n` (default 25, as Docker Hub, up to 100).
 */
export async function searchHandler(ctx: Ctx): Promise<void> {
  const { url, opts, identity } = ctx;
  const query = (url.searchParams.get('q') ?? '').trim();
  const nRaw = url.searchParams.get('n');
  const n = nRaw !== null && /^\d+$/.test(nRaw) ? Math.min(Math.max(Number(nRaw), 1), 100) : 25;
  const term = query.toLowerCase();
  const hits = (await opts.registry.catalog())
    .filter((r) => r.includes(term) && opts.auth.mayPull(identity, r))
    .map((r) => ({ r, rank: r === term ? 0 : r.split('/').pop() === term ? 1 : r.startsWith(term) ? 2 : 3 }))
    .sort((a, b) => a.rank - b.rank || (a.r < b.r ? -1 : 1));
  const results = [];
  for (const { r } of hits.slice(0, n)) {
    results.push({ name: r, description: await opts.registry.description(r), star_count: 0, is_official: false, is_automated: false });
  }
  sendJson(ctx.res, 200, { num_pages: 1, num_results: hits.length, page_size: n, page: 1, query, results });
}
