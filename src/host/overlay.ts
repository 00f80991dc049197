// overlayfs mounts of a container's rootfs: mount with Docker's options, unmount (lazily when busy),
// and "is it mounted" from /proc/self/mountinfo. Idempotent both ways.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command.js';
import * as native from './native.js';
import type { Logger } from '../daemon/logger.js';
import { InvalidParameterError, SystemError } from '../errors.js';

export interface OverlaySpec {
  /** Layer directories, top-most first (overlayfs lowerdir order). */
  lower: string[];
  upper: string;
  work: string;
  target: string;
}

/** mount(2) copies at most one page of option data; longer strings are cut by the kernel. */
const MAX_OPTIONS = 4000;

/** The mountinfo escapes (\040 space, \011 tab, \012 newline, \134 backslash) decoded. */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points listed in a mountinfo text. */
export function mountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length > 5 && f[4]) out.push(unescapeMountinfo(f[4]));
  }
  return out;
}

/**
 * Whether `target` is a mount point. Synchronous inside: two system calls on a path and on procfs take
 * microseconds, while each thread-pool round trip of the async versions costs 0.2-1 ms on a busy
 * daemon, and this sits on every container start and exit.
 */
export async function isMounted(target: string): Promise<boolean> {
  return isMountedSync(target);
}

function isMountedSync(target: string): boolean {
  let abs = path.resolve(target);
  try {
    abs = fs.realpathSync(abs);
  } catch {
    return false;
  }
  return mountPoints(fs.readFileSync('/proc/self/mountinfo', 'utf8')).includes(abs);
}

function commonParent(paths: string[]): string {
  const split = paths.map((p) => path.resolve(p).split('/'));
  const first = split[0]!;
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join('/') || '/';
}

/**
 * The `-o` option string and the directory to run mount in. Absolute paths when they fit in a page;
 * otherwise paths relative to the common parent of every directory (overlayfs resolves them against
 * the mounting process's cwd), as Docker's overlay2 driver does with its short "l/" links.
 */
export function overlayOptions(o: OverlaySpec, indexOff: boolean): { options: string; cwd?: string } {
  const all = [...o.lower, o.upper, o.work];
  for (const p of all) {
    // ':' separates lower layers and ',' separates options; overlayfs offers no portable escape.
    if (/[,:]/.test(p)) throw new InvalidParameterError(`overlay: a layer path may not contain ',' or ':': ${p}`);
  }
  if (o.lower.length === 0) throw new InvalidParameterError('overlay: at least one lower layer is required');
  const build = (f: (p: string) => string) =>
    `lowerdir=${o.lower.map(f).join(':')},upperdir=${f(o.upper)},workdir=${f(o.work)}${indexOff ? ',index=off' : ''}`;
  const abs = build((p) => path.resolve(p));
  if (abs.length <= MAX_OPTIONS) return { options: abs };
  const parent = commonParent(all);
  const rel = build((p) => path.relative(parent, path.resolve(p)) || '.');
  if (rel.length > MAX_OPTIONS) {
    throw new SystemError(
      `overlay: ${o.lower.length} layers make mount options of ${rel.length} bytes even relative to ${parent}; the kernel takes at most one page`,
    );
  }
  return { options: rel, cwd: parent };
}

/** index=off keeps two mounts sharing lower layers from tripping over each other (Docker sets it too). */
function supportsIndexOff(): boolean {
  return fs.existsSync('/sys/module/overlay/parameters/index');
}

/** `knownUnmounted`: the caller has just checked (the check reads the whole mount table). */
export async function mountOverlay(o: OverlaySpec, log?: Logger, opts: { knownUnmounted?: boolean } = {}): Promise<void> {
  if (!opts.knownUnmounted && isMountedSync(o.target)) return;
  // Directories that normally exist already: checked in place rather than through the thread pool.
  for (const d of [o.upper, o.work, o.target]) fs.mkdirSync(d, { recursive: true });
  const { options, cwd } = overlayOptions(o, supportsIndexOff());
  const target = path.resolve(o.target);
  // Relative layer paths resolve against the mounting process's cwd: only mount(8) can have its own.
  if (native.available && !cwd) {
    try {
      await native.mount('overlay', target, 'overlay', 0, options);
      return;
    } catch (e) {
      throw new SystemError(`mounting the container's rootfs failed: ${(e as Error).message}`);
    }
  }
  const r = await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { log, cwd });
  if (r.code !== 0) throw new SystemError(`mounting the container's rootfs failed: ${r.stderr.trim() || `mount exited ${r.code}`}`);
}

/** Unmounts; a busy mount is detached lazily (MNT_DETACH) so it goes away when the last user does. */
export async function unmountOverlay(target: string, log?: Logger): Promise<void> {
  if (!(await isMounted(target))) return;
  const abs = path.resolve(target);
  if (native.available) {
    try {
      await native.umount(abs);
      return;
    } catch (e) {
      if (!(await isMounted(abs))) return;
      try {
        await native.umount(abs, native.MNT_DETACH);
        return;
      } catch (lazy) {
        if (!(await isMounted(abs))) return;
        throw new SystemError(`unmounting ${abs} failed: ${(lazy as Error).message} (${(e as Error).message})`);
      }
    }
  }
  const r = await runCommand('umount', [abs], { log });
  if (r.code === 0 || !(await isMounted(abs))) return;
  const lazy = await runCommand('umount', ['-l', abs], { log });
  if (lazy.code !== 0 && (await isMounted(abs))) {
    throw new SystemError(`unmounting ${abs} failed: ${lazy.stderr.trim() || r.stderr.trim()}`);
  }
}
