// The real ContainerHostOps: overlay mounts, the OCI spec builder, host limits and capabilities,
// cgroup cleanup and `ps`, each delegated to its adapter in src/host or to lib/oci.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import { buildRuntimeSpec } from '../../lib/oci/runtime-spec.js';
import { readHostHardLimits } from '../../host/rlimits.js';
import { readHostCapabilities } from '../../host/capabilities.js';
import { runCommand } from '../../host/command.js';
import type { ContainerHostOps, OverlayMount } from './container-host.js';

const INIT_CANDIDATES = ['/usr/bin/catatonit', '/usr/libexec/podman/catatonit', '/usr/bin/tini-static', '/usr/bin/tini', '/sbin/tini'];

/** Unescapes the octal escapes of /proc/self/mountinfo (\040 for a space...). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function createHostOps(log: Logger): ContainerHostOps {
  const cgroupV2Only = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  return {
    async mountOverlay(m: OverlayMount) {
      const opts = `lowerdir=${m.lower.join(':')},upperdir=${m.upper},workdir=${m.work}`;
      const r = await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', opts, m.target], { log });
      if (r.code !== 0) throw new Error(`mounting the container's rootfs failed: ${r.stderr.trim()}`);
    },
    async unmountOverlay(target: string) {
      const r = await runCommand('umount', [target], { log });
      if (r.code !== 0 && !/not mounted|no mount point/i.test(r.stderr)) {
        // A busy mount (a process still has a cwd in it) is detached lazily rather than leaked.
        const lazy = await runCommand('umount', ['-l', target], { log });
        if (lazy.code !== 0) throw new Error(`unmounting ${target} failed: ${r.stderr.trim()}`);
      }
    },
    async isMounted(target: string) {
      const text = await fsp.readFile('/proc/self/mountinfo', 'utf8');
      const want = path.resolve(target);
      return text.split('\n').some((l) => unescapeMountPath(l.split(' ')[4] ?? '') === want);
    },
    buildSpec(input) {
      return buildRuntimeSpec({ ...input, hostCapabilities: input.hostCapabilities ?? readHostCapabilities() });
    },
    hostHardLimits: () => readHostHardLimits(),
    async removeCgroup(cgroupsPath: string) {
      const roots = cgroupV2Only ? ['/sys/fs/cgroup'] : (await fsp.readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((c) => path.join('/sys/fs/cgroup', c));
      for (const r of roots) {
        // cgroup directories are removed with rmdir (their files are not real files).
        await fsp.rmdir(path.join(r, cgroupsPath)).catch(() => {});
      }
    },
    async ps(args: string[]) {
      const r = await runCommand('ps', args, { log, timeoutMs: 10_000 });
      if (r.code !== 0) throw new Error(r.stderr.trim() || `ps exited with ${r.code}`);
      return r.stdout;
    },
    initBinary() {
      return INIT_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
    },
    hostname: () => os.hostname(),
    readHostFile: (p) => fsp.readFile(p, 'utf8'),
  };
}
