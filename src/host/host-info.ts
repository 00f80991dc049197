// Facts about the host for /info and /version, read once at start-up (versions, kernel, OS) plus a
// live open-fd count. Everything here is a read of /proc, /etc or a `--version` call; the two
// `--version` calls run in the background from start-up (they took ~40 ms of a daemon start when
// made in turn before listening), and a request that comes before they end makes them itself.
import os from 'node:os';
import fs from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';

export interface HostFacts {
  kernel: string;
  osName: string;
  osVersion: string;
  arch: string; // uname style: x86_64
  goArch: string; // Docker's: amd64
  ncpu: number;
  memTotal: number;
  hostname: string;
  machineId: string;
  cgroupVersion: '1' | '2';
  swapLimit: boolean;
  ipv4Forwarding: boolean;
  runcVersion: string;
  conmonVersion: string;
  openFds(): number;
}

const versionIn = (out: string) => /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';

function firstLineVersion(cmd: string): string {
  try {
    return versionIn(execFileSync(cmd, ['--version'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return 'not installed';
  }
}

/** `cmd --version` started now in the background; the getter waits for nothing (it asks itself if needed). */
function versionProbe(cmd: string): () => string {
  let value: string | undefined;
  execFile(cmd, ['--version'], { encoding: 'utf8', timeout: 3000 }, (err, out) => {
    value ??= err ? 'not installed' : versionIn(out);
  });
  return () => (value ??= firstLineVersion(cmd));
}

function readOr(p: string, dflt: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return dflt;
  }
}

export function probeHost(): HostFacts {
  const osRelease = readOr('/etc/os-release', '');
  const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? '';
  const arch = os.machine();
  const runc = versionProbe('runc');
  const conmon = versionProbe('conmon');
  return {
    kernel: os.release(),
    osName: field('PRETTY_NAME') || 'Linux',
    osVersion: field('VERSION_ID'),
    arch,
    goArch: ({ x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm' } as Record<string, string>)[arch] ?? arch,
    ncpu: os.availableParallelism(),
    memTotal: os.totalmem(),
    hostname: os.hostname(),
    machineId: readOr('/etc/machine-id', '').trim(),
    cgroupVersion: fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
    swapLimit: fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || fs.existsSync('/sys/fs/cgroup/cgroup.controllers'),
    ipv4Forwarding: readOr('/proc/sys/net/ipv4/ip_forward', '0').trim() === '1',
    get runcVersion() {
      return runc();
    },
    get conmonVersion() {
      return conmon();
    },
    openFds: () => {
      try {
        return fs.readdirSync('/proc/self/fd').length;
      } catch {
        return 0;
      }
    },
  };
}
