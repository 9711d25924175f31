// ILogger: how every component reports what it does. The host supplies it; components take a child logger.

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * A leveled, structured logger. Components never print to the console: they log through the logger the host
 * injects, usually a child tagged with their role, node id and plugin. Calls never throw and never block on I/O.
 */
export interface ILogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` as well. */
  child(bindings: LogFields): ILogger;
}
export const ILogger = Symbol.for('mooseng.logger');
