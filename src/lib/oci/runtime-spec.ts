// The OCI runtime spec (config.json) of a container, computed from a SpecInput: Docker's defaults
// (namespaces, mounts, capabilities, masked paths, device rules) plus the user's settings. Pure.
import type { SpecInput } from './spec-input.js';

// ---------------------------------------------------------------- the spec's shape (OCI runtime spec 1.x)

export interface RuntimeSpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface RuntimeSpecRlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface RuntimeSpecProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: {
    bounding?: string[];
    effective?: string[];
    inheritable?: string[];
    permitted?: string[];
    ambient?: string[];
  };
  rlimits?: RuntimeSpecRlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  apparmorProfile?: string;
  selinuxLabel?: string;
}

export interface RuntimeSpecDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface RuntimeSpecResources {
  devices?: RuntimeSpecDeviceRule[];
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

export interface RuntimeSpecNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';
  path?: string;
}

export interface RuntimeSpecLinux {
  namespaces: RuntimeSpecNamespace[];
  resources?: RuntimeSpecResources;
  cgroupsPath?: string;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  devices?: { path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }[];
}

export interface RuntimeSpec {
  ociVersion: string;
  process: RuntimeSpecProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: RuntimeSpecMount[];
  linux: RuntimeSpecLinux;
  annotations?: Record<string, string>;
}

// ---------------------------------------------------------------- Docker's defaults

/** runc 1.1 implements runtime-spec 1.0.2; the fields used here are all in 1.0. */
export const OCI_VERSION = '1.0.2';

/** Docker's default capability set (moby oci/caps/defaults.go), in Docker's order. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux defines (0..40), by number. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Docker's masked paths (moby oci/defaults.go): bind-mounted over with /dev/null or an empty ro tmpfs. */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * Docker's effective device cgroup rules: deny all, then mknod of anything, and rwm on the devices runc
 * creates in /dev (null, random, full, tty, zero, urandom), pty slaves, /dev/ptmx and /dev/net/tun.
 */
export const DEFAULT_DEVICE_RULES: RuntimeSpecDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

/** runc refuses an rlimit above the host's hard limit here (no CAP_SYS_RESOURCE): 1Mi at most, as containerd. */
const DEFAULT_NOFILE = 1048576;
/** JSON can carry no uint64 max from JS; 2^53-1 is unlimited in every practical sense. */
const RLIM_INFINITY = Number.MAX_SAFE_INTEGER;
const CPU_PERIOD = 100000;

// ---------------------------------------------------------------- capability arithmetic

/** "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "all" -> "ALL". */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL' || up === 'CAP_ALL') return 'ALL';
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/**
 * Docker's TweakCapabilities: start from the defaults (or every capability with ALL in cap-add, or none
 * with ALL in cap-drop), add cap-add, remove cap-drop. A capability both added and dropped is dropped
 * unless ALL was dropped (then the explicit add wins, as in Docker 20.10+).
 */
export function effectiveCapabilities(
  capAdd: string[],
  capDrop: string[],
  privileged: boolean,
  all: string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...all];
  const add = capAdd.map(normalizeCapability);
  const drop = capDrop.map(normalizeCapability);
  let caps: string[];
  if (add.includes('ALL')) caps = [...all];
  else caps = DEFAULT_CAPABILITIES.filter((c) => all.includes(c) || !ALL_CAPABILITIES.includes(c));
  if (drop.includes('ALL')) caps = [];
  for (const c of add) if (c !== 'ALL' && !caps.includes(c)) caps.push(c);
  if (!drop.includes('ALL')) caps = caps.filter((c) => !drop.includes(c));
  return caps;
}

// ---------------------------------------------------------------- rlimits

/** "nofile" (Docker's --ulimit name), "NOFILE" or "RLIMIT_NOFILE" -> "RLIMIT_NOFILE". */
export function rlimitType(name: string): string {
  const up = name.trim().toUpperCase();
  return up.startsWith('RLIMIT_') ? up : `RLIMIT_${up}`;
}

function clampRlimit(type: string, soft: number, hard: number, hostHard: Record<string, number>): RuntimeSpecRlimit {
  // Docker spells "unlimited" as -1.
  let h = hard < 0 ? RLIM_INFINITY : hard;
  let s = soft < 0 ? RLIM_INFINITY : soft;
  const max = hostHard[type];
  if (max !== undefined && Number.isFinite(max) && max >= 0) h = Math.min(h, max);
  h = Math.min(h, RLIM_INFINITY);
  s = Math.min(s, h);
  return { type, soft: s, hard: h };
}

function rlimits(input: SpecInput): RuntimeSpecRlimit[] {
  const out = new Map<string, RuntimeSpecRlimit>();
  const nofileMax = input.hostHardLimits.RLIMIT_NOFILE;
  const nofile = nofileMax !== undefined && Number.isFinite(nofileMax) ? Math.min(DEFAULT_NOFILE, nofileMax) : DEFAULT_NOFILE;
  out.set('RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', soft: nofile, hard: nofile });
  for (const u of input.ulimits) {
    const type = rlimitType(u.name);
    out.set(type, clampRlimit(type, u.soft, u.hard, input.hostHardLimits));
  }
  return [...out.values()];
}

// ---------------------------------------------------------------- mounts

