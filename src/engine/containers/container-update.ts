// docker update as pure decisions: which HostConfig fields a POST /containers/{id}/update changes,
// the cgroup limits to apply to a running container (runc update), and Docker's refusals. A field
// left out (or 0) keeps its value, as in Docker's UpdateConfig.
import { InvalidParameterError } from '../../errors.js';
import type { HostConfig } from '../../api/types/containers.js';
import type { ResourceUpdate } from './runtime-contract.js';
import { validateRestartPolicy, type RestartPolicy } from './restart-policy.js';

export interface UpdateBody {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpusetCpus?: string;
  PidsLimit?: number | null;
  RestartPolicy?: RestartPolicy;
}

const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;

const NUMBER_FIELDS = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod'] as const;

/** The body's types, in Go's decoder words. */
export function checkUpdateBody(b: unknown): UpdateBody {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new InvalidParameterError('json: cannot unmarshal non-object into Go value of type container.UpdateConfig');
  const o = b as Record<string, unknown>;
  for (const f of NUMBER_FIELDS) {
    if (o[f] !== undefined && o[f] !== null && !Number.isInteger(o[f])) throw new InvalidParameterError(`json: cannot unmarshal ${typeof o[f]} into Go struct field UpdateConfig.${f} of type int64`);
  }
  if (o['PidsLimit'] !== undefined && o['PidsLimit'] !== null && !Number.isInteger(o['PidsLimit'])) throw new InvalidParameterError(`json: cannot unmarshal ${typeof o['PidsLimit']} into Go struct field UpdateConfig.PidsLimit of type int64`);
  if (o['CpusetCpus'] !== undefined && typeof o['CpusetCpus'] !== 'string') throw new InvalidParameterError('json: cannot unmarshal into Go struct field UpdateConfig.CpusetCpus of type string');
  const rp = o['RestartPolicy'];
  if (rp !== undefined && rp !== null && (typeof rp !== 'object' || Array.isArray(rp))) throw new InvalidParameterError('json: cannot unmarshal into Go struct field UpdateConfig.RestartPolicy of type container.RestartPolicy');
  return o as UpdateBody;
}

/** The new HostConfig and the limits to apply now; throws Docker's errors for what cannot be. */
export function planUpdate(hc: HostConfig, b: UpdateBody, o: { swapAccounting: boolean }): { hostConfig: HostConfig; resources: ResourceUpdate } {
  const next: HostConfig = { ...hc };
  const r: ResourceUpdate = {};
  if (b.RestartPolicy && (b.RestartPolicy.Name ?? '') !== '') {
    if (hc.AutoRemove && b.RestartPolicy.Name !== 'no') throw new InvalidParameterError('Restart policy cannot be updated because AutoRemove is enabled for the container');
    validateRestartPolicy(b.RestartPolicy, false);
    next.RestartPolicy = { Name: b.RestartPolicy.Name as NonNullable<HostConfig['RestartPolicy']>['Name'], MaximumRetryCount: b.RestartPolicy.MaximumRetryCount ?? 0 };
  }
  if (b.NanoCpus && (b.CpuPeriod || b.CpuQuota)) throw new InvalidParameterError(`Conflicting options: Nano CPUs and CPU ${b.CpuPeriod ? 'Period' : 'Quota'} cannot both be set`);
  if (b.Memory) {
    if (b.Memory < MIN_MEMORY) throw new InvalidParameterError('Minimum memory limit allowed is 6MB');
    next.Memory = b.Memory;
    r.memory = b.Memory;
  }
  if (b.MemorySwap) {
    const mem = next.Memory ?? 0;
    if (b.MemorySwap > 0 && mem > 0 && b.MemorySwap < mem) throw new InvalidParameterError('Minimum memoryswap limit should be larger than memory limit, see usage');
    next.MemorySwap = b.MemorySwap;
    if (o.swapAccounting) r.memorySwap = b.MemorySwap;
  } else if (b.Memory && o.swapAccounting) {
    const swap = hc.MemorySwap ?? 0;
    if (swap > 0 && swap < b.Memory) throw new InvalidParameterError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    // Unset swap follows the memory (twice it, as at create); an explicit one stays.
    if (swap === 0) r.memorySwap = b.Memory * 2;
  }
  if (b.MemoryReservation) {
    next.MemoryReservation = b.MemoryReservation;
    r.memoryReservation = b.MemoryReservation;
  }
  if (b.NanoCpus) {
    next.NanoCpus = b.NanoCpus;
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = Math.round((b.NanoCpus / 1e9) * CPU_PERIOD);
  }
  if (b.CpuShares) r.cpuShares = next.CpuShares = b.CpuShares;
  if (b.CpuQuota) r.cpuQuota = next.CpuQuota = b.CpuQuota;
  if (b.CpuPeriod) r.cpuPeriod = next.CpuPeriod = b.CpuPeriod;
  if (b.CpusetCpus) r.cpusetCpus = next.CpusetCpus = b.CpusetCpus;
  if (b.PidsLimit !== undefined && b.PidsLimit !== null && b.PidsLimit !== 0) {
    // Docker: zero keeps the limit, a negative number lifts it.
    next.PidsLimit = b.PidsLimit;
    r.pidsLimit = b.PidsLimit < 0 ? -1 : b.PidsLimit;
  }
  return { hostConfig: next, resources: r };
}
