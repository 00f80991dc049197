// One docker stats sample of a container (its cgroup counters, the host's CPU time, its interfaces),
// and docker top (the host's `ps` rows of its processes).
import type { NetCounters } from '../../lib/net/net-dev.js';
import type { CgroupStats } from '../../host/cgroup-stats.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerHostOps } from './container-host.js';
import { cgroupsPath } from './run-spec.js';
import type { ContainerRuntime } from './runtime-contract.js';
import { SystemError } from '../../errors.js';
import { parsePsOutput } from './top.js';

export interface ContainerStatsSample {
  record: ContainerRecord;
  sample: CgroupStats | null;
  systemCpuNs: number;
  onlineCpus: number;
  read: Date;
  networks: Record<string, NetCounters> | null;
}

/** One sample of the container's resource usage (zeros for a stopped container, as Docker). */
export async function statsSample(host: ContainerHostOps, c: ContainerRecord): Promise<ContainerStatsSample> {
  const read = new Date();
  const running = (c.state.status === 'running' || c.state.status === 'paused');
  const [sample, sys, networks] = await Promise.all([
    running ? host.cgroupStats(cgroupsPath(c.id)) : null,
    host.systemCpu(),
    // Its own namespace's interfaces: not for --network host (the host's) or none (no endpoint).
    running && c.network?.endpoints.length && host.netStats ? host.netStats(c.state.pid) : null,
  ]);
  return { record: structuredClone(c), sample, systemCpuNs: sys.totalNs, onlineCpus: sys.onlineCpus, read, networks };
}

/** docker top: `ps` on the host, rows kept for the container's processes. */
export async function containerTop(runtime: Pick<ContainerRuntime, 'pids'>, host: Pick<ContainerHostOps, 'ps'>, c: ContainerRecord, psArgs: string): Promise<{ titles: string[]; processes: string[][] }> {
  const pids = await runtime.pids(c.id);
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : [];
  let out: string;
  try {
    out = await host.ps(args);
  } catch (e) {
    throw new SystemError(`Error running ps: ${(e as Error).message}`);
  }
  return parsePsOutput(out, pids);
}
