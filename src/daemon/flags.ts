// berthd's command line, shaped like dockerd's so that operators' habits carry over:
// -H/--host (repeatable), --data-root (alias -g/--graph), --exec-root, -p/--pidfile, -b/--bridge, --bip,
// -l/--log-level, -D/--debug, --default-runtime, --log-opt max-size=/max-file=, -G/--group; and berth's
// own --start-ahead.
import { LOG_DRIVERS, unknownLogDriver, validateLogConfig } from '../engine/containers/log-drivers.js';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { defaultConfig, type DaemonConfig } from './config.js';
import type { LogLevel } from './logger.js';
import { InvalidParameterError } from '../errors.js';
import { parseByteSize } from './byte-size.js';
import { normaliseMirror } from '../lib/distribution/endpoints.js';

export function parseDaemonFlags(argv: string[]): DaemonConfig {
  const program = new Command('berthd')
    .description('berth daemon: serves the Docker Engine API')
    .helpOption('--help', 'Print usage')
    .option('-H, --host <addr>', 'Daemon socket(s) to connect to (unix:///path, tcp://addr:port)', collect, [] as string[])
    .option('--data-root <dir>', 'Root directory of persistent berth state', '/var/lib/berth')
    .addOption(new Option('-g, --graph <dir>', 'Deprecated alias of --data-root').hideHelp())
    .option('--exec-root <dir>', 'Root directory for execution state files', '/run/berth')
    .option('-p, --pidfile <file>', 'Path to use for daemon PID file')
    .option('-b, --bridge <name>', 'Attach containers to a network bridge', 'berth0')
    .option('--bip <cidr>', 'Specify network bridge IP', '172.30.0.1/16')
    .option('--dns <ip>', 'DNS server the embedded DNS of user-defined networks forwards to (default: the host\'s)', collect, [] as string[])
    .addOption(new Option('-l, --log-level <level>', 'Set the logging level').choices(['debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .option('-D, --debug', 'Enable debug mode')
    .option('--default-runtime <name>', 'Default OCI runtime for containers', 'runc')
    .option('--log-driver <name>', 'Default driver for container logs (json-file, local, k8s-file, none)', 'json-file')
    .option('--log-opt <k=v>', 'Default log driver options for containers (max-size, max-file)', collect, [] as string[])
    .option('-G, --group <name>', 'Group for the unix socket', 'root')
    .option('--tls [bool]', 'Use TLS; implied by --tlsverify')
    .option('--tlsverify [bool]', 'Use TLS and verify the remote')
    .option('--tlscacert <file>', 'Trust certs signed only by this CA', path.join(os.homedir(), '.docker', 'ca.pem'))
    .option('--tlscert <file>', 'Path to TLS certificate file', path.join(os.homedir(), '.docker', 'cert.pem'))
    .option('--tlskey <file>', 'Path to TLS key file', path.join(os.homedir(), '.docker', 'key.pem'))
    .option('--api-cors-header <origin>', 'Set CORS headers in the Engine API')
    .option('--web <addr>', 'Serve the dashboard (and the API) on this TCP address, e.g. 127.0.0.1:2380 (berth)')
    .addOption(new Option('--start-ahead <bool>', 'Prepare a created container\'s run before its start arrives (berth)').choices(['true', 'false']).default('true'))
    .option('--registry-mirror <url>', 'Preferred Docker registry mirror (for docker.io images)', collect, [] as string[])
    .option('--insecure-registry <host>', 'Enable insecure registry communication (host[:port] or CIDR)', collect, [] as string[])
    .option('--max-concurrent-downloads <n>', 'Set the max concurrent downloads for each pull', '3')
    .option('--max-concurrent-uploads <n>', 'Set the max concurrent uploads for each push', '5')
    .addOption(new Option('--docker-hub-url <url>', 'Where docker.io images come from after the mirrors (berth; tests keep it on loopback)').hideHelp())
    .version('0.1.0', '-v, --version', 'Print version information and quit')
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{
    host: string[];
    dataRoot: string;
    graph?: string;
    execRoot: string;
    pidfile?: string;
    bridge: string;
    bip: string;
    dns: string[];
    logLevel: LogLevel;
    debug?: boolean;
    defaultRuntime: string;
    logOpt: string[];
    logDriver: string;
    group: string;
    startAhead: 'true' | 'false';
    tls?: boolean | string;
    tlsverify?: boolean | string;
    tlscacert: string;
    tlscert: string;
    tlskey: string;
    apiCorsHeader?: string;
    web?: string;
    registryMirror: string[];
    insecureRegistry: string[];
    maxConcurrentDownloads: string;
    maxConcurrentUploads: string;
    dockerHubUrl?: string;
  }>();
  const bool = (flag: string, v: boolean | string | undefined): boolean | undefined => {
    if (v === undefined || typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new InvalidParameterError(`invalid boolean value "${v}" for --${flag}`);
  };
  const tlsVerify = bool('tlsverify', o.tlsverify);
  const tlsFlag = bool('tls', o.tls);
  const execRoot = path.resolve(o.execRoot);
  const hosts = o.host.length ? o.host.map(normaliseHost) : [`unix://${path.join(execRoot, 'berth.sock')}`];
  let logMaxSize = 10 * 1024 * 1024;
  let logMaxFile = 3;
  const logOpts: Record<string, string> = {};
  // dockerd checks its --log-opt values against its --log-driver at start-up ("failed to set log opts").
  // An unknown driver is refused here even without options (dockerd would start and refuse every create).
  if (!LOG_DRIVERS.includes(o.logDriver)) throw unknownLogDriver(o.logDriver);
  for (const kv of o.logOpt) {
    const [k, v] = splitKv(kv);
    logOpts[k] = v;
    if (k === 'max-size') logMaxSize = parseByteSize(v);
    else if (k === 'max-file') {
      logMaxFile = Number(v);
      if (!Number.isInteger(logMaxFile) || logMaxFile < 1) throw new InvalidParameterError(`invalid value for max-file: ${v}`);
    }
  }
  try {
    validateLogConfig(o.logDriver, logOpts);
  } catch (e) {
    throw new InvalidParameterError(`failed to set log opts: ${(e as Error).message}`);
  }
  if (o.defaultRuntime !== 'runc') throw new InvalidParameterError(`default runtime ${o.defaultRuntime} is not supported (only runc works on this host)`);
  return defaultConfig({
    dataRoot: path.resolve(o.graph ?? o.dataRoot),
    execRoot,
    hosts,
    pidfile: path.resolve(o.pidfile ?? path.join(execRoot, 'berthd.pid')),
    bridge: o.bridge,
    bip: o.bip,
    dns: o.dns,
    logLevel: o.debug ? 'debug' : o.logLevel,
    defaultRuntime: o.defaultRuntime,
    logMaxSize,
    logMaxFile,
    logOpts,
    logDriver: o.logDriver,
    group: o.group,
    tls: tlsVerify ? true : tlsFlag,
    tlsVerify: !!tlsVerify,
    tlsCaCert: o.tlscacert,
    tlsCert: o.tlscert,
    tlsKey: o.tlskey,
    corsOrigin: o.apiCorsHeader ?? '',
    web: o.web ? normaliseHost(o.web.includes('://') ? o.web : `tcp://${o.web}`) : '',
    startAhead: o.startAhead === 'true',
    registryMirrors: o.registryMirror.map((m) => {
      try {
        return normaliseMirror(m);
      } catch (e) {
        throw new InvalidParameterError((e as Error).message);
      }
    }),
    insecureRegistries: o.insecureRegistry,
    maxConcurrentDownloads: positiveInt('max-concurrent-downloads', o.maxConcurrentDownloads),
    maxConcurrentUploads: positiveInt('max-concurrent-uploads', o.maxConcurrentUploads),
    ...(o.dockerHubUrl ? { dockerHubUrl: o.dockerHubUrl } : {}),
  });
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidParameterError(`invalid value "${v}" for --${flag}: a positive integer is expected`);
  return n;
}

function collect(v: string, acc: string[]): string[] {
  return [...acc, v];
}

function splitKv(kv: string): [string, string] {
  const i = kv.indexOf('=');
  if (i <= 0) throw new InvalidParameterError(`invalid log opt: ${kv} (expected key=value)`);
  return [kv.slice(0, i), kv.slice(i + 1)];
}

/** dockerd accepts `unix:///p`, `tcp://h:p`, `fd://` and bare `/path` or `:2375` shorthands. */
export function normaliseHost(h: string): string {
  if (h.startsWith('unix://') || h.startsWith('tcp://')) return h;
  if (h.startsWith('/')) return `unix://${h}`;
  if (/^[\w.-]*:\d+$/.test(h)) return `tcp://${h.startsWith(':') ? '127.0.0.1' + h : h}`;
  throw new InvalidParameterError(`invalid host address: ${h} (use unix:///path or tcp://addr:port)`);
}
