// The log drivers berth accepts, and what each means here. Every driver that keeps a log writes conmon's
// k8s-file format at LogPath (`TIMESTAMP stdout|stderr F|P text` per line, rotated by max-size and
// max-file); the name is what the client asked for, so clients that read logs only from drivers they
// know (json-file, local, journald) do so. `none` keeps nothing and `docker logs` refuses, as Docker.
export const LOG_DRIVERS: readonly string[] = ['json-file', 'local', 'k8s-file', 'none'];

/** Docker's default driver, reported in HostConfig.LogConfig.Type when the client names none. */
export const DEFAULT_LOG_DRIVER = 'json-file';

/** Whether a driver keeps a log that `docker logs` and attach's `logs=1` can read. */
export function driverKeepsLog(type: string | undefined): boolean {
  return type !== 'none';
}
