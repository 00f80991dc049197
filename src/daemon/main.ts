// berthd: parses flags, builds every service in one readable place, reconciles state left by a
// previous run, serves the API, and on SIGTERM/SIGINT stops serving while leaving containers running
// (conmon keeps them; the next berthd finds them again).
import fs from 'node:fs/promises';
import path from 'node:path';
import type net from 'node:net';
import { CommanderError } from 'commander';
import { parseDaemonFlags } from './flags.js';
import { createLogger } from './logger.js';
import { acquirePidfile, releasePidfile } from './pidfile.js';
import { listen, isLoopbackHost, type ListenTls } from './listeners.js';
import type { Services } from './services.js';
import { EventBus } from '../engine/events.js';
import { ImageService } from '../engine/images/image-service.js';
import { DistributionService } from '../engine/distribution/distribution-service.js';
import { NetworkService } from '../engine/networks/network-service.js';
import { ContainerService } from '../engine/containers/container-service.js';
import { Builder } from '../engine/builder/builder.js';
import { VolumeService } from '../engine/volumes/volume-service.js';
import { ConmonRuntime } from '../host/conmon-runtime.js';
import { probeHost } from '../host/host-info.js';
import { ApiServer } from '../server/http-server.js';
import { registerAllRoutes } from '../server/routes/index.js';
import { WebLogin, markNeedsLogin, newLoginToken } from '../server/web-login.js';
import { writeFileAtomic } from '../engine/atomic-file.js';

export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseDaemonFlags(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`berthd: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  try {
    await run(config, log);
  } catch (e) {
    log.error(`berthd failed to start: ${(e as Error).message}`);
    process.exit(1);
  }
}

async function run(config: ReturnType<typeof parseDaemonFlags>, log: ReturnType<typeof createLogger>): Promise<void> {
  const t0 = Date.now();
  // Listener checks first: a daemon that must not start does nothing else.
  const tlsOpts = await loadTls(config);
  const hosts = config.web ? [...config.hosts, config.web] : config.hosts;
  for (const h of hosts) {
    if (h.startsWith('tcp://') && !tlsOpts && !isLoopbackHost(h) && config.tls !== false) {
      throw new Error(
        `refusing to listen on ${h} without TLS: anyone who can reach that address would own this host. ` +
          'Use --tlsverify with --tlscacert, --tlscert and --tlskey (mutual TLS), or pass --tls=false to listen in the clear on purpose',
      );
    }
  }
  await fs.mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await fs.mkdir(config.execRoot, { recursive: true, mode: 0o711 });
  await acquirePidfile(config.pidfile);
  // Its `--version` calls run in the background while the services below start.
  const host = probeHost();

  const events = new EventBus();
  const runtime = new ConmonRuntime({ execRoot: config.execRoot, log });
  // The image service asks the container service which containers use an image (rmi conflicts); the
  // container service is built after it, so the question is late-bound.
  let containers: ContainerService | null = null;
  const images = new ImageService({
    dataRoot: config.dataRoot,
    events,
    log,
    usage: { containersUsing: (id) => containers?.containersUsing(id) ?? [] },
  });
  const volumes = new VolumeService({ root: path.join(config.dataRoot, 'volumes'), events, log });
  const networks = new NetworkService({ dataRoot: config.dataRoot, bridge: config.bridge, bip: config.bip, dns: config.dns, events, log });
  containers = new ContainerService({ config, runtime, images, volumes, events, log, networking: networks });
  networks.hasUser = (n) => containers!.usesNetwork(n.id, n.name);

  // Independent stores: the network one waits on `ip` and iptables-restore while the others read disk.
  await Promise.all([images.init(), volumes.init(), networks.init()]);
  await containers.init();
  await networks.adopt(containers.runningRecords());
  const builder = new Builder(images, containers, config.dataRoot, log);
  await builder.init();

  const distribution = new DistributionService({
    dataRoot: config.dataRoot,
    images,
    events,
    log,
    mirrors: config.registryMirrors,
    insecureRegistries: config.insecureRegistries,
    maxConcurrentDownloads: config.maxConcurrentDownloads,
    maxConcurrentUploads: config.maxConcurrentUploads,
    dockerHubUrl: config.dockerHubUrl,
  });
  await distribution.init();
  // The builder pulls a missing base image (and every base with pull=1) as the classic builder does.
  builder.pullImage = (ref, o) => distribution.pullNamed(ref, o);

  const services: Services = { config, log, events, images, containers, volumes, networks, builder, host, distribution };
  const api = new ApiServer(log);
  api.corsOrigin = config.corsOrigin ?? '';
  registerAllRoutes(api.router, services);
  // A --web listener off loopback whose clients no certificate proves (no --tlsverify) takes a login:
  // a token made now, printed below and kept (0600) in the exec root for whoever runs berthd.
  let loginToken = '';
  if (config.web && !isLoopbackHost(config.web) && !tlsOpts?.ca) {
    loginToken = newLoginToken();
    await writeFileAtomic(path.join(config.execRoot, 'dashboard-token'), `${loginToken}\n`, 0o600);
    api.webLogin = new WebLogin(loginToken);
  } else {
    // A token left by an earlier start would mislead: this start needs none.
    await fs.rm(path.join(config.execRoot, 'dashboard-token'), { force: true });
  }
  const listeners: net.Server[] = [];
  for (const h of hosts) {
    const mark = loginToken && h === config.web ? markNeedsLogin : undefined;
    listeners.push(
      await listen(api.server, h, config.group, {
        tls: h.startsWith('tcp://') ? tlsOpts : undefined,
        onConnection: mark,
        onRefused: (reason, remote) => log.info(`TLS client ${remote} on ${h} refused: ${reason}`),
      }),
    );
    log.info(`API listen on ${h}${h.startsWith('tcp://') && tlsOpts ? (tlsOpts.ca ? ' (TLS, client certificates verified)' : ' (TLS)') : ''}`);
  }
  if (config.web) {
    const page = `${tlsOpts ? 'https' : 'http'}://${config.web.slice('tcp://'.length)}/dashboard/`;
    if (loginToken) {
      log.info(`dashboard at ${page} (off loopback: log in with the token ${loginToken}, also in ${path.join(config.execRoot, 'dashboard-token')}; or open ${page}?token=${loginToken})`);
    } else log.info(`dashboard at ${page}`);
  }
  log.info(`berthd started in ${Date.now() - t0}ms (data root ${config.dataRoot}, exec root ${config.execRoot})`);

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${sig}, shutting down; containers keep running`);
    for (const l of listeners) l.close();
    api.server.closeAllConnections?.();
    await containers!.shutdown().catch((e) => log.error('container service shutdown', e));
    networks.close();
    for (const h of config.hosts) if (h.startsWith('unix://')) await fs.rm(h.slice(7), { force: true });
    await releasePidfile(config.pidfile);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The key pair (and with --tlsverify the CA) for TCP listeners; undefined without --tls/--tlsverify. */
async function loadTls(config: ReturnType<typeof parseDaemonFlags>): Promise<ListenTls | undefined> {
  if (!config.tls && !config.tlsVerify) return undefined;
  const read = async (what: string, file: string | undefined) => {
    try {
      return await fs.readFile(file ?? '');
    } catch (e) {
      throw new Error(`could not load the TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  const [cert, key] = await Promise.all([read('certificate', config.tlsCert), read('key', config.tlsKey)]);
  return { cert, key, ...(config.tlsVerify ? { ca: await read('CA certificate', config.tlsCaCert) } : {}) };
}
