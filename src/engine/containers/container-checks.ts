// Create-time checks of a container's configuration (Docker's words for each refusal), the options
// of its log driver, and the translation of a failed start into Docker's error and exit code.
import type { DaemonConfig } from '../../daemon/config.js';
import { parseByteSize } from '../../daemon/byte-size.js';
import type { HostConfig } from '../../api/types/containers.js';
import { InvalidParameterError, SystemError, isBerthError } from '../../errors.js';
import { ALL_CAPABILITIES, normalizeCapability } from '../../lib/oci/runtime-spec.js';
import { DEFAULT_LOG_DRIVER, defaultLogBounds, validateLogConfig } from './log-drivers.js';
import { untilTime } from '../../lib/format/filter-values.js';

/** The log limits a container gets, from its (already merged) LogConfig, each option checked. */
export function logOptions(hc: HostConfig): { maxSize: number; maxFile: number } {
  const type = hc.LogConfig?.Type ?? DEFAULT_LOG_DRIVER;
  const cfg = hc.LogConfig?.Config ?? {};
  validateLogConfig(type, cfg);
  if (type === 'none') return { maxSize: -1, maxFile: 1 };
  let { maxSize, maxFile } = defaultLogBounds(type);
  if (cfg['max-size'] !== undefined) maxSize = cfg['max-size'] === '-1' ? -1 : parseByteSize(cfg['max-size']);
  if (cfg['max-file'] !== undefined) {
    maxFile = Number(cfg['max-file']);
    if (!Number.isInteger(maxFile) || maxFile < 1) throw new InvalidParameterError(`max-file cannot be less than 1`);
  }
  return { maxSize, maxFile };
}

/** A prune --filter until= value: Unix seconds, a duration back from now (10m), or a date. */
export function parseUntil(v: string): number {
  const t = untilTime(v);
  if (t === null) throw new InvalidParameterError(`failed to parse value ${v} as a timestamp`);
  return t;
}

/**
 * Options berth does not implement yet are refused with a clear 400 rather than silently ignored
 * (a container that should share the host's PID namespace must not quietly get its own).
 */
export function validateUnsupported(hc: HostConfig, defaultRuntime: string): void {
  const refuse = (what: string, why = 'not supported yet') => {
    throw new InvalidParameterError(`${what} is ${why}`);
  };
  // Docker's own checks of the modes (runconfig): host, container:NAME, and for IPC the private kinds.
  const joinable = (m: string) => m === 'host' || (m.startsWith('container:') && m.length > 'container:'.length);
  if (hc.PidMode && hc.PidMode !== 'private' && !joinable(hc.PidMode)) throw new InvalidParameterError(`invalid --pid: ${hc.PidMode}`);
  if (hc.IpcMode && !['private', 'shareable', 'none'].includes(hc.IpcMode) && !joinable(hc.IpcMode)) throw new InvalidParameterError(`invalid IPC mode: ${hc.IpcMode}`);
  if (hc.UTSMode && hc.UTSMode !== 'host') throw new InvalidParameterError(`invalid UTS mode: ${hc.UTSMode}`);
  if (hc.Runtime && hc.Runtime !== defaultRuntime && hc.Runtime !== 'runc') throw new InvalidParameterError(`Unknown runtime specified ${hc.Runtime}`);
  const devices = (hc as { Devices?: unknown[] | null }).Devices;
  if (Array.isArray(devices) && devices.length) refuse('--device');
  // Unknown capability names fail the create, with Docker's words, rather than the start.
  for (const [field, list] of [['CapAdd', hc.CapAdd], ['CapDrop', hc.CapDrop]] as const) {
    for (const c of list ?? []) {
      const n = normalizeCapability(c);
      if (n !== 'ALL' && !ALL_CAPABILITIES.includes(n)) throw new InvalidParameterError(`invalid ${field}: unknown capability: "${n}"`);
    }
  }
}

/** Docker's create-time checks of resource limits. */
export function validateResources(hc: HostConfig, ncpu: number): void {
  // Docker: any non-zero limit under 6 MB, negative ones included, is refused with these words.
  if (hc.Memory && hc.Memory < 6 * 1024 * 1024) throw new InvalidParameterError('Minimum memory limit allowed is 6MB');
  if (hc.MemoryReservation && hc.MemoryReservation < 0) throw new InvalidParameterError('Invalid value: memory reservation cannot be negative');
  if (hc.CpuShares && hc.CpuShares < 0) throw new InvalidParameterError('Invalid value: CPU shares cannot be negative');
  if (hc.ShmSize && hc.ShmSize < 0) throw new InvalidParameterError('SHM size can not be less than 0');
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
    throw new InvalidParameterError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hc.NanoCpus) {
    if (hc.CpuQuota || hc.CpuPeriod) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if (hc.NanoCpus < 0 || hc.NanoCpus > ncpu * 1e9) {
      throw new InvalidParameterError(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
  }
  for (const u of hc.Ulimits ?? []) {
    if (u.Soft > u.Hard) throw new InvalidParameterError(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  }
}

/**
 * Docker's translation of a failed start (daemon/start.go): a missing command gives exit code 127, a
 * command that cannot be run 126, both as 400 errors whose text the docker CLI reads to choose its
 * own exit code; anything else is a 500 with exit code 128.
 */
export function translateStartError(e: unknown, cmd: string): { error: Error; message: string; exitCode?: number } {
  if (isBerthError(e) && e.kind !== 'system') return { error: e, message: e.message };
  const raw = (e as Error)?.message ?? String(e);
  let msg = raw;
  const lower = raw.toLowerCase();
  const fromRuntime = /runc|oci runtime|conmon|exec:|container process/i.test(raw);
  if (fromRuntime && !/oci runtime (create|start) failed/i.test(raw)) msg = `failed to create task for container: OCI runtime create failed: ${raw.replace(/\s+$/, '')}: unknown`;
  if (lower.includes(cmd.toLowerCase()) && (lower.includes('executable file not found') || lower.includes('no such file or directory'))) {
    return { error: new InvalidParameterError(msg), message: msg, exitCode: 127 };
  }
  if (lower.includes('permission denied')) return { error: new InvalidParameterError(msg), message: msg, exitCode: 126 };
  if (lower.includes('not a directory')) {
    const m = `${msg}: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`;
    return { error: new InvalidParameterError(m), message: m };
  }
  return { error: isBerthError(e) ? e : new SystemError(msg, { cause: e }), message: msg };
}
