// The command line of berth-nsexec (native/berth_nsexec.c) for one exec, planned from runc's record of
// the running container (its state.json) and the exec's OCI process spec; or null when the exec asks
// for something only runc does (a terminal, an LSM label, seccomp, a user namespace...), so the caller
// runs `runc exec` instead. Pure: no I/O.
import { ALL_CAPABILITIES, type RuntimeSpecProcess } from './runtime-spec.js';

/** The parts of runc's state.json (libcontainer's State) that berth reads. */
export interface RuncStateFile {
  init_process_pid: number;
  init_process_start: number;
  cgroup_paths?: Record<string, string>;
  config: {
    namespaces?: { type: string; path?: string }[] | null;
    seccomp?: unknown;
    apparmor_profile?: string;
    process_label?: string;
    no_new_keyring?: boolean;
    uid_mappings?: unknown[] | null;
    Hooks?: Record<string, unknown[] | null> | null;
  };
}

/** runc's namespace names (config.namespaces[].type) -> /proc/PID/ns/ names this helper joins. */
const NAMESPACES: Record<string, string> = {
  NEWCGROUP: 'cgroup',
  NEWIPC: 'ipc',
  NEWUTS: 'uts',
  NEWNET: 'net',
  NEWPID: 'pid',
  NEWNS: 'mnt',
};

/** Linux's resource numbers (asm-generic/resource.h, the same on x86-64 and arm64). */
const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

/** A capability set as the hex mask capset(2) takes; null when a name is unknown. */
export function capabilityMask(names: readonly string[] | undefined): string | null {
  // Every exec asks for five sets, nearly always the same few lists: remembered (bounded).
  const key = (names ?? []).join(',');
  const known = maskMemo.get(key);
  if (known !== undefined) return known;
  const mask = computeMask(names);
  if (maskMemo.size >= 256) maskMemo.clear();
  maskMemo.set(key, mask);
  return mask;
}

const maskMemo = new Map<string, string | null>();

function computeMask(names: readonly string[] | undefined): string | null {
  let mask = 0n;
  for (const n of names ?? []) {
    const bit = ALL_CAPABILITIES.indexOf(n.toUpperCase().startsWith('CAP_') ? n.toUpperCase() : `CAP_${n.toUpperCase()}`);
    if (bit < 0) return null;
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16);
}

/** An rlimit value for the helper: "-1" is unlimited (RLIM_INFINITY). */
function limit(v: number): string {
  return v < 0 || v >= 2 ** 64 - 1 ? '-1' : String(Math.floor(v));
}

export interface NsExecPlanInput {
  containerId: string;
  state: RuncStateFile;
  process: RuntimeSpecProcess;
}

/** The helper's arguments, or null when the exec needs runc. */
export function planNsExec({ containerId, state, process: p }: NsExecPlanInput): string[] | null {
  const cfg = state.config;
  if (p.terminal || p.apparmorProfile || p.selinuxLabel || p.oomScoreAdj !== undefined || p.user.umask !== undefined) return null;
  if (cfg.seccomp || cfg.apparmor_profile || cfg.process_label || (cfg.uid_mappings && cfg.uid_mappings.length)) return null;
  if (!p.args.length || !Number.isInteger(state.init_process_pid) || state.init_process_pid <= 0) return null;
  const ns: string[] = [];
  for (const n of cfg.namespaces ?? []) {
    const name = NAMESPACES[n.type];
    if (!name) return null; // a user or time namespace: runc's to join
    ns.push(name);
  }
  const args = ['--pid', String(state.init_process_pid), '--start', String(state.init_process_start), '--id', containerId];
  if (ns.length) args.push('--ns', ns.join(','));
  for (const dir of Object.values(state.cgroup_paths ?? {})) if (dir) args.push('--cgroup', dir);
  for (const r of p.rlimits ?? []) {
    const res = RLIMITS[r.type];
    if (res === undefined) return null;
    args.push('--rlimit', `${res}:${limit(r.soft)}:${limit(r.hard)}`);
  }
  args.push('--uid', String(p.user.uid), '--gid', String(p.user.gid));
  if (p.user.additionalGids?.length) args.push('--groups', p.user.additionalGids.join(','));
  if (p.capabilities) {
    const c = p.capabilities;
    const masks = [c.bounding, c.effective, c.permitted, c.inheritable, c.ambient].map(capabilityMask);
    if (masks.some((m) => m === null)) return null;
    args.push('--caps', masks.join(':'));
  }
  if (p.noNewPrivileges) args.push('--no-new-privs');
  if (cfg.no_new_keyring) args.push('--no-keyring');
  // No PID file: the helper reports the PID on its log descriptor.
  args.push('--cwd', p.cwd || '/', '--', ...p.args);
  return args;
}
