// berthd's log: one line per record on stderr, with a level filter (--log-level).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };

export interface Logger {
  debug(msg: string, ...rest: unknown[]): void;
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
}

export function createLogger(level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  const min = order[level] ?? order.info;
  const emit = (l: LogLevel, msg: string, rest: unknown[]) => {
    if (order[l] < min) return;
    const extra = rest
      .filter((x) => x !== '' && x !== undefined)
      .map((x) => (x instanceof Error ? (x.stack ?? x.message) : typeof x === 'string' ? x : JSON.stringify(x)))
      .join(' ');
    out.write(`time="${new Date().toISOString()}" level=${l} msg=${JSON.stringify(msg)}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    debug: (m, ...r) => emit('debug', m, r),
    info: (m, ...r) => emit('info', m, r),
    warn: (m, ...r) => emit('warn', m, r),
    error: (m, ...r) => emit('error', m, r),
  };
}

/** A logger that drops everything: for unit tests of services. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
