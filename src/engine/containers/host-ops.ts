// The real ContainerHostOps: overlay mounts, the OCI spec builder, host limits and capabilities,
// cgroup cleanup and `ps`, each delegated to its adapter in src/host or to lib/oci.
import fs from 'node:fs';
import os from 'node:os';
import type { Logger } from '../../daemon/logger.js';
import { buildRuntimeSpec } from '../../lib/oci/runtime-spec.js';
import { readHostHardLimits } from '../../host/rlimits.js';
import { readHostCapabilities } from '../../host/capabilities.js';
import { runCommand } from '../../host/command.js';
import { isMounted, mountOverlay, unmountOverlay } from '../../host/overlay.js';
import { defaultCgroupNamespace, removeCgroup, swapAccounting } from '../../host/cgroups.js';
import { onlineCpus, readCgroupStats, readSystemCpuNs } from '../../host/cgroup-stats.js';
import type { ContainerHostOps } from './container-host.js';
import { parseNetDev } from '../../lib/net/net-dev.js';

const INIT_CANDIDATES = ['/usr/bin/catatonit', '/usr/libexec/podman/catatonit', '/usr/bin/tini-static', '/usr/bin/tini', '/sbin/tini'];

export function createHostOps(log: Logger): ContainerHostOps {
  const caps = readHostCapabilities();
  const swap = swapAccounting();
  const cgroupns = defaultCgroupNamespace();
  return {
    mountOverlay: (m, o) => mountOverlay(m, log, o),
    unmountOverlay: (t) => unmountOverlay(t, log),
    isMounted: (t) => isMounted(t),
    buildSpec(input) {
      return buildRuntimeSpec({
        ...input,
        hostCapabilities: input.hostCapabilities ?? caps,
        swapAccounting: input.swapAccounting ?? swap,
        cgroupNamespace: input.cgroupNamespace ?? cgroupns,
      });
    },
    hostHardLimits: () => readHostHardLimits(),
    swapAccounting: () => swap,
    netStats: (pid) =>
      fs.promises.readFile(`/proc/${pid}/net/dev`, 'utf8').then(
        (t) => parseNetDev(t),
        () => null,
      ),
    removeCgroup: (p) => removeCgroup(p),
    async ps(args: string[]) {
      const r = await runCommand('ps', args, { log, timeoutMs: 10_000 });
      if (r.code !== 0) throw new Error(r.stderr.trim() || `ps exited with ${r.code}`);
      return r.stdout;
    },
    initBinary() {
      return INIT_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
    },
    cgroupStats: (p) => readCgroupStats(p).catch(() => null),
    systemCpu: async () => ({ totalNs: await readSystemCpuNs(), onlineCpus: onlineCpus() }),
    hostname: () => os.hostname(),
    // In place: two small files read on every create (microseconds, not two thread-pool round trips).
    readHostFile: async (p) => fs.readFileSync(p, 'utf8'),
  };
}
