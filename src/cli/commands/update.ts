// `berth update`: new resource limits and restart policy for containers, applied live by the daemon;
// prints each container updated, as docker does.
import type { CommandSpec } from '../command-spec.js';
import { eachTarget } from '../each-target.js';
import { containerUpdate } from '../../client/containers.js';
import { flagValue, int } from '../container-flags.js';
import { parseNanoCpus, parseRamBytes, parseRestartPolicy, parseSwapBytes } from '../flag-values.js';

interface UpdateFlags {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpusetCpus?: string;
  pidsLimit?: string;
  restart?: string;
}

export const spec: CommandSpec<UpdateFlags> = {
  name: 'update',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Update configuration of one or more containers',
  minArgs: 1,
  options: (cmd) =>
    cmd
      .option('-m, --memory <bytes>', 'Memory limit')
      .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
      .option('--memory-reservation <bytes>', 'Memory soft limit')
      .option('--cpus <decimal>', 'Number of CPUs')
      .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
      .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
      .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
      .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
      .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
      .option('--restart <string>', 'Restart policy to apply when a container exits'),
  async run(ctx, args, f) {
    const body: Record<string, unknown> = {};
    if (f.memory !== undefined) body.Memory = flagValue('-m, --memory', f.memory, parseRamBytes);
    if (f.memorySwap !== undefined) body.MemorySwap = flagValue('--memory-swap', f.memorySwap, parseSwapBytes);
    if (f.memoryReservation !== undefined) body.MemoryReservation = flagValue('--memory-reservation', f.memoryReservation, parseRamBytes);
    if (f.cpus !== undefined) body.NanoCpus = flagValue('--cpus', f.cpus, parseNanoCpus);
    if (f.cpuShares !== undefined) body.CpuShares = int('-c, --cpu-shares', f.cpuShares);
    if (f.cpuPeriod !== undefined) body.CpuPeriod = int('--cpu-period', f.cpuPeriod);
    if (f.cpuQuota !== undefined) body.CpuQuota = int('--cpu-quota', f.cpuQuota);
    if (f.cpusetCpus !== undefined) body.CpusetCpus = f.cpusetCpus;
    if (f.pidsLimit !== undefined) body.PidsLimit = int('--pids-limit', f.pidsLimit);
    if (f.restart !== undefined) body.RestartPolicy = flagValue('--restart', f.restart, parseRestartPolicy);
    if (Object.keys(body).length === 0) throw new Error('you must provide one or more flags when using this command');
    await eachTarget(ctx, args, (id) => containerUpdate(ctx.client, id, body));
  },
};
