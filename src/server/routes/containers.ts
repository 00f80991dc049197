// Container endpoints of the Engine API: parse the request, call the container service, serialise
// Docker's shapes (ContainerInspect, ContainerSummary...). No lifecycle logic lives here.
import os from 'node:os';
import type { Writable } from 'node:stream';
import { inspectPorts, summaryPorts } from '../../lib/net/ports.js';
import { checkUpdateBody } from '../../engine/containers/container-update.js';
import { PassThrough } from 'node:stream';
import type { Router } from '../http-server.js';
import { detachable, detachKeyBytes } from '../detach-stream.js';
import type { Services } from '../../daemon/services.js';
import type {
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerConfig,
  EndpointSettings,
  HostConfig,
  MountPoint,
  NetworkSettings,
} from '../../api/types/containers.js';
import { frame, MULTIPLEXED_STREAM_TYPE, RAW_STREAM_TYPE } from '../../api/streams.js';
import { InvalidParameterError } from '../../errors.js';
import { parseEventTime } from '../../engine/event-filters.js';
import type { ContainerView, WaitCondition } from '../../engine/containers/container-service.js';
import type { ContainerRecord, MountRecord } from '../../engine/containers/container-model.js';
import { formatTimestampNs } from '../../engine/containers/k8s-log.js';
import { checkCreateBody } from './create-body.js';

