// What a run of a container is made from: the OCI spec input (mounts, /etc files, limits, shared
// namespaces), the /etc files themselves, the working directory and the cgroup path.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SpecInput } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps } from './container-host.js';
import { replaceFileSync } from '../atomic-file.js';
import { processEnv } from './create-config.js';
import { sortByDepth } from './mount-plan.js';
import { hostnameFile, hostsFile, resolvConfFile } from './etc-files.js';
import type { ResolvedUser } from './user-resolve.js';
import { resolveInRoot } from './scoped-path.js';
import { sharedNamespaces } from './shared-from-others.js';
import { effectiveNetworkMode } from './network-modes.js';
import { SystemError } from '../../errors.js';

export interface EtcDeps {
  store: Pick<ContainerStore, 'paths'>;
  host: Pick<ContainerHostOps, 'readHostFile'>;
}
export interface SpecDeps {
  store: Pick<ContainerStore, 'paths' | 'find'>;
  host: Pick<ContainerHostOps, 'initBinary' | 'hostHardLimits'>;
}

function isRunning(c: ContainerRecord): boolean {
  return c.state.status === 'running' || c.state.status === 'paused';
}

/** The runtime spec's input for one run of a container: mounts, /etc files, limits, namespaces. */
export async function specInput(d: SpecDeps, c: ContainerRecord, user: ResolvedUser, network: SpecInput['network'], linkVars: string[] = []): Promise<SpecInput> {
  const p = d.store.paths(c.id);
  const hc = c.hostConfig;
  const ro = !!hc.ReadonlyRootfs;
  const mounts: SpecInput['mounts'] = [];
  const bindOpts = (rw: boolean, propagation: string) => ['rbind', propagation || 'rprivate', rw ? 'rw' : 'ro'];
  for (const m of sortByDepth(c.mounts)) {
    if (m.type === 'tmpfs') {
      const opts = ['nosuid', 'nodev', 'noexec', ...(m.tmpfsOptions ?? [])];
      // "exec"/"suid"/"dev" in the user's options undo the defaults.
      const cleaned = opts.filter((o) => !((o === 'noexec' && opts.includes('exec')) || (o === 'nosuid' && opts.includes('suid')) || (o === 'nodev' && opts.includes('dev'))));
      mounts.push({ destination: m.destination, source: 'tmpfs', type: 'tmpfs', options: [...cleaned, m.rw ? 'rw' : 'ro'] });
    } else {
      mounts.push({ destination: m.destination, source: m.source, type: 'bind', options: bindOpts(m.rw, m.propagation) });
    }
  }
  const userDests = new Set(c.mounts.map((m) => m.destination));
  // The /etc files follow the user's mounts unless the user mounted over them.
  for (const [dest, src] of [
    ['/etc/resolv.conf', p.resolvConfFile],
    ['/etc/hostname', p.hostnameFile],
    ['/etc/hosts', p.hostsFile],
  ] as const) {
    if (!userDests.has(dest)) mounts.push({ destination: dest, source: src, type: 'bind', options: bindOpts(!ro, 'rprivate') });
  }
  const initPath = hc.Init ? d.host.initBinary() : null;
  if (hc.Init && !initPath) throw new SystemError('--init requested but neither catatonit nor tini is installed on the host');
  const resources: SpecInput['resources'] = {};
  if (hc.Memory) resources.memory = hc.Memory;
  if (hc.MemorySwap) resources.memorySwap = hc.MemorySwap;
  if (hc.MemoryReservation) resources.memoryReservation = hc.MemoryReservation;
  if (hc.NanoCpus) resources.nanoCpus = hc.NanoCpus;
  if (hc.CpuShares) resources.cpuShares = hc.CpuShares;
  if (hc.CpuQuota) resources.cpuQuota = hc.CpuQuota;
  if (hc.CpuPeriod) resources.cpuPeriod = hc.CpuPeriod;
  if (hc.CpusetCpus) resources.cpusetCpus = hc.CpusetCpus;
  if (hc.PidsLimit && hc.PidsLimit > 0) resources.pidsLimit = hc.PidsLimit;
  const hostname = c.config.Hostname ?? c.id.slice(0, 12);
  const input: SpecInput = {
    rootfs: p.mergedDir,
    readonlyRootfs: ro,
    args: [c.path, ...c.args],
    // Link variables first: the container's own environment wins over them, as in Docker.
    env: processEnv([...linkVars, ...(c.config.Env ?? [])], hostname, !!c.config.Tty),
    cwd: c.config.WorkingDir || '/',
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: !!c.config.Tty,
    hostname,
    mounts,
    privileged: !!hc.Privileged,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    network,
    resources,
    cgroupsPath: cgroupsPath(c.id),
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    hostHardLimits: d.host.hostHardLimits(),
    sysctls: hc.Sysctls ?? {},
    shmSize: hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : 64 * 1024 * 1024,
    noNewPrivileges: (hc.SecurityOpt ?? []).some((o) => o === 'no-new-privileges' || o === 'no-new-privileges:true' || o === 'no-new-privileges=true'),
  };
  const shared = sharedNamespaces(hc, (n) => {
    const o = d.store.find(n);
    return { id: o.id, pid: isRunning(o) ? o.state.pid : 0 };
  });
  if (shared) input.shared = shared;
  if (hc.OomScoreAdj) input.oomScoreAdj = hc.OomScoreAdj;
  if (initPath) input.init = { hostPath: initPath, containerPath: '/sbin/docker-init' };
  if (hc.MaskedPaths) input.maskedPaths = hc.MaskedPaths;
  if (hc.ReadonlyPaths) input.readonlyPaths = hc.ReadonlyPaths;
  return input;
}

