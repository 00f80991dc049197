// Registry endpoints that are not about one local image: POST /auth (docker login's check) and
// GET /images/search (docker search). Translation only; the registry client does the work.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import { decodeRegistryAuth, type AuthConfig } from '../../lib/distribution/auth-config.js';
import { InvalidParameterError } from '../../errors.js';

export function registerDistributionRoutes(r: Router, s: Services): void {
  r.post('/auth', async (ctx) => {
    const body = await ctx.json<AuthConfig & Record<string, unknown>>({});
    const auth: AuthConfig = {};
    for (const k of ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
      const v = body[k];
      if (typeof v === 'string' && v !== '') auth[k] = v;
    }
    ctx.sendJson(200, await s.distribution.login(auth));
  });

  r.get('/images/search', async (ctx) => {
    const term = ctx.query.get('term');
    if (!term) throw new InvalidParameterError('term is required');
    const limitRaw = ctx.query.get('limit');
    const limit = limitRaw ? Number(limitRaw) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new InvalidParameterError(`invalid limit: ${limitRaw}`);
    const filters = ctx.filters();
    for (const k of Object.keys(filters)) {
      if (!['is-official', 'is-automated', 'stars'].includes(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    }
    const auth = decodeRegistryAuth(ctx.req.headers['x-registry-auth'] as string | undefined);
    let results = await s.distribution.search(term, limit, auth, ctx.signal);
    const bool = (k: string) => {
      const v = filters[k]?.[filters[k].length - 1];
      if (v === undefined) return undefined;
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw new InvalidParameterError(`invalid filter '${k}=${v}'`);
    };
    const official = bool('is-official');
    const automated = bool('is-automated');
    const stars = filters['stars']?.length ? Number(filters['stars'][filters['stars'].length - 1]) : undefined;
    if (stars !== undefined && !Number.isFinite(stars)) throw new InvalidParameterError(`invalid filter 'stars=${filters['stars']![0]}'`);
    results = results.filter(
      (x) => (official === undefined || x.is_official === official) && (automated === undefined || x.is_automated === automated) && (stars === undefined || x.star_count >= stars),
    );
    ctx.sendJson(200, results);
  });
}
