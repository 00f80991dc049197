// The service's health wiring: a run's probes started, their results kept and announced. A probe: an exec of the check's command in the container, its output kept (bounded to
// what Docker keeps), killed when it outlives the check's timeout.
import type { ContainerStore } from './container-store.js';
import type { ExecManager } from './exec-manager.js';
import { effectiveCheck, goDuration, initialHealth, type HealthMonitor, type HealthState } from './health-check.js';
import type { ContainerRecord } from './container-model.js';
import type { Logger } from '../../daemon/logger.js';

export interface ProbeDeps {
  store: Pick<ContainerStore, 'tryFind'>;
  exec: Pick<ExecManager, 'create' | 'start' | 'inspect'>;
}

/** One probe: an exec of the check's command, its output kept (bounded), killed at the timeout. */
export async function runHealthProbe(d: ProbeDeps, id: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string } | null> {
  const c = d.store.tryFind(id);
  // A paused container is not probed (its health stays as it was until it is thawed).
  if (!c || c.state.status !== 'running') return null;
  const execId = d.exec.create(id, { cmd, env: [], user: '', workingDir: '', tty: false, attachStdin: false, attachStdout: true, attachStderr: true, privileged: false, detachKeys: '' });
  const chunks: Buffer[] = [];
  let size = 0;
  // The timeout counts from the request: a runtime that runs probes through a shared helper answers
  // exec start only at the probe's end (and kills it at the timeout itself).
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const ran = d.exec
    .start(execId, {
      detach: false,
      probeTimeoutMs: timeoutMs,
      onOutput: (_s, b) => {
        if (size < 8192) chunks.push(b);
        size += b.length;
      },
    })
    .then((run) => run.done);
  let res: number | 'timeout';
  try {
    res = await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
  if (res === 'timeout') {
    ran.catch(() => {}); // a start that fails after the timeout has nothing left to tell
    const pid = d.exec.inspect(execId).pid;
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    return { exitCode: -1, output: `Health check exceeded timeout (${goDuration(timeoutMs)})` };
  }
  return { exitCode: res, output: Buffer.concat(chunks).toString('utf8') };
}

export interface HealthUpdateDeps {
  store: Pick<ContainerStore, 'tryFind' | 'saveState'>;
  log: Logger;
  publish(c: ContainerRecord, action: string): void;
}

/** Starts the probes of a container that has a healthcheck; `fresh`: a new run, health starts over. */
export function watchHealth(health: Pick<HealthMonitor, 'watch'>, c: ContainerRecord, fresh: boolean): void {
  const check = effectiveCheck(c.config.Healthcheck);
  if (!check) {
    delete c.state.health;
    return;
  }
  if (fresh || !c.state.health) c.state.health = initialHealth();
  health.watch(c.id, check, new Date(c.state.startedAt), c.state.health);
}

/**
 * When a record's health was last written, and what it said. A probe that changes neither Status nor
 * FailingStreak only adds a Log entry: that is written with the next change, the next save of the
 * record for any other reason, or after HEALTH_SAVE_EVERY_MS, not on every probe (50 containers
 * probed every second were 50 record writes a second). Inspect reads the record in memory, so it
 * always shows the latest entries; only a crash can lose the newest Log entries from disk.
 */
const healthSaved = new WeakMap<ContainerRecord, { status: string; streak: number; at: number }>();
export const HEALTH_SAVE_EVERY_MS = 30_000;

/** A probe's result: kept in the record, and an event when the status changed. */
export function healthUpdated(d: HealthUpdateDeps, id: string, h: HealthState, changed: boolean): void {
  const c = d.store.tryFind(id);
  if (!c || c.id !== id || c.state.status !== 'running') return;
  c.state.health = h;
  const last = healthSaved.get(c);
  const now = Date.now();
  if (!last || last.status !== h.Status || last.streak !== h.FailingStreak || now - last.at >= HEALTH_SAVE_EVERY_MS) {
    healthSaved.set(c, { status: h.Status, streak: h.FailingStreak, at: now });
    d.store.saveState(c).catch((e) => d.log.warn(`saving the health of ${id}`, e));
  }
  if (changed) d.publish(c, `health_status: ${h.Status}`);
}

