// System endpoints: /_ping, /version, /info, /events. Translation only; the numbers come from services
// and from the host probe in daemon/host-info.ts.
import type { Router } from '../http-server.js';
import type { Services } from '../../daemon/services.js';
import type { EventMessage, SystemInfo, SystemVersion } from '../../api/types/system.js';
import { API_VERSION, MIN_API_VERSION } from '../../api/version.js';
import { InvalidParameterError } from '../../errors.js';
import { summary as imageSummary } from './images.js';
import { toSummary as containerSummary } from './containers.js';
import { toWire as volumeWire } from './volumes.js';
import { matchesEventFilters, parseEventTime } from '../../engine/event-filters.js';

const BERTH_VERSION = '0.1.0';

export function registerSystemRoutes(r: Router, s: Services): void {
  const ping: Parameters<Router['get']>[1] = (ctx) => {
    // Docker answers OK with these headers; clients negotiate the API version from API-Version.
    ctx.res.setHeader('API-Version', API_VERSION);
    ctx.res.setHeader('Builder-Version', '1');
    ctx.res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    ctx.res.setHeader('Pragma', 'no-cache');
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  r.get('/_ping', ping);
  r.head('/_ping', ping);

  r.get('/version', (ctx) => {
    const h = s.host;
    const body: SystemVersion = {
      Platform: { Name: 'berth' },
      Components: [
        { Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'berth', GoVersion: `node ${process.version}`, BuildTime: '', Os: 'linux', Arch: h.goArch, KernelVersion: h.kernel, Experimental: 'false' } },
        { Name: 'runc', Version: h.runcVersion, Details: { GitCommit: '' } },
        { Name: 'conmon', Version: h.conmonVersion, Details: {} },
      ],
      Version: BERTH_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: h.goArch,
      KernelVersion: h.kernel,
      BuildTime: '',
    };
    ctx.sendJson(200, body);
  });

  // docker system df: what images, containers, volumes (and build cache, none kept apart here) take.
  // `type` (API 1.42+) limits the answer to some kinds, as Docker.
  r.get('/system/df', async (ctx) => {
    const types = ctx.query.getAll('type');
    for (const t of types) if (!['container', 'image', 'volume', 'build-cache'].includes(t)) throw new InvalidParameterError(`unknown object type: ${t}`);
    const want = (t: string) => types.length === 0 || types.includes(t);
    const body: Record<string, unknown> = {};
    if (want('image')) {
      const images = await s.images.list({ all: false, filters: {} });
      const shared = s.images.sharedSizes(images.map((d) => d.id));
      body['LayersSize'] = s.images.layersSize();
      body['Images'] = images.map((d) => ({ ...imageSummary(d, ctx.apiVersion), Containers: d.containers, SharedSize: shared.get(d.id) ?? 0 }));
    }
    if (want('container')) body['Containers'] = (await s.containers.list({ all: true, size: true, filters: {} })).map(containerSummary);
    if (want('volume')) {
      body['Volumes'] = await Promise.all(
        s.volumes.list({}).map(async (v) => ({ ...volumeWire(v), UsageData: { Size: await s.volumes.size(v.name).catch(() => -1), RefCount: s.volumes.usedBy(v.name).length } })),
      );
    }
    if (want('build-cache')) body['BuildCache'] = [];
    ctx.sendJson(200, body);
  });

  r.get('/info', (ctx) => {
    const h = s.host;
    const c = s.containers.counts();
    const body: SystemInfo = {
      ID: h.machineId,
      Containers: c.total,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: s.images.count(),
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
      ],
      Plugins: { Volume: ['local'], Network: ['null', 'host'], Authorization: null, Log: ['k8s-file'] },
      MemoryLimit: true,
      SwapLimit: h.swapLimit,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: h.ipv4Forwarding,
      Debug: s.config.logLevel === 'debug',
      NFd: h.openFds(),
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: s.config.logDriver ?? 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: h.cgroupVersion,
      NEventsListener: s.events.listenerCount,
      KernelVersion: h.kernel,
      OperatingSystem: h.osName,
      OSVersion: h.osVersion,
      OSType: 'linux',
      Architecture: h.arch,
      NCPU: h.ncpu,
      MemTotal: h.memTotal,
      IndexServerAddress: 'https://index.docker.io/v1/',
      // dockerd's shape, which `docker info` prints as "Insecure Registries" and "Registry Mirrors".
      RegistryConfig: {
        AllowNondistributableArtifactsCIDRs: [],
        AllowNondistributableArtifactsHostnames: [],
        InsecureRegistryCIDRs: ['127.0.0.0/8', ...(s.config.insecureRegistries ?? []).filter((r) => r.includes('/'))],
        IndexConfigs: Object.fromEntries([
          ['docker.io', { Name: 'docker.io', Mirrors: (s.config.registryMirrors ?? []).map((m) => `${m}/`), Secure: true, Official: true }],
          ...(s.config.insecureRegistries ?? []).filter((r) => !r.includes('/')).map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }]),
        ]),
        Mirrors: (s.config.registryMirrors ?? []).map((m) => `${m}/`),
      },
      DockerRootDir: s.config.dataRoot,
      HttpProxy: process.env['HTTP_PROXY'] ?? '',
      HttpsProxy: process.env['HTTPS_PROXY'] ?? '',
      NoProxy: process.env['NO_PROXY'] ?? '',
      Name: h.hostname,
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: { runc: { path: 'runc' } },
      DefaultRuntime: s.config.defaultRuntime,
      LiveRestoreEnabled: true, // containers outlive berthd (conmon monitors them)
      Isolation: '',
      InitBinary: 'catatonit',
      SecurityOptions: ['name=seccomp,profile=unconfined'],
      Warnings: null,
    };
    ctx.sendJson(200, body);
  });

  r.get('/events', async (ctx) => {
    const now = Date.now();
    const since = parseEventTime(ctx.query.get('since'), now);
    const until = parseEventTime(ctx.query.get('until'), now);
    if (since !== null && until !== null && until < since) throw new InvalidParameterError('`since` time cannot be after `until` time');
    const filters = ctx.filters();
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const write = (e: EventMessage) => {
      if (until !== null && e.timeNano > until) return;
      if (matchesEventFilters(e, filters)) res.write(JSON.stringify(e) + '\n');
    };
    // Docker replays the past only when `since` is given.
    if (since !== null) for (const e of s.events.history(since)) write(e);
    if (until !== null && until <= now * 1e6) {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const unsubscribe = s.events.subscribe(write);
      const finish = () => {
        unsubscribe();
        clearTimeout(timer);
        if (!res.writableEnded) res.end();
        resolve();
      };
      const timer = until !== null ? setTimeout(finish, Math.max(0, until / 1e6 - Date.now())) : undefined;
      ctx.signal.addEventListener('abort', finish, { once: true });
    });
  });
}