function defaultMounts(input: SpecInput): RuntimeSpecMount[] {
  const sysRo = input.privileged ? 'rw' : 'ro';
  const shm = input.shmSize > 0 ? input.shmSize : 64 * 1024 * 1024;
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', sysRo] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', sysRo] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shm}`] },
  ];
}

function cleanPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return '/' + parts.join('/');
}

function userMount(m: SpecInput['mounts'][number]): RuntimeSpecMount {
  const options = [...m.options];
  // runc treats type "bind" as a bind mount, but older runtimes look only at the options: say it twice.
  if (m.type === 'bind' && !options.includes('bind') && !options.includes('rbind')) options.unshift('rbind');
  return { destination: cleanPath(m.destination), type: m.type, source: m.source, options };
}

function mounts(input: SpecInput): RuntimeSpecMount[] {
  const user = input.mounts.map(userMount);
  const userDest = new Set(user.map((m) => m.destination));
  // A user mount on a default's destination replaces it (docker run --tmpfs /dev/shm, -v /x:/dev/shm).
  // A user mount over /dev replaces /dev's children too, as Docker does.
  const defaults = defaultMounts(input).filter(
    (m) => !userDest.has(m.destination) && !(userDest.has('/dev') && m.destination.startsWith('/dev/')),
  );
  const out = [...defaults, ...user];
  if (input.init) {
    out.push({ destination: input.init.containerPath, type: 'bind', source: input.init.hostPath, options: ['rbind', 'ro'] });
  }
  return out;
}

// ---------------------------------------------------------------- resources

function resources(input: SpecInput): RuntimeSpecResources {
  const r = input.resources;
  const out: RuntimeSpecResources = {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })),
  };
  const memory: NonNullable<RuntimeSpecResources['memory']> = {};
  if (r.memory && r.memory > 0) {
    memory.limit = r.memory;
    // Docker: --memory-swap is memory+swap; unset means twice the memory; -1 means unlimited swap.
    // Hosts without swap accounting get no swap limit (Docker warns and drops it).
    if (input.swapAccounting !== false) {
      if (r.memorySwap === -1) memory.swap = -1;
      else if (r.memorySwap && r.memorySwap > 0) memory.swap = r.memorySwap;
      else memory.swap = r.memory * 2;
    }
  }
  if (r.memoryReservation && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (Object.keys(memory).length) out.memory = memory;

  const cpu: NonNullable<RuntimeSpecResources['cpu']> = {};
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.nanoCpus && r.nanoCpus > 0) {
    // Docker's --cpus: a fixed 100ms period and the quota that gives that many CPUs.
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD) / 1e9);
  } else {
    if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
    if (r.cpuQuota && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (Object.keys(cpu).length) out.cpu = cpu;

  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

// ---------------------------------------------------------------- namespaces

function namespaces(input: SpecInput): RuntimeSpecNamespace[] {
  const ns: RuntimeSpecNamespace[] = [];
  // Shared with the host: no namespace entry at all; joined: the entry names the other's path.
  for (const type of ['pid', 'ipc'] as const) {
    const sh = input.shared?.[type];
    if (!sh) ns.push({ type });
    else if (sh.mode === 'path') ns.push({ type, path: sh.path });
  }
  if (input.shared?.uts !== 'host') ns.push({ type: 'uts' });
  ns.push({ type: 'mount' });
  if (input.network.mode === 'none') ns.push({ type: 'network' });
  else if (input.network.mode === 'path') ns.push({ type: 'network', path: input.network.path });
  // Docker gives a private cgroup namespace by default only on cgroup v2 hosts.
  if (input.cgroupNamespace) ns.push({ type: 'cgroup' });
  return ns;
}

// ---------------------------------------------------------------- the spec

export function buildRuntimeSpec(input: SpecInput): RuntimeSpec {
  const caps = effectiveCapabilities(input.capAdd, input.capDrop, input.privileged, input.hostCapabilities ?? ALL_CAPABILITIES);
  const args = input.init ? [input.init.containerPath, '--', ...input.args] : [...input.args];
  const process: RuntimeSpecProcess = {
    terminal: input.tty,
    user: {
      uid: input.user.uid,
      gid: input.user.gid,
      ...(input.user.additionalGids.length ? { additionalGids: [...input.user.additionalGids] } : {}),
    },
    args,
    env: [...input.env],
    cwd: input.cwd || '/',
    capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
    rlimits: rlimits(input),
    noNewPrivileges: input.noNewPrivileges,
  };
  if (input.oomScoreAdj !== undefined && input.oomScoreAdj !== 0) process.oomScoreAdj = input.oomScoreAdj;

  const linux: RuntimeSpecLinux = {
    namespaces: namespaces(input),
    resources: resources(input),
    cgroupsPath: input.cgroupsPath,
  };
  if (Object.keys(input.sysctls).length) linux.sysctl = { ...input.sysctls };
  if (!input.privileged) {
    linux.maskedPaths = [...(input.maskedPaths ?? DEFAULT_MASKED_PATHS)];
    linux.readonlyPaths = [...(input.readonlyPaths ?? DEFAULT_READONLY_PATHS)];
  }

  return {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    // runc refuses a hostname without a private UTS namespace (--uts host keeps the host's name).
    ...(input.shared?.uts === 'host' ? {} : { hostname: input.hostname }),
    mounts: mounts(input),
    linux,
  };
}