export function registerContainerRoutes(r: Router, s: Services): void {
  const c = () => s.containers;

  r.post('/containers/create', async (ctx) => {
    const body = checkCreateBody(await ctx.json<unknown>());
    const { HostConfig: hostConfig, NetworkingConfig: networkingConfig, ...config } = body;
    const name = ctx.query.get('name') ?? '';
    const out = await c().create({
      ...(name ? { name } : {}),
      config: config as ContainerConfig,
      hostConfig: hostConfig ?? {},
      ...(networkingConfig ? { networkingConfig } : {}),
    });
    const res: ContainerCreateResponse = { Id: out.id, Warnings: out.warnings };
    ctx.sendJson(201, res);
  });

  r.get('/containers/json', async (ctx) => {
    const views = await c().list({ all: ctx.bool('all'), limit: ctx.int('limit', 0)!, size: ctx.bool('size'), filters: ctx.filters() });
    ctx.sendJson(200, views.map(toSummary));
  });

  r.get('/containers/:id/json', async (ctx) => {
    ctx.sendJson(200, toInspect(await c().inspect(ctx.param('id'), { size: ctx.bool('size') })));
  });

  r.post('/containers/:id/start', async (ctx) => {
    await c().start(ctx.param('id'));
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/stop', async (ctx) => {
    await c().stop(ctx.param('id'), stopOpts(ctx.query, ctx.int('t')));
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/restart', async (ctx) => {
    await c().restart(ctx.param('id'), stopOpts(ctx.query, ctx.int('t')));
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/kill', async (ctx) => {
    await c().kill(ctx.param('id'), ctx.query.get('signal') || undefined);
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/pause', async (ctx) => {
    await c().pause(ctx.param('id'));
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/unpause', async (ctx) => {
    await c().unpause(ctx.param('id'));
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/update', async (ctx) => {
    const body = checkUpdateBody(await ctx.json<unknown>());
    const res = await c().update(ctx.param('id'), body);
    ctx.sendJson(200, { Warnings: res.warnings });
  });

  r.post('/containers/:id/rename', async (ctx) => {
    await c().rename(ctx.param('id'), ctx.query.get('name') ?? '');
    ctx.sendStatus(204);
  });

  r.post('/containers/:id/resize', async (ctx) => {
    await c().resize(ctx.param('id'), ctx.int('h', 0)!, ctx.int('w', 0)!);
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
    ctx.res.end();
  });

  r.post('/containers/:id/wait', async (ctx) => {
    const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
    const result = c().wait(ctx.param('id'), condition, ctx.signal);
    // Docker sends the headers at once so that clients know the wait is registered (docker run
    // relies on it before starting the container), and the body when the condition is met.
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res.flushHeaders();
    const aborted = new Promise<null>((resolve) => ctx.signal.addEventListener('abort', () => resolve(null), { once: true }));
    const r = await Promise.race([result, aborted]);
    if (!r) return;
    ctx.res.end(JSON.stringify({ StatusCode: r.statusCode, Error: r.error ? { Message: r.error } : null }) + '\n');
  });

  r.delete('/containers/:id', async (ctx) => {
    if (ctx.bool('link')) throw new InvalidParameterError('Conflict, cannot remove the default link name of the container');
    await c().remove(ctx.param('id'), { force: ctx.bool('force'), volumes: ctx.bool('v') });
    ctx.sendStatus(204);
  });

  r.post('/containers/prune', async (ctx) => {
    const out = await c().prune(ctx.filters());
    ctx.sendJson(200, { ContainersDeleted: out.deleted.length ? out.deleted : null, SpaceReclaimed: out.spaceReclaimed });
  });

  r.get('/containers/:id/top', async (ctx) => {
    const out = await c().top(ctx.param('id'), ctx.query.get('ps_args') || '-ef');
    ctx.sendJson(200, { Titles: out.titles, Processes: out.processes });
  });

  r.get('/containers/:id/changes', async (ctx) => {
    const changes = await c().changes(ctx.param('id'));
    ctx.sendJson(200, changes.length ? changes.map((x) => ({ Path: x.path, Kind: x.kind })) : null);
  });

  r.get('/containers/:id/export', async (ctx) => {
    const stream = await c().export(ctx.param('id'));
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await pipeTo(stream, ctx.res, ctx.signal);
  });

  const statHeader = (stat: unknown) => Buffer.from(JSON.stringify(stat)).toString('base64');
  r.head('/containers/:id/archive', async (ctx) => {
    const stat = await c().archiveStat(ctx.param('id'), ctx.query.get('path') ?? '');
    ctx.res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Length': 0 });
    ctx.res.end();
  });
  r.get('/containers/:id/archive', async (ctx) => {
    const { stat, stream } = await c().getArchive(ctx.param('id'), ctx.query.get('path') ?? '');
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(stat) });
    await pipeTo(stream, ctx.res, ctx.signal);
  });
  r.put('/containers/:id/archive', async (ctx) => {
    await c().putArchive(ctx.param('id'), ctx.query.get('path') ?? '', ctx.req, {
      noOverwriteDirNonDir: ctx.bool('noOverwriteDirNonDir'),
      copyUidGid: ctx.bool('copyUIDGID'),
    });
    ctx.res.writeHead(200, { 'Content-Length': 0 });
    ctx.res.end();
  });

  r.get('/containers/:id/logs', async (ctx) => {
    const stdout = ctx.bool('stdout');
    const stderr = ctx.bool('stderr');
    if (!stdout && !stderr) throw new InvalidParameterError('Bad parameters: you must choose at least one stream');
    const tailRaw = ctx.query.get('tail') ?? 'all';
    let tail: number | null = null;
    if (tailRaw !== 'all' && tailRaw !== '') {
      const n = Number(tailRaw);
      // Docker treats a negative or unparsable tail as "all".
      tail = Number.isInteger(n) && n >= 0 ? n : null;
    }
    const now = Date.now();
    const since = parseEventTime(ctx.query.get('since'), now);
    const until = parseEventTime(ctx.query.get('until'), now);
    const timestamps = ctx.bool('timestamps');
    const { tty, records } = c().logs(ctx.param('id'), {
      stdout,
      stderr,
      follow: ctx.bool('follow'),
      tail,
      sinceNs: since !== null && since > 0 ? BigInt(Math.round(since)) : null,
      untilNs: until !== null && until > 0 ? BigInt(Math.round(until)) : null,
      signal: ctx.signal,
    });
    ctx.res.writeHead(200, { 'Content-Type': tty ? RAW_STREAM_TYPE : MULTIPLEXED_STREAM_TYPE });
    ctx.res.flushHeaders();
    for await (const rec of records) {
      const data = timestamps ? Buffer.concat([Buffer.from(formatTimestampNs(rec.timeNs) + ' '), rec.data]) : rec.data;
      if (!ctx.res.write(tty ? data : frame(rec.stream, data))) await ctx.drained();
      if (ctx.signal.aborted) break;
    }
    ctx.res.end();
  });

  r.get('/containers/:id/stats', async (ctx) => {
    const id = ctx.param('id');
    const stream = ctx.bool('stream', true);
    const oneShot = ctx.bool('one-shot');
    let prev = await c().stats(id);
    if (!stream) {
      // Docker's non-streaming answer carries two samples a second apart, so CPU % can be computed;
      // one-shot skips the wait and leaves precpu_stats empty.
      if (oneShot) return ctx.sendJson(200, statsJson(prev, null));
      await sleepUnlessAborted(1000, ctx.signal);
      return ctx.sendJson(200, statsJson(await c().stats(id), prev));
    }
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res.write(JSON.stringify(statsJson(prev, null)) + '\n');
    while (!ctx.signal.aborted) {
      await sleepUnlessAborted(1000, ctx.signal);
      if (ctx.signal.aborted) break;
      let cur;
      try {
        cur = await c().stats(id);
      } catch {
        break; // removed while streamed
      }
      ctx.res.write(JSON.stringify(statsJson(cur, prev)) + '\n');
      prev = cur;
    }
    ctx.res.end();
  });

  r.post('/containers/:id/attach', async (ctx) => {
    const id = ctx.param('id');
    const rec = c().get(id);
    const tty = !!rec.config.Tty;
    // Some clients (dockerode) send their options as a JSON body too; Docker ignores it, and it must
    // not reach the container's stdin after the hijack.
    if (Number(ctx.req.headers['content-length'] ?? 0) > 0) await ctx.json<unknown>({}).catch(() => undefined);
    // Checked before the hijack, so a bad spec is a plain 400.
    const keys = tty && ctx.bool('stdin') ? detachKeyBytes(ctx.query.get('detachKeys')) : null;
    const sock = ctx.hijack(tty ? RAW_STREAM_TYPE : MULTIPLEXED_STREAM_TYPE);
    const write = (stream: 'stdout' | 'stderr', data: Buffer) => {
      if (!sock.writable) return;
      sock.write(tty ? data : frame(stream, data));
    };
    let session: { close(): void; done: Promise<void> } | null = null;
    let detached = false;
    const stdin = keys
      ? detachable(sock, keys, () => {
          detached = true;
          session?.close();
        })
      : sock;
    try {
      session = await c().attach(id, {
        ...(ctx.bool('stdin') ? { stdin } : {}),
        stdout: ctx.bool('stdout'),
        stderr: ctx.bool('stderr'),
        stream: ctx.bool('stream'),
        logs: ctx.bool('logs'),
        onOutput: write,
        signal: ctx.signal,
      });
      const open = session;
      sock.once('close', () => open.close());
      if (detached) open.close();
      await open.done;
    } catch (e) {
      write('stderr', Buffer.from(`Error: ${(e as Error).message}\n`));
    }
    sock.end();
  });
}

