// Healthchecks as Docker runs them, in two parts: pure rules (the effective check with Docker's
// defaults, its validation, and how one probe result moves State.Health), and HealthMonitor, which
// schedules each running container's probes and asks the container service to run each as an exec.
// A probe never delays a start: the first one runs an interval after it. Probes start on shared ticks
// (probeSlot): a probe due between two ticks runs on the nearer one, at most half a tick early or
// late (a tick is a tenth of its delay, at most 100 ms), so that 50 containers probed every second
// wake the daemon (and the probe server, probe-server.ts) about ten times a second, not fifty.
// Rounding to the nearer tick, not the next, keeps the rate Docker's: each probe starts an interval
// after the previous one ended, give or take half a tick, with no drift building up.
import { InvalidParameterError } from '../../errors.js';
import type { HealthConfig } from '../../api/types/containers.js';

const NS_PER_MS = 1_000_000;
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_START_INTERVAL_MS = 5_000;
export const DEFAULT_RETRIES = 3;
/** Docker keeps the last five results, each output cut to 4 KiB. */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export interface EffectiveCheck {
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

type HealthConfigFull = HealthConfig & { StartInterval?: number };

/** Docker's checks of Config.Healthcheck at create, in its words. */
export function validateHealthcheck(h: HealthConfigFull | undefined | null): void {
  if (!h) return;
  for (const [field, v] of [['Interval', h.Interval], ['Timeout', h.Timeout], ['StartPeriod', h.StartPeriod], ['StartInterval', h.StartInterval]] as const) {
    if (v !== undefined && v !== 0 && v < NS_PER_MS) throw new InvalidParameterError(`${field} in Healthcheck cannot be less than 1ms`);
  }
  if (h.Retries !== undefined && h.Retries < 0) throw new InvalidParameterError('Retries in Healthcheck cannot be negative');
}

/** The command and timings a container's healthcheck runs with; null when it has none (or NONE). */
export function effectiveCheck(h: HealthConfigFull | undefined | null): EffectiveCheck | null {
  const test = h?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return null;
  let cmd: string[];
  if (test[0] === 'CMD') cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL') cmd = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else cmd = test; // an old client's bare command
  if (cmd.length === 0) return null;
  const ms = (ns: number | undefined, dflt: number) => (ns && ns > 0 ? Math.round(ns / NS_PER_MS) : dflt);
  return {
    cmd,
    intervalMs: ms(h!.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(h!.Timeout, DEFAULT_TIMEOUT_MS),
    startPeriodMs: ms(h!.StartPeriod, 0),
    startIntervalMs: ms(h!.StartInterval, DEFAULT_START_INTERVAL_MS),
    retries: h!.Retries && h!.Retries > 0 ? h!.Retries : DEFAULT_RETRIES,
  };
}

export function initialHealth(): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

export interface ProbeResult {
  start: Date;
  end: Date;
  exitCode: number;
  output: string;
}

/**
 * Cuts an output to Docker's limit without splitting a UTF-8 character; a cut output ends in "...",
 * as Docker marks it (dockerd 20.10 answers 4096 bytes and the three dots).
 */
export function capOutput(s: string): string {
  const b = Buffer.from(s);
  if (b.length <= MAX_OUTPUT_BYTES) return s;
  return b.subarray(0, MAX_OUTPUT_BYTES).toString('utf8').replace(/\uFFFD$/, '') + '...';
}

/**
 * One probe's effect: success makes the container healthy; a failure counts unless it falls in the
 * start period, and `retries` failures in a row make it unhealthy.
 */
export function applyProbe(prev: HealthState, r: ProbeResult, check: EffectiveCheck, inStartPeriod: boolean): HealthState {
  const entry: HealthLogEntry = { Start: r.start.toISOString(), End: r.end.toISOString(), ExitCode: r.exitCode, Output: capOutput(r.output) };
  const log = [...prev.Log, entry].slice(-MAX_LOG_ENTRIES);
  if (r.exitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  if (inStartPeriod) return { ...prev, Log: log };
  const streak = prev.FailingStreak + 1;
  return { Status: streak >= check.retries ? 'unhealthy' : prev.Status, FailingStreak: streak, Log: log };
}

export interface HealthMonitorDeps {
  /** Runs the probe as an exec in the container: its exit code and output (-1 at the timeout); null: not now (paused). */
  probe(id: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string } | null>;
  /** The new state; `changed` when Status moved (an event is due). */
  update(id: string, h: HealthState, changed: boolean): void;
  log: { debug(msg: string, e?: unknown): void };
}

/** The widest tick. */
export const MAX_TICK_MS = 100;

/**
 * When a probe due `delayMs` after `nowMs` runs: the multiple of the tick (a tenth of the delay, 1 to
 * MAX_TICK_MS ms) nearest to it, so that probes due close together start together. Always after
 * `nowMs` (half a tick is at most a twentieth of the delay).
 */
export function probeSlot(nowMs: number, delayMs: number): number {
  const tick = Math.max(1, Math.min(MAX_TICK_MS, Math.floor(delayMs / 10)));
  return Math.max(nowMs + 1, Math.round((nowMs + delayMs) / tick) * tick);
}

/** One timer per tick in use, however many probes fall on it. */
export class ProbeTicks {
  private readonly slots = new Map<number, { timer: NodeJS.Timeout; fns: Set<() => void> }>();

  /** Runs `fn` at probeSlot(now, delayMs); returns what cancels it. */
  at(delayMs: number, fn: () => void): () => void {
    const now = Date.now();
    const when = probeSlot(now, delayMs);
    let slot = this.slots.get(when);
    if (!slot) {
      const fns = new Set<() => void>();
      const timer = setTimeout(() => {
        this.slots.delete(when);
        for (const f of fns) f();
      }, when - now);
      timer.unref();
      this.slots.set(when, (slot = { timer, fns }));
    }
    const s = slot;
    s.fns.add(fn);
    return () => {
      s.fns.delete(fn);
      if (s.fns.size === 0 && this.slots.get(when) === s) {
        clearTimeout(s.timer);
        this.slots.delete(when);
      }
    };
  }

  /** Ticks waiting (tests). */
  get pending(): number {
    return this.slots.size;
  }
}

/** Each watched container's next probe on a shared tick; probes of one container never overlap. */
export class HealthMonitor {
  private readonly watched = new Map<string, { cancel: (() => void) | null; stopped: boolean }>();
  private readonly ticks = new ProbeTicks();

  constructor(private readonly d: HealthMonitorDeps) {}

  watch(id: string, check: EffectiveCheck, startedAt: Date, current: HealthState): void {
    this.unwatch(id);
    const w = { cancel: null as (() => void) | null, stopped: false };
    this.watched.set(id, w);
    let state = current;
    const inStart = () => Date.now() - startedAt.getTime() < check.startPeriodMs;
    const next = () => {
      if (w.stopped) return;
      // During the start period, Docker probes at the start interval (when shorter than the interval).
      const delay = inStart() && state.Status === 'starting' ? Math.min(check.startIntervalMs, check.intervalMs) : check.intervalMs;
      w.cancel = this.ticks.at(delay, () => void run());
    };
    const run = async () => {
      w.cancel = null;
      if (w.stopped) return;
      const start = new Date();
      const during = inStart();
      let r: { exitCode: number; output: string } | null;
      try {
        r = await this.d.probe(id, check.cmd, check.timeoutMs);
      } catch (e) {
        this.d.log.debug(`health probe of ${id.slice(0, 12)} could not run`, e);
        r = { exitCode: -1, output: (e as Error).message };
      }
      if (w.stopped) return;
      if (r === null) {
        next();
        return;
      }
      const updated = applyProbe(state, { start, end: new Date(), exitCode: r.exitCode, output: r.output }, check, during);
      const changed = updated.Status !== state.Status;
      state = updated;
      this.d.update(id, state, changed);
      next();
    };
    next();
  }

  unwatch(id: string): void {
    const w = this.watched.get(id);
    if (!w) return;
    w.stopped = true;
    w.cancel?.();
    this.watched.delete(id);
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }
}

/** A duration as Go prints a time.Duration of whole milliseconds or seconds ("500ms", "30s", "1m30s"): Docker's timeout message uses it. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}m${rest}s`;
}
