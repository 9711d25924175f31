// EventJournal: the master's recent operational events (leader changes, chunkservers lost and back, disks failed,
// copies made or failed, corrupt replicas), for /status and the web dashboard. The events are the master's own
// info/warn/error log lines: a logger that writes through to the journal means every component that reports
// something to its log also reports it to operators, with no second list of messages to keep in step.
import type { ILogger, LogFields } from '@mooseng/core';

export type EventLevel = 'info' | 'warn' | 'error';

export interface MasterEvent {
  /** Wall-clock time, epoch ms. */
  time: number;
  level: EventLevel;
  message: string;
  /** The component that reported it (registry, repair, chunk-ops, ...), when known. */
  component?: string;
  /** The log line's fields, as short strings. */
  fields?: Record<string, string>;
}

/** Events kept; older ones fall off (the log file keeps everything). */
export const MAX_EVENTS = 100;
/** A field value longer than this is cut: events are for a glance, the log has the rest. */
const MAX_FIELD_CHARS = 200;

export class EventJournal {
  private readonly events: MasterEvent[] = [];

  constructor(private readonly now: () => number) {}

  record(level: EventLevel, message: string, fields: LogFields = {}): void {
    const { component, ...rest } = fields;
    const event: MasterEvent = { time: this.now(), level, message };
    if (typeof component === 'string') event.component = component;
    const shown = Object.entries(rest).filter(([, v]) => v !== undefined);
    if (shown.length > 0) event.fields = Object.fromEntries(shown.map(([k, v]) => [k, fieldText(v)]));
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }

  /** Newest first. */
  recent(limit = MAX_EVENTS): MasterEvent[] {
    return this.events.slice(-limit).reverse();
  }
}

function fieldText(v: unknown): string {
  const text = v instanceof Error ? v.message : typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}…` : text;
}

/** A logger that logs to `inner` and records every info, warn and error line (with its bindings) in `journal`. */
export function journalingLogger(inner: ILogger, journal: EventJournal, bindings: LogFields = {}): ILogger {
  return {
    debug: (msg, fields) => inner.debug(msg, fields),
    info: (msg, fields) => {
      inner.info(msg, fields);
      journal.record('info', msg, { ...bindings, ...fields });
    },
    warn: (msg, fields) => {
      inner.warn(msg, fields);
      journal.record('warn', msg, { ...bindings, ...fields });
    },
    error: (msg, fields) => {
      inner.error(msg, fields);
      journal.record('error', msg, { ...bindings, ...fields });
    },
    child: (more) => journalingLogger(inner.child(more), journal, { ...bindings, ...more }),
  };
}
