// Restart policies as Docker applies them, as pure decisions: which policies are valid, whether an
// exit restarts the container, the back-off before it does (100 ms doubling to one minute, back to
// 100 ms after a run of 10 s or more), and which containers a daemon start brings back.
import { InvalidParameterError } from '../../errors.js';

export interface RestartPolicy {
  Name?: string;
  MaximumRetryCount?: number;
}

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
/** A run at least this long resets the back-off. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

/** Docker's checks of HostConfig.RestartPolicy (and of --rm with one), in its words. */
export function validateRestartPolicy(p: RestartPolicy | undefined | null, autoRemove: boolean): void {
  const name = p?.Name ?? '';
  const max = p?.MaximumRetryCount ?? 0;
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw new InvalidParameterError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (!Number.isInteger(max)) throw new InvalidParameterError('invalid restart policy: maximum retry count must be an integer');
  if (max < 0) throw new InvalidParameterError('invalid restart policy: maximum retry count cannot be negative');
  if (max > 0 && name !== 'on-failure') throw new InvalidParameterError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (autoRemove && name !== '' && name !== 'no') throw new InvalidParameterError("can't create 'AutoRemove' container with restart policy");
}

export interface ExitFacts {
  exitCode: number;
  /** restarts so far (RestartCount) */
  restartCount: number;
  /** stopped or killed by a user: the policy is set aside until the next manual start */
  manuallyStopped: boolean;
}

/** Whether an exit, as it happened, restarts the container. */
export function shouldRestart(p: RestartPolicy | undefined | null, f: ExitFacts): boolean {
  if (f.manuallyStopped) return false;
  switch (p?.Name ?? '') {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const max = p?.MaximumRetryCount ?? 0;
      return f.exitCode !== 0 && (max === 0 || f.restartCount < max);
    }
    default:
      return false;
  }
}

/**
 * What a daemon start does with a container that is not running: `always` comes back even after a
 * manual stop (as Docker's), `unless-stopped` unless a user stopped it, `on-failure` when its last
 * exit was a failure with retries left.
 */
export function restartsAtDaemonStart(p: RestartPolicy | undefined | null, f: ExitFacts & { everStarted: boolean }): boolean {
  if (!f.everStarted) return false;
  if ((p?.Name ?? '') === 'always') return true;
  return shouldRestart(p, f);
}

/** The next back-off: doubled from the last, capped; back to the start after a long enough run. */
export function nextBackoff(previousMs: number | undefined, ranForMs: number): number {
  if (previousMs === undefined || ranForMs >= BACKOFF_RESET_AFTER_MS) return BACKOFF_START_MS;
  return Math.min(previousMs * 2, BACKOFF_MAX_MS);
}
