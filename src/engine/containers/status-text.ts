// The STATUS column of `docker ps` ("Up 5 seconds", "Exited (0) 3 seconds ago", "Created"), as
// Docker's container/state.go String() and go-units HumanDuration word it.
import { ZERO_TIME, type ContainerStateRecord } from './container-model.js';

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

function isZero(t: string): boolean {
  return !t || t === ZERO_TIME || t.startsWith('0001-');
}

export function statusText(s: ContainerStateRecord, now: number, removalInProgress = false): string {
  if (s.status === 'running' || s.status === 'paused') {
    const up = `Up ${humanDuration(now - Date.parse(s.startedAt))}`;
    return s.status === 'paused' ? `${up} (Paused)` : up;
  }
  if (s.status === 'restarting') return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
  if (removalInProgress || s.status === 'removing') return 'Removal In Progress';
  if (s.status === 'dead') return 'Dead';
  if (isZero(s.startedAt)) return 'Created';
  if (isZero(s.finishedAt)) return '';
  return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
}
