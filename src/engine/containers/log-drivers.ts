// The log drivers berth accepts, how a container's LogConfig is completed and checked (Docker's
// mergeAndVerifyLogConfig and each driver's option validator), and what each driver means here.
//
// Every driver that keeps a log has conmon write its k8s-file format (`TIMESTAMP stdout|stderr F|P
// text` per line, rotated by max-size/max-file) to the container's log file; berth reads it for
// `docker logs` and attach. conmon has no json-file writer, and a log written by berthd itself would
// stop when berthd does while the containers run on, so the driver name is what the client asked for
// (json-file by default, as Docker) and the format on disk is k8s-file. LogPath shows the file for
// json-file and k8s-file (clients read logs through the API; a tool reading the file must read
// k8s-file lines), and is empty for `local` (Docker keeps that file private) and `none` (no file).
// `none` keeps nothing and `docker logs` refuses it, as Docker.
import { InvalidParameterError } from '../../errors.js';

export const LOG_DRIVERS: readonly string[] = ['json-file', 'local', 'k8s-file', 'none'];

/** Docker's default driver, reported in HostConfig.LogConfig.Type when the client names none. */
export const DEFAULT_LOG_DRIVER = 'json-file';

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** Whether a driver keeps a log that `docker logs` and attach's `logs=1` can read. */
export function driverKeepsLog(type: string | undefined): boolean {
  return type !== 'none';
}

/** Whether inspect's LogPath names the log file (Docker: json-file only; podman: k8s-file). */
export function logPathShown(type: string | undefined): boolean {
  return type === 'json-file' || type === 'k8s-file';
}

/** Docker's answer for a driver it does not have: it looks for a logging plugin of that name. */
export function unknownLogDriver(name: string): InvalidParameterError {
  return new InvalidParameterError(`error looking up logging plugin ${name}: plugin "${name}" not found`);
}

// Options every driver takes (the logger's own and its read cache's; dockerd's builtInLogOpts).
const BUILT_IN = new Set(['mode', 'max-buffer-size', 'cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress']);
const CACHE = ['cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress'];
// Each driver's own options, and how it words an unknown one.
const FILE_OPTS = new Set(['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);
const DRIVER_OPTS: Record<string, { keys: Set<string>; unknown: (k: string) => string }> = {
  'json-file': { keys: FILE_OPTS, unknown: (k) => `unknown log opt '${k}' for json-file log driver` },
  'k8s-file': { keys: FILE_OPTS, unknown: (k) => `unknown log opt '${k}' for k8s-file log driver` },
  local: { keys: new Set(['max-size', 'max-file', 'compress']), unknown: (k) => `unknown log opt '${k}' for log driver local` },
};

/**
 * A container's LogConfig as dockerd completes it at create: the daemon's driver when none is named;
 * the daemon's --log-opt values under the container's own when the driver is the daemon's; the
 * daemon's cache-* options always.
 */
export function mergeLogConfig(requested: Partial<LogConfig> | undefined, daemon: { type: string; opts: Record<string, string> }): LogConfig {
  const type = requested?.Type || daemon.type;
  const own = { ...(requested?.Config ?? {}) };
  const config = type === daemon.type ? { ...daemon.opts, ...own } : own;
  for (const k of CACHE) if (daemon.opts[k] !== undefined && config[k] === undefined) config[k] = daemon.opts[k]!;
  return { Type: type, Config: config };
}

/** dockerd's ValidateLogOpts for the drivers berth has; throws Docker's message. */
export function validateLogConfig(type: string, cfg: Record<string, string>): void {
  if (type === 'none') return; // Docker checks nothing for none
  const mode = cfg['mode'] ?? '';
  if (!['', 'blocking', 'non-blocking'].includes(mode)) throw new InvalidParameterError(`logger: logging mode not supported: ${mode}`);
  if (cfg['max-buffer-size'] !== undefined && mode !== 'non-blocking') {
    throw new InvalidParameterError("logger: max-buffer-size option is only supported with 'mode=non-blocking'");
  }
  const cacheDisabled = cfg['cache-disabled'];
  if (cacheDisabled !== undefined && cacheDisabled !== '' && !/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(cacheDisabled)) {
    throw new InvalidParameterError(`invalid value for option cache-disabled: ${cacheDisabled}`);
  }
  const driver = DRIVER_OPTS[type];
  if (!driver) throw unknownLogDriver(type);
  for (const k of Object.keys(cfg)) if (!BUILT_IN.has(k) && !driver.keys.has(k)) throw new InvalidParameterError(driver.unknown(k));
}

/**
 * The size and file count a driver keeps when the options name none: Docker's for local (20 MB x 5);
 * for the others berth's bound of 10 MB x 3 (Docker's json-file grows without bound by default).
 */
export function defaultLogBounds(type: string): { maxSize: number; maxFile: number } {
  return type === 'local' ? { maxSize: 20 * 1024 * 1024, maxFile: 5 } : { maxSize: 10 * 1024 * 1024, maxFile: 3 };
}
