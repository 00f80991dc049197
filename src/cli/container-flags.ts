// The flags of `run` and `create` (docker's containerOptions) and their pure translation into a
// POST /containers/create body, following the docker CLI's parse(): attach defaults, env files before
// -e flags, binds vs anonymous volumes, resources, restart policy, log options, ports.
import { parseGoDuration } from './timestamp.js';
import type { ContainerCreateRequest, HostConfig } from '../api/types/index.js';
import { kvToMap, parseKvFile, parseNanoCpus, parseRamBytes, parseRestartPolicy, parseSwapBytes, parseUlimit, resolveEnvFlag, validateLabel } from './flag-values.js';
import { parseMountFlag, parseTmpfsFlags, parseVolumeFlags } from './mount-spec.js';
import { parsePortSpecs } from './port-spec.js';

/** Commander's camelCased view of the flags (repeatable ones are arrays, absent ones undefined). */
export interface ContainerFlags {
  attach?: string[];
  env?: string[];
  envFile?: string[];
  entrypoint?: string;
  hostname?: string;
  domainname?: string;
  interactive?: boolean;
  tty?: boolean;
  label?: string[];
  labelFile?: string[];
  readOnly?: boolean;
  restart?: string;
  stopSignal?: string;
  stopTimeout?: string;
  user?: string;
  workdir?: string;
  rm?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  addHost?: string[];
  dns?: string[];
  dnsOption?: string[];
  dnsSearch?: string[];
  expose?: string[];
  publish?: string[];
  publishAll?: boolean;
  network?: string;
  net?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthRetries?: string;
  healthStartInterval?: string;
  healthStartPeriod?: string;
  healthTimeout?: string;
  healthcheck?: boolean;
  networkAlias?: string[];
  netAlias?: string[];
  ip?: string;
  link?: string[];
  logDriver?: string;
  logOpt?: string[];
  tmpfs?: string[];
  volume?: string[];
  mount?: string[];
  volumesFrom?: string[];
  cpuShares?: string;
  cpus?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  oomKillDisable?: boolean;
  oomScoreAdj?: string;
  pidsLimit?: string;
  ulimit?: string[];
  ipc?: string;
  pid?: string;
  uts?: string;
  shmSize?: string;
  runtime?: string;
  init?: boolean;
  sysctl?: string[];
  groupAdd?: string[];
  cidfile?: string;
  name?: string;
  platform?: string;
  detach?: boolean;
}

export interface FlagEnv {
  /** The local environment, for `-e KEY` and env-file lines without a value. */
  lookupEnv: (k: string) => string | undefined;
  /** Reads a local file (env and label files). */
  readFile: (p: string) => string;
  cwd: string;
}

/** A flag value the docker CLI would refuse while parsing flags: `invalid argument "x" for "-m, --memory" flag: ...`. */
export class FlagValueError extends Error {}

export function flagValue<T>(flag: string, v: string, parse: (s: string) => T): T {
  try {
    return parse(v);
  } catch (e) {
    throw new FlagValueError(`invalid argument "${v}" for "${flag}" flag: ${(e as Error).message}`);
  }
}

/** An integer flag value, refused in the docker CLI's (Go strconv) words. */
export function int(flag: string, v: string): number {
  return flagValue(flag, v, (s) => {
    if (!/^[+-]?\d+$/.test(s.trim())) throw new Error(`strconv.ParseInt: parsing "${s}": invalid syntax`);
    return Number(s);
  });
}

const ATTACHABLE = ['stdin', 'stdout', 'stderr'];

