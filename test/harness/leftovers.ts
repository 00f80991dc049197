// Removes everything a test daemon may leave behind, even when it crashed or a test failed half-way:
// runc containers under its exec root, conmon monitors, mounts under its roots, its bridge, its files.
// Every step tolerates "already gone"; failures are reported as warnings, never thrown, so that one
// stuck mount does not hide the test's own failure.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import { removeChains } from '../../src/host/bridge-net.js';

export interface Leftovers {
  /** Directory holding the data root, exec root and logs; everything under it is removed. */
  base: string;
  execRoot: string;
  bridge?: string;
}

export async function removeLeftovers(l: Leftovers, warn: (msg: string) => void = (m) => console.error(`harness: ${m}`)): Promise<void> {
  // 1. Containers: runc's own record of them, under the exec root the daemon was given.
  for (const runcRoot of runcRoots(l.execRoot)) {
    const list = await run('runc', ['--root', runcRoot, 'list', '-q'], { timeout: 20_000 }).catch(() => undefined);
    for (const id of list?.stdout.split('\n').filter(Boolean) ?? []) {
      const r = await run('runc', ['--root', runcRoot, 'delete', '-f', id], { timeout: 20_000 });
      if (r.code !== 0) warn(`runc delete -f ${id}: ${r.stderr.trim()}`);
    }
  }
  // 2. Monitors (conmon) and anything else whose command line names our directories.
  for (const pid of processesMentioning(l.base)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  // 3. Mounts under our directories, innermost (latest) first; lazily when still busy.
  for (const mnt of mountsUnder(l.base).reverse()) {
    let r = await run('umount', [mnt], { timeout: 20_000 });
    if (r.code !== 0) r = await run('umount', ['-l', mnt], { timeout: 20_000 });
    if (r.code !== 0) warn(`umount ${mnt}: ${r.stderr.trim()}`);
  }
  // 4. The bridges: the default one and those of the daemon's user-defined networks; then the
  // daemon's packet-filter chains (named after its default bridge) and the jumps into them.
  const bridges = [...(l.bridge ? [l.bridge] : []), ...networkBridges(path.join(l.base, 'data', 'networks'))];
  for (const b of bridges) {
    if (!fs.existsSync(`/sys/class/net/${b}`)) continue;
    const r = await run('ip', ['link', 'del', 'dev', b]);
    if (r.code !== 0) warn(`ip link del ${b}: ${r.stderr.trim()}`);
  }
  if (l.bridge) await removeChains(l.bridge);
  // 5. The files.
  try {
    fs.rmSync(l.base, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    warn(`rm -rf ${l.base}: ${(e as Error).message}`);
  }
}

/** runc state directories: the documented <execRoot>/runc, plus any other dir holding runc state. */
function runcRoots(execRoot: string): string[] {
  const roots = new Set<string>();
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (fs.existsSync(path.join(p, 'state.json'))) roots.add(dir);
      else if (depth > 0) walk(p, depth - 1);
    }
  };
  walk(execRoot, 2);
  roots.add(path.join(execRoot, 'runc'));
  return [...roots].filter((r) => fs.existsSync(r));
}

/** PIDs whose command line contains `needle` (not our own process). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(pid);
    } catch {
      /* exited */
    }
  }
  return pids;
}

/** berthd's probe server: children of `daemonPid` run with the argument --serve (berth_nsexec_serve.c). */
export function probeServerPids(daemonPid: number): number[] {
  return processesMentioning('--serve').filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === daemonPid;
    } catch {
      return false; // exited
    }
  });
}

/** Mount points at or under `dir`, in mount order (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const mnt = fields[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mnt === dir || mnt.startsWith(dir + '/')) out.push(mnt);
  }
  return out;
}

/** The bridges a daemon's user-defined networks made, from its network records. */
function networkBridges(dir: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const rec = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { bridge?: string };
      if (rec.bridge) out.push(rec.bridge);
    } catch {
      /* unreadable: nothing to learn */
    }
  }
  return out;
}
