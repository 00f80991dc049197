// berth's native addon (native/berth_native.c, built by set-up with native/build.sh): mount(2) and
// umount2(2), and pipe2/posix_spawn/waitpid for starting processes without forking the daemon. When
// the addon is missing (not built, another platform) `available` is false and callers fall back to
// mount(8)/umount(8) and child_process, which do the same at a few milliseconds more per call.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MNT_DETACH = 0x2;

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void>;
  umount(target: string, flags: number): Promise<void>;
  pipe(): [number, number];
  spawn(file: string, argv: string[], envp: string[], cwd: string | null, fds: number[]): number;
  waitpid(pid: number): { code: number | null; signal: number | null } | null;
  netnsCreate?(path: string): void;
  sealedCopy?(path: string): number;
  netlinkSend?(nsPath: string | null, messages: Buffer): Promise<void>;
}

/** native/build/Release/<name> (what native/build.sh makes), found from here whether running from src/ or dist/src/. */
export function findNativeFile(name: string): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'native', 'build', 'Release', name);
    if (fs.existsSync(p)) return p;
    dir = path.dirname(dir);
  }
  return null;
}

function load(): Addon | null {
  if (process.env.BERTH_NO_NATIVE === '1') return null;
  const p = findNativeFile('berth_native.node');
  if (!p) return null;
  try {
    return createRequire(import.meta.url)(p) as Addon;
  } catch {
    return null;
  }
}

const addon = load();

/** True when the system calls are reachable directly. */
export const available = addon !== null;

/** mount(2). Rejects with an Error whose `code` is the errno name (EBUSY, EINVAL...). */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void> {
  if (!addon) return Promise.reject(new Error('the native addon is not built'));
  return addon.mount(source, target, fstype, flags, data);
}

/** umount2(2); flags MNT_DETACH for a lazy unmount. */
export function umount(target: string, flags = 0): Promise<void> {
  if (!addon) return Promise.reject(new Error('the native addon is not built'));
  return addon.umount(target, flags);
}

/** A close-on-exec pipe: [read end, write end]. */
export function pipe(): [number, number] {
  if (!addon) throw new Error('the native addon is not built');
  return addon.pipe();
}

/**
 * posix_spawn(3): `fds[i]` becomes descriptor i of the child (-1 for /dev/null). Throws (code ENOENT,
 * EACCES...) when the program cannot be run. Returns the PID; reap it with waitpid().
 */
export function spawn(file: string, argv: string[], env: NodeJS.ProcessEnv, cwd: string | null, fds: number[]): number {
  if (!addon) throw new Error('the native addon is not built');
  const envp = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return addon.spawn(file, argv, envp, cwd, fds);
}

/** Whether netnsCreate() can be called (an addon built before it was added lacks it). */
export function netnsAvailable(): boolean {
  return !!addon?.netnsCreate;
}

/**
 * A new, empty network namespace bind-mounted on `path` (which must exist), as `ip netns add` makes
 * one; made on a short-lived thread of its own. Throws an Error with `code` on failure.
 */
export function netnsCreate(path: string): void {
  if (!addon?.netnsCreate) throw new Error('the native addon is not built');
  addon.netnsCreate(path);
}

/** Whether netlinkSend() can be called (an addon built before it was added lacks it). */
export function netlinkAvailable(): boolean {
  return !!addon?.netlinkSend;
}

/**
 * Sends rtnetlink requests (src/lib/net/rtnetlink.ts) one at a time from inside the network namespace
 * at `nsPath` (berthd's own when null), each acknowledged before the next. The first one the kernel
 * refuses rejects with an Error carrying `code` (EEXIST...) and `index`, its position.
 */
export function netlinkSend(nsPath: string | null, messages: Buffer): Promise<void> {
  if (!addon?.netlinkSend) return Promise.reject(new Error('the native addon is not built'));
  return addon.netlinkSend(nsPath, messages);
}

export interface ExitStatus {
  code: number | null;
  signal: number | null;
}

const waiting = new Map<number, (s: ExitStatus) => void>();
/** The awaited children that the 100 ms poll is for (see waitpid's `poll`). */
const polled = new Set<number>();
let poll: NodeJS.Timeout | undefined;
let sigchldHooked = false;

function reapWaiting(): void {
  for (const [pid, done] of waiting) {
    let s: ExitStatus | null;
    try {
      s = addon!.waitpid(pid);
    } catch {
      s = { code: null, signal: null }; // ECHILD: reaped elsewhere; nothing more to learn
    }
    if (!s) continue;
    waiting.delete(pid);
    polled.delete(pid);
    done(s);
  }
  if (polled.size === 0 && poll) {
    clearInterval(poll);
    poll = undefined;
  }
}

/**
 * The exit of a child made by spawn(), reaped without blocking: checked on every SIGCHLD (libuv
 * reaps only the children child_process made, by PID, so the two never take each other's), and every
 * 100 ms while any is awaited, which also keeps the process alive meanwhile. `poll: false` is for
 * children that live as long as a container (conmon --sync): SIGCHLD alone reaps them, so that
 * neither a timer runs for as long as containers do nor the process is kept alive for them.
 */
export function waitpid(pid: number, o: { poll?: boolean } = {}): Promise<ExitStatus> {
  if (!addon) return Promise.reject(new Error('the native addon is not built'));
  if (!sigchldHooked) {
    process.on('SIGCHLD', reapWaiting);
    sigchldHooked = true;
  }
  return new Promise((resolve) => {
    waiting.set(pid, resolve);
    if (o.poll !== false) {
      polled.add(pid);
      poll ??= setInterval(reapWaiting, 100);
    }
    reapWaiting(); // it may have exited already
  });
}

/**
 * A descriptor of a sealed memfd copy of the program at `path` (see berth_native.c), or null when
 * the addon lacks the call or the copy failed. The descriptor stays open for the daemon's life.
 */
export function sealedCopy(path: string): number | null {
  if (!addon?.sealedCopy) return null;
  try {
    return addon.sealedCopy(path);
  } catch {
    return null;
  }
}

const sealedPaths = new Map<string, string>();

/**
 * Where to run the program at `path` from: `/proc/<daemon>/fd/N`, a sealed copy made once per
 * program for the process's life, or `path` itself when no copy can be made. runc recognises a
 * sealed copy as its own and then skips the copy of itself it makes at every create and exec
 * (CVE-2019-5736): ~3 ms of each `runc run` here (median of 15 each way, 56.2 against 52.9 ms).
 */
export function sealedProgramPath(path: string): string {
  let p = sealedPaths.get(path);
  if (p === undefined) {
    const fd = sealedCopy(path);
    p = fd === null ? path : `/proc/${process.pid}/fd/${fd}`;
    sealedPaths.set(path, p);
  }
  return p;
}