export function buildCreateRequest(f: ContainerFlags, image: string, args: string[], env: FlagEnv): ContainerCreateRequest {
  const attach = (f.attach ?? []).map((a) => {
    const s = a.toLowerCase();
    if (!ATTACHABLE.includes(s)) throw new FlagValueError(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    return s;
  });
  let attachStdin = attach.includes('stdin') || !!f.interactive;
  let attachStdout = attach.length === 0 || attach.includes('stdout');
  let attachStderr = attach.length === 0 || attach.includes('stderr');

  const envVars = [
    ...(f.envFile ?? []).flatMap((file) => {
      let text: string;
      try {
        text = env.readFile(file);
      } catch (e) {
        throw new Error(`open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      }
      try {
        return parseKvFile(text, env.lookupEnv);
      } catch (e) {
        throw new Error(`invalid env file (${file}): ${(e as Error).message}`);
      }
    }),
    ...(f.env ?? []).map((e) => flagValue('-e, --env', e, (s) => resolveEnvFlag(s, env.lookupEnv))),
  ];
  const labels = [
    ...(f.labelFile ?? []).flatMap((file) => parseKvFile(env.readFile(file), null)),
    ...(f.label ?? []).map((l) => flagValue('-l, --label', l, validateLabel)),
  ];

  const vols = parseVolumeFlags(f.volume ?? [], env.cwd);
  const ports = parsePortSpecs(f.publish ?? [], f.expose ?? []);
  const restart = parseRestartPolicy(f.restart ?? '');
  if (f.rm && restart.Name !== '' && restart.Name !== 'no') throw new Error('conflicting options: cannot specify both --restart and --rm');
  const logOpts = kvToMap(f.logOpt ?? []);
  if (f.logDriver === 'none' && (f.logOpt ?? []).length > 0) throw new Error(`invalid logging opts for driver ${f.logDriver}`);

  if (f.detach) {
    attachStdin = attachStdout = attachStderr = false;
    if ((f.attach ?? []).length) throw new Error('conflicting options: cannot specify both --attach and --detach');
  }

  const hc: HostConfig = {};
  if (vols.binds.length) hc.Binds = vols.binds;
  if (f.mount?.length) hc.Mounts = f.mount.map((m) => flagValue('--mount', m, (s) => parseMountFlag(s, env.cwd)));
  if (f.tmpfs?.length) hc.Tmpfs = parseTmpfsFlags(f.tmpfs);
  const network = f.network ?? f.net;
  if (network) hc.NetworkMode = network;
  if (Object.keys(ports.bindings).length) hc.PortBindings = ports.bindings;
  if (f.publishAll) hc.PublishAllPorts = true;
  if (f.link?.length) hc.Links = f.link;
  if (restart.Name !== '') hc.RestartPolicy = restart;
  if (f.rm) hc.AutoRemove = true;
  if (f.capAdd?.length) hc.CapAdd = f.capAdd;
  if (f.capDrop?.length) hc.CapDrop = f.capDrop;
  if (f.privileged) hc.Privileged = true;
  if (f.readOnly) hc.ReadonlyRootfs = true;
  if (f.securityOpt?.length) hc.SecurityOpt = f.securityOpt;
  if (f.dns?.length) hc.Dns = f.dns;
  if (f.dnsOption?.length) hc.DnsOptions = f.dnsOption;
  if (f.dnsSearch?.length) hc.DnsSearch = f.dnsSearch;
  if (f.addHost?.length) hc.ExtraHosts = f.addHost;
  if (f.volumesFrom?.length) hc.VolumesFrom = f.volumesFrom;
  if (f.groupAdd?.length) hc.GroupAdd = f.groupAdd;
  if (f.logDriver || Object.keys(logOpts).length) hc.LogConfig = { Type: f.logDriver ?? '', Config: logOpts };
  if (f.memory !== undefined) hc.Memory = flagValue('-m, --memory', f.memory, parseRamBytes);
  if (f.memoryReservation !== undefined) hc.MemoryReservation = flagValue('--memory-reservation', f.memoryReservation, parseRamBytes);
  if (f.memorySwap !== undefined) hc.MemorySwap = flagValue('--memory-swap', f.memorySwap, parseSwapBytes);
  if (f.oomKillDisable) hc.OomKillDisable = true;
  if (f.oomScoreAdj !== undefined) hc.OomScoreAdj = int('--oom-score-adj', f.oomScoreAdj);
  if (f.cpus !== undefined) hc.NanoCpus = flagValue('--cpus', f.cpus, parseNanoCpus);
  if (f.cpuShares !== undefined) hc.CpuShares = int('-c, --cpu-shares', f.cpuShares);
  if (f.cpuPeriod !== undefined) hc.CpuPeriod = int('--cpu-period', f.cpuPeriod);
  if (f.cpuQuota !== undefined) hc.CpuQuota = int('--cpu-quota', f.cpuQuota);
  if (f.cpusetCpus) hc.CpusetCpus = f.cpusetCpus;
  if (f.pidsLimit !== undefined) hc.PidsLimit = int('--pids-limit', f.pidsLimit);
  if (f.ulimit?.length) {
    // Later flags for the same name win; sorted by name like docker's UlimitOpt.
    const byName = new Map(f.ulimit.map((u) => flagValue('--ulimit', u, parseUlimit)).map((u) => [u.Name, u]));
    hc.Ulimits = [...byName.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }
  if (f.shmSize !== undefined) hc.ShmSize = flagValue('--shm-size', f.shmSize, parseRamBytes);
  if (f.ipc) hc.IpcMode = f.ipc;
  if (f.pid) hc.PidMode = f.pid;
  if (f.uts) hc.UTSMode = f.uts;
  if (f.runtime) hc.Runtime = f.runtime;
  if (f.init !== undefined) hc.Init = f.init;
  if (f.sysctl?.length) hc.Sysctls = kvToMap(f.sysctl);
  if (f.cidfile) hc.ContainerIDFile = f.cidfile;

  const req: ContainerCreateRequest = {
    Hostname: f.hostname ?? '',
    Domainname: f.domainname ?? '',
    User: f.user ?? '',
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    Tty: !!f.tty,
    OpenStdin: !!f.interactive,
    // When stdin is attached, the container's stdin closes when the client disconnects.
    StdinOnce: !!f.interactive && attachStdin,
    Env: envVars,
    Cmd: args.length ? args : null,
    Image: image,
    Volumes: Object.keys(vols.volumes).length ? vols.volumes : null,
    WorkingDir: f.workdir ?? '',
    // `--entrypoint ""` resets the image's entrypoint: docker sends [""] for that.
    Entrypoint: f.entrypoint === undefined ? null : [f.entrypoint],
    Labels: kvToMap(labels),
    HostConfig: hc,
  };
  if (Object.keys(ports.exposed).length) req.ExposedPorts = ports.exposed;
  // As docker: the endpoint settings of the one network named, under its name.
  const aliases = [...(f.networkAlias ?? []), ...(f.netAlias ?? [])];
  if ((aliases.length || f.ip) && (!network || network === 'default' || network === 'bridge')) {
    throw new Error(f.ip ? 'user specified IP address is supported on user defined networks only' : 'network-scoped aliases are only supported for user-defined networks');
  }
  if (network) {
    req.NetworkingConfig = {
      EndpointsConfig: { [network]: { ...(aliases.length ? { Aliases: aliases } : {}), ...(f.ip ? { IPAMConfig: { IPv4Address: f.ip } } : {}) } },
    };
  }
  const health = healthFlags(f);
  if (health) req.Healthcheck = health;
  if (f.stopSignal) req.StopSignal = f.stopSignal;
  if (f.stopTimeout !== undefined) req.StopTimeout = int('--stop-timeout', f.stopTimeout);
  return req;
}

/** --health-* and --no-healthcheck as the docker CLI turns them into Config.Healthcheck (durations in ns). */
function healthFlags(f: ContainerFlags): ContainerCreateRequest['Healthcheck'] | undefined {
  const dur = (flag: string, v: string | undefined) => {
    if (v === undefined) return 0;
    const ns = flagValue(flag, v, (x) => {
      const n = parseGoDuration(x);
      if (n === null) throw new Error(`time: invalid duration "${x}"`);
      return n;
    });
    if (ns < 0) throw new Error(`${flag.replace(/^.*--/, '--')} cannot be negative`);
    return ns;
  };
  const interval = dur('--health-interval', f.healthInterval);
  const timeout = dur('--health-timeout', f.healthTimeout);
  const startPeriod = dur('--health-start-period', f.healthStartPeriod);
  const startInterval = dur('--health-start-interval', f.healthStartInterval);
  const retries = f.healthRetries === undefined ? 0 : int('--health-retries', f.healthRetries);
  const any = f.healthCmd !== undefined || interval || timeout || startPeriod || startInterval || retries;
  // commander turns --no-healthcheck into healthcheck: false.
  if (f.healthcheck === false) {
    if (any) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  return {
    ...(f.healthCmd !== undefined ? { Test: ['CMD-SHELL', f.healthCmd] } : {}),
    Interval: interval,
    Timeout: timeout,
    StartPeriod: startPeriod,
    ...(startInterval ? { StartInterval: startInterval } : {}),
    Retries: retries,
  };
}
