// Volume endpoints: translate between the wire shapes (api/types/volumes.ts) and VolumeService.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../api/types/volumes.js';
import type { VolumeRecord } from '../../engine/volumes/volume-service.js';
import { InvalidParameterError } from '../../errors.js';

function toWire(v: VolumeRecord, usage?: { size: number; refCount: number }): Volume {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: 'local',
    ...(usage ? { UsageData: { Size: usage.size, RefCount: usage.refCount } } : {}),
  };
}

export function registerVolumeRoutes(r: Router, s: Services): void {
  r.get('/volumes', (ctx) => {
    const body: VolumeListResponse = { Volumes: s.volumes.list(ctx.filters()).map((v) => toWire(v)), Warnings: null };
    ctx.sendJson(200, body);
  });

  r.post('/volumes/create', async (ctx) => {
    const req = await ctx.json<VolumeCreateRequest>({});
    if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new InvalidParameterError('volume create: a JSON object was expected');
    if (req.Name !== undefined && typeof req.Name !== 'string') throw new InvalidParameterError('volume create: Name must be a string');
    const v = await s.volumes.create({ name: req.Name, driver: req.Driver, labels: req.Labels, driverOpts: req.DriverOpts });
    ctx.sendJson(201, toWire(v));
  });

  r.get('/volumes/:name', async (ctx) => {
    const v = s.volumes.get(ctx.param('name'));
    ctx.sendJson(200, toWire(v, { size: await s.volumes.size(v.name).catch(() => -1), refCount: s.volumes.refCount(v.name) }));
  });

  r.delete('/volumes/:name', async (ctx) => {
    await s.volumes.remove(ctx.param('name'), ctx.bool('force'));
    ctx.sendStatus(204);
  });

  r.post('/volumes/prune', async (ctx) => {
    const { deleted, reclaimed } = await s.volumes.prune(ctx.filters());
    const body: VolumePruneResponse = { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
    ctx.sendJson(200, body);
  });
}
