// The logger the package writes to: pino-style methods taking (object, message). Without one, only
// 5xx answers are reported (to stderr, by the Express layer). Lines carry `lib: 'express-wx-login'`.

/** A pino-style logger. pino, bunyan-like wrappers and `console` adapters fit. */
export interface WxLogger {
  debug?(obj: Record<string, unknown>, msg?: string): void;
  info?(obj: Record<string, unknown>, msg?: string): void;
  warn?(obj: Record<string, unknown>, msg?: string): void;
  error?(obj: Record<string, unknown>, msg?: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Writes one line through `logger` if it has that level; a throwing logger never breaks a request. */
export function log(
  logger: WxLogger | undefined,
  level: LogLevel,
  obj: Record<string, unknown>,
  msg: string,
): void {
  const write = logger?.[level];
  if (typeof write !== 'function') return;
  try {
    // `lib`, not `name`: pino's own `name` (the app's) must stay the only one on the line.
    write.call(logger, { lib: 'express-wx-login', ...obj }, msg);
  } catch {
    // A broken logger must not turn a login into a 500.
  }
}
