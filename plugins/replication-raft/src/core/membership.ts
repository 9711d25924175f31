// Membership changes as log entries: one server added or removed per entry (thesis 4.1), in effect once appended.
import type { Member } from './types';

/** A single-server change carried in a `config` entry. */
export type ConfigChange = { op: 'add'; member: Member } | { op: 'remove'; id: string };

/** A change as the bytes of a `config` entry (JSON). */
export function encodeConfigChange(change: ConfigChange): Uint8Array {
  return Buffer.from(JSON.stringify(change), 'utf8');
}

/** The change a `config` entry carries; throws on anything else. */
export function decodeConfigChange(data: Uint8Array): ConfigChange {
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as ConfigChange;
  if (parsed.op !== 'add' && parsed.op !== 'remove') throw new Error(`invariant broken: bad config change ${JSON.stringify(parsed)}`);
  return parsed;
}

/** The membership after applying `change` to `members` (sorted by id so every node lists it alike). */
export function applyConfigChange(members: readonly Member[], change: ConfigChange): Member[] {
  const next = members.filter((m) => m.id !== (change.op === 'add' ? change.member.id : change.id));
  if (change.op === 'add') next.push({ ...change.member });
  return next.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
