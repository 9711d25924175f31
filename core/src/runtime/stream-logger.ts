// StreamLogger: the host's ILogger, one line per event to a stream (a node's log file, or stderr).
import type { ILogger, LogFields, LogLevel } from '../contracts/logger';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface StreamLoggerOptions {
  level: LogLevel;
  /** `text` for people at a terminal, `json` for log shippers. */
  format?: 'text' | 'json';
  /** Where lines go; stderr by default so stdout stays for command output. */
  write?: (line: string) => void;
}

export class StreamLogger implements ILogger {
  private readonly threshold: number;
  private readonly write: (line: string) => void;
  private readonly format: 'text' | 'json';

  constructor(
    private readonly options: StreamLoggerOptions,
    private readonly bindings: LogFields = {},
  ) {
    this.threshold = LEVELS[options.level];
    this.write = options.write ?? ((line) => process.stderr.write(line));
    this.format = options.format ?? 'text';
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(bindings: LogFields): ILogger {
    return new StreamLogger(this.options, { ...this.bindings, ...bindings });
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] < this.threshold) return;
    const all = fields ? { ...this.bindings, ...fields } : this.bindings;
    const time = new Date().toISOString();
    if (this.format === 'json') {
      this.write(JSON.stringify({ time, level, msg, ...all }, jsonSafe) + '\n');
      return;
    }
    let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}`;
    for (const [k, v] of Object.entries(all)) line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v, jsonSafe)}`;
    this.write(line + '\n');
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

/** A logger that drops everything (tests that assert on behaviour, not logs). */
export const silentLogger: ILogger = new StreamLogger({ level: 'silent' });
