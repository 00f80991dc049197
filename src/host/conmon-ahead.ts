// Pieces of ConmonRuntime's monitors: a runtime started ahead of its create (what it holds, when it
// serves a create, the hand-over of its config through a pipe) and the small file and wait helpers a
// --sync monitor needs.
import fs from 'node:fs';
import type { RuntimeCreateOptions } from '../engine/containers/runtime-contract.js';
import type { SpawnedConmon } from './conmon.js';

/** How long a killed or failed monitor is waited for before going on without its exit. */
const MONITOR_END_MS = 5_000;

/** A container's monitor and runtime started ahead of its create (ConmonRuntime.startAhead). */
export interface AheadRuntime {
  opts: RuntimeCreateOptions;
  c: SpawnedConmon;
  /** Our end (read-write) of the bundle's config.json FIFO. */
  fifo: number;
  /** conmon exited (killed, or runc failed): not usable. */
  exited: boolean;
  /** The config, once writeConfig gave it (sent when create's `ready` resolves). */
  config?: string;
}

/** Whether a runtime started with `a` serves a create with `b` (same ID, paths and conmon flags). */
export function sameCreate(a: RuntimeCreateOptions, b: RuntimeCreateOptions): boolean {
  return (
    a.id === b.id &&
    a.bundleDir === b.bundleDir &&
    a.logPath === b.logPath &&
    a.logSizeMax === b.logSizeMax &&
    a.tty === b.tty &&
    a.openStdin === b.openStdin &&
    a.stdinOnce === b.stdinOnce
  );
}

/**
 * Waits for a monitor started with --sync to end (after it was killed, or reported a failed create
 * and exits). Its exit is seen on SIGCHLD, which does not keep the event loop alive: a timer does,
 * and bounds the wait should the signal never come.
 */
export async function monitorEnded(launched: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([launched.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, MONITOR_END_MS)))]);
  clearTimeout(timer);
}

/**
 * Written beside and renamed into place: a reader never sees half a file (a pid file, a bundle's
 * config.json). No fsync: both are written again on every start.
 */
export function replaceFile(file: string, data: string, mode = 0o644): void {
  fs.writeFileSync(`${file}.tmp`, data, { mode });
  fs.renameSync(`${file}.tmp`, file);
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* closed already */
  }
}

/**
 * Writes all of `buf` to a non-blocking pipe: what does not fit in the pipe now (a config past its
 * 64 KiB) is written as the reader drains it.
 */
export async function writeAll(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}
