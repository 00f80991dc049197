// The STATUS column of `docker ps` for a container record ("Up 5 seconds", "Exited (0) 3 seconds
// ago", "Created"): the container's state handed to lib/format's statusText, worded as Docker's.
import { humanDuration as formatDuration, statusText as formatStatus } from '../../lib/format/units.js';
import type { ContainerStateRecord } from './container-model.js';

export const humanDuration = formatDuration;

export function statusText(s: ContainerStateRecord, now: number, removalInProgress = false): string {
  return formatStatus(
    {
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      Dead: s.status === 'dead',
      ExitCode: s.exitCode,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      RemovalInProgress: removalInProgress || s.status === 'removing',
      ...(s.health ? { Health: { Status: s.health.Status } } : {}),
    },
    now,
  );
}