/** Docker creates a missing working directory, owned by the container's user. */
export async function ensureWorkingDir(root: string, dir: string, user: ResolvedUser): Promise<void> {
  const host = await resolveInRoot(root, dir);
  if (await fs.stat(host).catch(() => null)) return;
  const rel = path.relative(root, host).split(path.sep).filter(Boolean);
  let cur = root;
  for (const part of rel) {
    cur = path.join(cur, part);
    if (await fs.lstat(cur).catch(() => null)) continue;
    await fs.mkdir(cur, { mode: 0o755 });
    await fs.chown(cur, user.uid, user.gid).catch(() => {});
  }
}

/** The container's cgroup path under the berth parent. */
export function cgroupsPath(id: string): string {
  return `/berth/${id}`;
}

/** Writes the container's /etc/hostname, /etc/hosts and /etc/resolv.conf (mounted into it by bind). */
export async function writeEtcFiles(d: EtcDeps, c: ContainerRecord, address?: string, nameservers?: string[], linkHosts: string[] = []): Promise<void> {
  const p = d.store.paths(c.id);
  const mode = effectiveNetworkMode(c.hostConfig.NetworkMode) === 'host' ? 'host' : (c.hostConfig.NetworkMode ?? 'none');
  const [hostHosts, hostResolv] = await Promise.all([d.host.readHostFile('/etc/hosts').catch(() => ''), d.host.readHostFile('/etc/resolv.conf').catch(() => '')]);
  const hostname = c.config.Hostname ?? c.id.slice(0, 12);
  // Regenerated when needed, so no fsync; written whole to a temp name and renamed all the same.
  replaceFileSync(p.hostnameFile, hostnameFile(hostname), 0o644);
  replaceFileSync(
    p.hostsFile,
    hostsFile({ hostname, domainname: c.config.Domainname ?? '', networkMode: mode, hostHosts, extraHosts: [...(c.hostConfig.ExtraHosts ?? []), ...linkHosts], ...(address ? { address } : {}) }),
    0o644,
  );
  replaceFileSync(
    p.resolvConfFile,
    resolvConfFile({ hostResolv, networkMode: mode, dns: c.hostConfig.Dns?.length ? c.hostConfig.Dns : (nameservers ?? []), dnsSearch: c.hostConfig.DnsSearch ?? [], dnsOptions: c.hostConfig.DnsOptions ?? [] }),
    0o644,
  );
}