/**
 * GET /containers/{id}/attach/ws: attach over a websocket (browsers cannot hijack HTTP). Output goes
 * out as binary messages, raw (no stream multiplexing, as Docker's); what the client sends is stdin,
 * and its close ends stdin.
 */
export function registerWebSocketAttach(r: Router, s: Services): void {
  r.get('/containers/:id/attach/ws', async (ctx) => {
    const id = ctx.param('id');
    s.containers.get(id); // 404 before the handshake
    const ws = await ctx.acceptWebSocket();
    ws.on('error', () => {});
    const stdin = new PassThrough();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      stdin.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
    });
    const abort = new AbortController();
    ws.on('close', () => {
      stdin.end();
      abort.abort();
    });
    try {
      const session = await s.containers.attach(id, {
        ...(ctx.bool('stdin') ? { stdin } : {}),
        stdout: ctx.bool('stdout'),
        stderr: ctx.bool('stderr'),
        stream: ctx.bool('stream'),
        logs: ctx.bool('logs'),
        onOutput: (_stream, data) => {
          if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
        },
        signal: abort.signal,
      });
      ws.once('close', () => session.close());
      await session.done;
    } catch (e) {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.from(`Error: ${(e as Error).message}\n`), { binary: true });
    }
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
}

function stopOpts(q: URLSearchParams, t: number | undefined): { signal?: string; timeout?: number } {
  const out: { signal?: string; timeout?: number } = {};
  const sig = q.get('signal');
  if (sig) out.signal = sig;
  if (t !== undefined) out.timeout = t;
  return out;
}

