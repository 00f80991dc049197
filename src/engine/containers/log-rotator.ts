// Bounded container logs. Twice a second the live k8s-file log of each running container is checked
// against its max-size; past it the files shift (ctr.log -> ctr.log.1 ..., keeping max-file) and
// conmon is asked to reopen its log. A burst faster than the check (or a container that ran and
// exited between two checks) leaves a file larger than max-size: rotated files that have settled
// (and the live file once the container has exited) are then cut at line ends and only the newest
// max-file pieces kept. Unlike Docker's default json-file, logs never fill the disk.
import fs from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import { lastChunks, rotatedNames, rotationPlan } from './k8s-log.js';

export interface RotationTarget {
  logPath: string;
  bundleDir: string;
  maxSize: number;
  maxFile: number;
}

export class LogRotator {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  /** Live logs the last full pass found in bounds, with nothing rotated left to cut. */
  private readonly quiet = new Set<string>();

  constructor(
    private readonly o: {
      log: Logger;
      targets: () => RotationTarget[];
      reopen: (bundleDir: string) => Promise<void>;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkOnce(), this.o.intervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Passes and final bounds run one at a time: two of them renaming one log's files would mix them up. */
  private tail: Promise<void> = Promise.resolve();

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  async checkOnce(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.serial(async () => {
        const targets = this.o.targets();
        for (const t of targets) {
          if (t.maxSize <= 0) continue;
          try {
            // A log found in bounds with nothing to cut stays so until its live file reaches
            // max-size (only this pass rotates): one stat then, not a directory listing and a stat
            // per rotated file, for each of 50 quiet containers twice a second.
            if (this.quiet.has(t.logPath)) {
              // In place: a stat of a local file does not block, and 100 of them a second through
              // the thread pool were 100 hand-offs and wake-ups of the daemon.
              const size = statSync(t.logPath, { throwIfNoEntry: false })?.size ?? 0;
              if (size < t.maxSize) continue;
              this.quiet.delete(t.logPath);
            }
            if (await enforceLogBounds(t.logPath, t.maxSize, t.maxFile, () => this.o.reopen(t.bundleDir))) this.quiet.add(t.logPath);
          } catch (e) {
            this.o.log.warn(`bounding ${t.logPath} failed`, e);
          }
        }
        if (this.quiet.size > targets.length) {
          const live = new Set(targets.map((t) => t.logPath));
          for (const p of this.quiet) if (!live.has(p)) this.quiet.delete(p);
        }
      });
    } finally {
      this.busy = false;
    }
  }

  /**
   * The last bounding of a container that has exited (its monitor gone): after any pass in progress,
   * and never beside one, so a live rotation of the same files cannot undo it.
   */
  boundExited(logPath: string, maxSize: number, maxFile: number): Promise<void> {
    this.quiet.delete(logPath);
    return this.serial(async () => void (await enforceLogBounds(logPath, maxSize, maxFile, null)));
  }
}

/** Shifts the rotated files and renames the live one to .1 (the writer must then reopen). */
export async function rotateLog(logPath: string, maxFile: number): Promise<void> {
  const dir = path.dirname(logPath);
  const base = path.basename(logPath);
  const plan = rotationPlan(base, await fs.readdir(dir), maxFile);
  for (const f of plan.remove) await fs.rm(path.join(dir, f), { force: true });
  for (const [from, to] of plan.renames) await fs.rename(path.join(dir, from), path.join(dir, to));
}

/**
 * One round of bounding. `reopen` given: the container runs (the live file is conmon's; rotate it when
 * over max-size). `reopen` null: the container has exited, every file is settled and may be cut.
 * True when everything was in bounds already (nothing cut, nothing rotated).
 */
export async function enforceLogBounds(logPath: string, maxSize: number, maxFile: number, reopen: (() => Promise<void>) | null): Promise<boolean> {
  if (maxSize <= 0) return true;
  const dir = path.dirname(logPath);
  const base = path.basename(logPath);
  const live = reopen !== null;
  // Settled files: every rotated one (rotated at least one round ago), plus the live one once the
  // container has exited and only if it is itself too big (re-cutting it otherwise would hand a
  // `logs -f` reader a new file to read again).
  const liveSize = await fs.stat(logPath).then((s) => s.size, () => 0);
  const cutLive = !live && liveSize > maxSize;
  const settled = rotatedNames(base, await fs.readdir(dir).catch(() => [] as string[])).filter((n) => cutLive || n !== base);
  const sizes = await Promise.all(settled.map((n) => fs.stat(path.join(dir, n)).then((s) => s.size, () => 0)));
  const keep = cutLive ? Math.max(1, maxFile) : Math.max(0, maxFile - 1);
  let inBounds = true;
  if (sizes.some((s) => s > maxSize) || settled.length > keep) {
    inBounds = false;
    const data = Buffer.concat(await Promise.all(settled.map((n) => fs.readFile(path.join(dir, n)).catch(() => Buffer.alloc(0)))));
    const pieces = lastChunks(data, maxSize, keep);
    for (const n of settled) if (n !== base) await fs.rm(path.join(dir, n), { force: true });
    // Newest piece: the live file when it is cut, else .1; older pieces count up from there.
    const names = pieces.map((_, i) => {
      const age = pieces.length - 1 - i;
      if (cutLive) return age === 0 ? base : `${base}.${age}`;
      return `${base}.${age + 1}`;
    });
    for (const [i, p] of pieces.entries()) {
      if (names[i] === base) {
        // In place (same inode): a follower past the new end reads nothing more instead of the
        // whole file again.
        await fs.writeFile(logPath, p);
        continue;
      }
      const tmp = path.join(dir, `.tmp-${names[i]}`);
      await fs.writeFile(tmp, p, { mode: 0o600 });
      await fs.rename(tmp, path.join(dir, names[i]!));
    }
  }
  if (live) {
    const st = await fs.stat(logPath).catch(() => null);
    if (st && st.size >= maxSize) {
      inBounds = false;
      await rotateLog(logPath, maxFile);
      await reopen();
    }
  }
  return inBounds;
}
