// Volume endpoints: GET /volumes, POST /volumes/create, GET/DELETE /volumes/{name}, POST /volumes/prune.
// Translation only: the wire shapes (with Docker's field order and nulls) from the service's records.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../api/types/volumes.js';
import { compareVersions } from '../../api/version.js';
import { InvalidParameterError } from '../../errors.js';
import type { VolumeRecord } from '../../engine/volumes/volume-service.js';

export function toWire(v: VolumeRecord): Volume {
  // Docker sends empty label and option maps as null.
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: Object.keys(v.labels).length ? v.labels : null,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: Object.keys(v.options).length ? v.options : null,
    Scope: 'local',
  };
}

/** Go's encoding/json type error, in Docker's words, for a field of VolumeCreateBody. */
function typeError(field: string, got: unknown, want: string): InvalidParameterError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got === 'object' ? 'object' : typeof got;
  return new InvalidParameterError(`json: cannot unmarshal ${kind} into Go struct field VolumeCreateBody.${field} of type ${want}`);
}

function stringMap(field: string, v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(field, v, 'map[string]string');
  for (const x of Object.values(v as Record<string, unknown>)) if (typeof x !== 'string') throw typeError(field, x, 'string');
  return v as Record<string, string>;
}

function parseCreateBody(body: unknown): { name?: string; driver?: string; labels?: Record<string, string>; driverOpts?: Record<string, string> } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidParameterError('json: cannot unmarshal non-object into Go value of type volume.CreateOptions');
  const b = body as VolumeCreateRequest & Record<string, unknown>;
  if (b.Name !== undefined && b.Name !== null && typeof b.Name !== 'string') throw typeError('Name', b.Name, 'string');
  if (b.Driver !== undefined && b.Driver !== null && typeof b.Driver !== 'string') throw typeError('Driver', b.Driver, 'string');
  const out: ReturnType<typeof parseCreateBody> = {};
  if (b.Name) out.name = b.Name;
  if (b.Driver) out.driver = b.Driver;
  const labels = stringMap('Labels', b.Labels);
  if (labels) out.labels = labels;
  const opts = stringMap('DriverOpts', b.DriverOpts);
  if (opts) out.driverOpts = opts;
  return out;
}

export function registerVolumeRoutes(r: Router, s: Services): void {
  r.get('/volumes', (ctx) => {
    const body: VolumeListResponse = { Volumes: s.volumes.list(ctx.filters()).map(toWire), Warnings: null };
    ctx.sendJson(200, body);
  });

  r.post('/volumes/create', async (ctx) => {
    const body = await ctx.json<unknown>().catch((e: unknown) => {
      // Docker's words for a request without a body.
      if (e instanceof InvalidParameterError && /empty/.test(e.message)) throw new InvalidParameterError('got EOF while reading request body');
      throw e;
    });
    const v = await s.volumes.create(parseCreateBody(body));
    ctx.sendJson(201, toWire(v));
  });

  r.post('/volumes/prune', async (ctx) => {
    // Before API 1.42 prune removed every unused volume; since then only anonymous ones unless all=true.
    const allByDefault = compareVersions(ctx.apiVersion, '1.42') < 0;
    const res = await s.volumes.prune(ctx.filters(), { allByDefault });
    const body: VolumePruneResponse = { VolumesDeleted: res.deleted.length ? res.deleted : null, SpaceReclaimed: res.reclaimed };
    ctx.sendJson(200, body);
  });

  r.get('/volumes/:name', (ctx) => {
    ctx.sendJson(200, toWire(s.volumes.get(ctx.param('name'))));
  });

  r.delete('/volumes/:name', async (ctx) => {
    await s.volumes.remove(ctx.param('name'), ctx.bool('force'));
    ctx.sendStatus(204);
  });
}
