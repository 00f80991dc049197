// docker logs: a container's log records from its k8s-file log; a follow ends when the container exits.
import { NotImplementedError } from '../../errors.js';
import type { ContainerRecord } from './container-model.js';
import type { LogRecord } from './k8s-log.js';
import { driverKeepsLog } from './log-drivers.js';
import { readLogs } from './log-reader.js';

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail: number | null;
  sinceNs?: bigint | null;
  untilNs?: bigint | null;
  signal?: AbortSignal;
}

/** The container's log records; follow ends when the container exits. */
export function containerLogs(logPath: string, c: ContainerRecord, exited: Promise<unknown> | null, o: LogsOptions): { tty: boolean; records: AsyncGenerator<LogRecord> } {
  if (!driverKeepsLog(c.hostConfig.LogConfig?.Type)) throw new NotImplementedError('configured logging driver does not support reading');
  const running = exited !== null;
  const stopped = exited ?? Promise.resolve(null);
  return {
    tty: !!c.config.Tty,
    records: readLogs({
      logPath: logPath,
      stdout: o.stdout,
      stderr: o.stderr,
      tail: o.tail,
      sinceNs: o.sinceNs ?? null,
      untilNs: o.untilNs ?? null,
      follow: o.follow && running,
      stopped,
      ...(o.signal ? { signal: o.signal } : {}),
    }),
  };
}
