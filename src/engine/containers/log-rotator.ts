// Bounded container logs: every second, the live k8s-file log of each running container is checked
// against its max-size; past it the files shift (ctr.log -> ctr.log.1 ..., keeping max-file) and
// conmon is asked to reopen its log. Unlike Docker's default json-file, logs never fill the disk.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import { rotationPlan } from './k8s-log.js';

export interface RotationTarget {
  logPath: string;
  bundleDir: string;
  maxSize: number;
  maxFile: number;
}

export class LogRotator {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

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
    this.timer = setInterval(() => void this.checkOnce(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async checkOnce(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const t of this.o.targets()) {
        if (t.maxSize <= 0) continue;
        const st = await fs.stat(t.logPath).catch(() => null);
        if (!st || st.size < t.maxSize) continue;
        try {
          await rotateLog(t.logPath, t.maxFile);
          await this.o.reopen(t.bundleDir);
        } catch (e) {
          this.o.log.warn(`rotating ${t.logPath} failed`, e);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

export async function rotateLog(logPath: string, maxFile: number): Promise<void> {
  const dir = path.dirname(logPath);
  const base = path.basename(logPath);
  const plan = rotationPlan(base, await fs.readdir(dir), maxFile);
  for (const f of plan.remove) await fs.rm(path.join(dir, f), { force: true });
  for (const [from, to] of plan.renames) await fs.rename(path.join(dir, from), path.join(dir, to));
}