async function pipeTo(src: NodeJS.ReadableStream & { destroy?(e?: Error): void }, res: Writable, signal: AbortSignal): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  try {
    await pipeline(src, res, { signal });
  } catch (e) {
    // The client went away, or the archive failed midway: the response is already started, so the
    // connection is cut (the HTTP layer destroys it).
    if (!signal.aborted) throw e;
  }
}

// ---------------------------------------------------------------------------- model -> wire

type StatsSample = Awaited<ReturnType<Services['containers']['stats']>>;

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function cpuStats(s: StatsSample | null) {
  return {
    cpu_usage: { total_usage: s?.sample?.cpuTotalNs ?? 0, usage_in_kernelmode: s?.sample?.cpuKernelNs ?? 0, usage_in_usermode: s?.sample?.cpuUserNs ?? 0 },
    system_cpu_usage: s?.systemCpuNs ?? 0,
    online_cpus: s?.onlineCpus ?? 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** Docker's stats JSON (the fields the docker CLI reads); a stopped container reports zeros. */
export function statsJson(cur: StatsSample, prev: StatsSample | null): Record<string, unknown> {
  const m = cur.sample;
  return {
    name: '/' + cur.record.name,
    id: cur.record.id,
    read: cur.read.toISOString(),
    preread: prev ? prev.read.toISOString() : '0001-01-01T00:00:00Z',
    pids_stats: m ? { current: m.pidsCurrent, ...(m.pidsLimit !== null ? { limit: m.pidsLimit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(prev),
    // Unlimited memory is reported as the host's total, as Docker does.
    memory_stats: m ? { usage: m.memoryUsage, stats: m.memoryStat, limit: m.memoryLimit ?? os.totalmem() } : {},
    ...(cur.networks ? { networks: cur.networks } : {}),
  };
}

function networkName(mode: string | undefined): string {
  if (!mode || mode === 'default') return 'bridge';
  if (mode.startsWith('container:')) return '';
  return mode;
}

function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: '',
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DriverOpts: null,
    DNSNames: null,
  };
}

function networks(rec: ContainerRecord): Record<string, EndpointSettings> {
  if (rec.network?.endpoints.length) {
    const out: Record<string, EndpointSettings> = {};
    for (const e of rec.network.endpoints) {
      out[e.network] = {
        ...emptyEndpoint(),
        Aliases: e.aliases.length ? e.aliases : null,
        DNSNames: e.dnsNames?.length ? e.dnsNames : null,
        NetworkID: e.networkId,
        EndpointID: e.endpointId,
        Gateway: e.gateway,
        IPAddress: e.ipAddress,
        IPPrefixLen: e.ipPrefixLen,
        MacAddress: e.macAddress,
      };
    }
    return out;
  }
  const n = networkName(rec.hostConfig.NetworkMode);
  return n ? { [n]: emptyEndpoint() } : {};
}

function isRunning(rec: ContainerRecord): boolean {
  return rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';
}

function networkSettings(rec: ContainerRecord): NetworkSettings {
  // Until networking reports endpoints every container has loopback only (or the host's stack), so
  // the addresses are empty as Docker shows them for --network none. The top-level address fields
  // are the first endpoint's, as Docker's legacy fields are the default bridge's.
  const first = rec.network?.endpoints[0];
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: rec.network?.sandboxKey ?? '',
    Ports: isRunning(rec) ? inspectPorts(rec.config.ExposedPorts, rec.network?.ports ?? []) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: first?.endpointId ?? '',
    Gateway: first?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: first?.ipAddress ?? '',
    IPPrefixLen: first?.ipPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: first?.macAddress ?? '',
    Networks: networks(rec),
  };
}

function mountPoint(m: MountRecord): MountPoint {
  return {
    Type: m.type,
    ...(m.name ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === 'volume' ? { Driver: m.driver ?? 'local' } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  };
}

/** Docker's inspect shows every HostConfig field; these are its defaults under what was given. */
function hostConfigOut(hc: HostConfig): HostConfig {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: 'default',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpusetCpus: '',
    MemoryReservation: 0,
    MemorySwap: 0,
    PidsLimit: null,
    Ulimits: null,
    OomKillDisable: null,
    Init: null,
    ...hc,
  };
}

export function toInspect(v: ContainerView): ContainerInspect {
  const c = v.record;
  const st = c.state;
  const out: ContainerInspect = {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: {
      Status: st.status,
      Running: st.status === 'running' || st.status === 'paused',
      Paused: st.status === 'paused',
      Restarting: st.status === 'restarting',
      OOMKilled: st.oomKilled,
      Dead: st.status === 'dead',
      Pid: st.pid,
      ExitCode: st.exitCode,
      Error: st.error,
      StartedAt: st.startedAt,
      FinishedAt: st.finishedAt,
      ...(st.health ? { Health: st.health } : {}),
    },
    Image: c.image,
    ResolvConfPath: v.paths.resolvConfFile,
    HostnamePath: v.paths.hostnameFile,
    HostsPath: v.paths.hostsFile,
    LogPath: v.logPath,
    Name: '/' + c.name,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: v.execIds.length ? v.execIds : null,
    HostConfig: hostConfigOut(c.hostConfig),
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: [...c.layerDirs].reverse().join(':'),
        MergedDir: v.paths.mergedDir,
        UpperDir: v.paths.upperDir,
        WorkDir: v.paths.workDir,
      },
    },
    Mounts: c.mounts.filter((m) => !m.hidden).map(mountPoint),
    Config: c.config,
    NetworkSettings: networkSettings(c),
  };
  if (v.sizeRw !== undefined) out.SizeRw = v.sizeRw;
  if (v.sizeRootFs !== undefined) out.SizeRootFs = v.sizeRootFs;
  return out;
}

export function toSummary(v: ContainerView): ContainerSummary {
  const c = v.record;
  const out: ContainerSummary = {
    Id: c.id,
    Names: ['/' + c.name],
    Image: c.imageRef,
    ImageID: c.image,
    // Docker quotes arguments that contain spaces in the COMMAND column.
    Command: [c.path, ...c.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: isRunning(c) ? summaryPorts(c.config.ExposedPorts, c.network?.ports ?? []) : [],
    Labels: c.config.Labels ?? {},
    State: c.state.status,
    Status: v.statusText,
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: networks(c) },
    Mounts: c.mounts.filter((m) => !m.hidden).map(mountPoint),
  };
  if (v.sizeRw !== undefined) out.SizeRw = v.sizeRw;
  if (v.sizeRootFs !== undefined) out.SizeRootFs = v.sizeRootFs;
  return out;
}
