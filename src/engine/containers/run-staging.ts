// A run staged up to the moment its process would run: rootfs mounted, volumes filled, network
// prepared, bundle written, and the runtime's container created under conmon (its init waiting).
import fsSync from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime, RuntimeCreateOptions } from './runtime-contract.js';
import { ZERO_TIME, type ContainerPaths, type ContainerRecord } from './container-model.js';
import type { ContainerStore } from './container-store.js';
import type { ContainerHostOps, ContainerNetworking } from './container-host.js';
import { replaceFileSync } from '../atomic-file.js';
import type { ResolvedUser } from './user-resolve.js';
import { linkEnv, linkHostsEntry } from '../../lib/net/links.js';
import { linkTargets } from './link-targets.js';
import { driverKeepsLog } from './log-drivers.js';
import { populateVolume } from './volume-populate.js';
import { ensureWorkingDir, specInput, writeEtcFiles } from './run-spec.js';
import { deferred } from './deferred.js';
import type { StagedRun } from './start-ahead.js';

export interface StagingDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  host: ContainerHostOps;
  networking: ContainerNetworking;
  log: Logger;
  acquireRootfs(c: ContainerRecord): Promise<string>;
  releaseRootfs(id: string): Promise<void>;
  resolveUserFor(c: ContainerRecord, spec: string): Promise<ResolvedUser>;
}

/**
 * Everything of a start up to the moment the process would run: rootfs mounted, volumes filled,
 * network prepared, bundle written, and the runtime's container created under conmon (its init
 * waiting). Undoes its own partial work when it fails.
 */
export async function stageRun(d: StagingDeps, c: ContainerRecord, gate?: Promise<void>): Promise<StagedRun> {
  const p = d.store.paths(c.id);
  let mounted = false;
  let networked = false;
  let created = false;
  // The runtime's monitor starts first and runs the runtime's create once bundleReady resolves
  // (ContainerRuntime.create): conmon's own start-up runs beside the mount, the network and the spec
  // below instead of after them.
  const bundleReady = deferred<void>();
  bundleReady.promise.catch(() => {}); // rejected only in the catch below, where the runtime takes it
  let creating: Promise<{ pid: number; conmonPid: number }> | undefined;
  try {
    // Whatever a previous run left in the runtime (an exited container runc still knows) goes
    // first; a container that never ran has nothing there, and runc costs a process spawn.
    if (c.state.startedAt !== ZERO_TIME || c.state.error) await d.runtime.delete(c.id, true).catch(() => {});
    fsSync.mkdirSync(p.bundleDir, { recursive: true, mode: 0o700 });
    creating = d.runtime.create(runtimeCreateOptions(c, p), bundleReady.promise);
    creating.catch(() => {}); // awaited below, or after holdBack in the catch
    await d.acquireRootfs(c);
    mounted = true;
    if (!c.volumesPopulated) {
      for (const m of c.mounts) {
        if (m.type === 'volume' && m.copyImageContent) await populateVolume(p.mergedDir, m.destination, m.source);
      }
      c.volumesPopulated = true;
    }
    const net = await d.networking.prepare(c, (other) => {
      const o = d.store.find(other);
      return o.state.status === 'running' || o.state.status === 'paused' ? o.state.pid : 0;
    });
    networked = true;
    const links = linkTargets(c, (n) => d.store.find(n));
    const user = await d.resolveUserFor(c, c.config.User ?? '');
    if (c.config.WorkingDir) await ensureWorkingDir(p.mergedDir, c.config.WorkingDir, user);
    const spec = d.host.buildSpec(await specInput({ store: d.store, host: d.host }, c, user, net.spec, links.flatMap((l) => linkEnv(l.alias, c.name, l.target))));
    // Rewritten on every start from the stored record, so a crash cannot lose anything here: no fsync
    // on the start path (the record itself is still written with fsync). A runtime started ahead for
    // this container takes it through its pipe when let go, below (writeConfig).
    const specText = JSON.stringify(spec, null, 2) + '\n';
    if (d.runtime.writeConfig) d.runtime.writeConfig(c.id, p.bundleDir, specText);
    else replaceFileSync(path.join(p.bundleDir, 'config.json'), specText, 0o644);
    if (gate) await gate;
    // The /etc files were written at create (by then, past the gate); rewrite them when networking
    // gave an address or they went missing.
    if (net.address || !fsSync.existsSync(p.hostsFile)) await writeEtcFiles({ store: d.store, host: d.host }, c, net.address, net.nameservers, links.map((l) => linkHostsEntry(l.alias, l.target)));
    bundleReady.resolve();
    const { pid, conmonPid } = await creating;
    created = true;
    // The namespaces exist now (the init waits for its start): wire the network into them.
    if (d.networking.plumb) await d.networking.plumb(c, pid, net);
    return { pid, conmonPid, net };
  } catch (e) {
    // A monitor still waiting is killed before it runs anything (a no-op once it was let go).
    bundleReady.reject(e);
    if (creating && !created) await creating.catch(() => {});
    if (created) await d.runtime.delete(c.id, true).catch(() => {});
    if (networked) await d.networking.release(c).catch(() => {});
    if (mounted) await d.releaseRootfs(c.id).catch((err) => d.log.warn(`unmount after failed start of ${c.id}`, err));
    throw e;
  }
}

/** What of a container decides its monitor's flags (a runtime started ahead serves creates alike). */
export interface RunShape {
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  keepsLog: boolean;
  logMaxSize: number;
}

export function runShape(o: { tty?: boolean; openStdin?: boolean; stdinOnce?: boolean; logDriver?: string; logMaxSize: number }): RunShape {
  const tty = !!o.tty;
  return {
    tty,
    openStdin: !!o.openStdin,
    // Docker never closes a TTY container's stdin when its client goes away (a detached
    // `docker run -it` shell keeps running and can be attached again); without a TTY, StdinOnce
    // closes it when the first client's stdin ends (`echo x | docker run -i ... cat`).
    stdinOnce: !!o.stdinOnce && !tty,
    keepsLog: driverKeepsLog(o.logDriver),
    logMaxSize: o.logMaxSize,
  };
}

export function sameShape(a: RunShape, b: RunShape): boolean {
  return a.tty === b.tty && a.openStdin === b.openStdin && a.stdinOnce === b.stdinOnce && a.keepsLog === b.keepsLog && a.logMaxSize === b.logMaxSize;
}

/** What the runtime is told about a container's run (conmon's flags, the bundle, the log). */
export function runtimeCreateOptionsFor(id: string, p: ContainerPaths, s: RunShape): RuntimeCreateOptions {
  return {
    id,
    bundleDir: p.bundleDir,
    logPath: s.keepsLog ? p.logFile : null,
    // conmon's own cap is a backstop for while berthd is down; berthd rotates well below it.
    logSizeMax: s.logMaxSize > 0 ? Math.max(s.logMaxSize * 4, s.logMaxSize + 4 * 1024 * 1024) : -1,
    tty: s.tty,
    openStdin: s.openStdin,
    stdinOnce: s.stdinOnce,
  };
}

function runtimeCreateOptions(c: ContainerRecord, p: ContainerPaths): RuntimeCreateOptions {
  const shape = runShape({ tty: c.config.Tty, openStdin: c.config.OpenStdin, stdinOnce: c.config.StdinOnce, logDriver: c.hostConfig.LogConfig?.Type, logMaxSize: c.logMaxSize });
  return runtimeCreateOptionsFor(c.id, p, shape);
}
