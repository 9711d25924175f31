// A key-value state machine for Raft tests: put/get commands as JSON, deterministic apply, snapshot as JSON.
import type { IStateMachine } from '@mooseng/core';

/** A command: `put` stores `value` under `key` and returns the previous value; `get` returns the current one. */
export type KvCommand = { op: 'put'; key: string; value: string } | { op: 'get'; key: string };

/** A command as the bytes a proposal carries (JSON). */
export function encodeKvCommand(command: KvCommand): Uint8Array {
  return Buffer.from(JSON.stringify(command), 'utf8');
}

/** The replicated map. `appliedIndex` and `digest()` let checkers compare replicas. */
export class KvStore implements IStateMachine {
  data = new Map<string, string>();
  appliedIndex = 0;

  apply(command: Uint8Array, index: number): Uint8Array {
    this.appliedIndex = index;
    const cmd = JSON.parse(Buffer.from(command).toString('utf8')) as KvCommand;
    const previous = this.data.get(cmd.key) ?? '';
    if (cmd.op === 'put') this.data.set(cmd.key, cmd.value);
    return Buffer.from(previous, 'utf8');
  }

  get(key: string): string {
    return this.data.get(key) ?? '';
  }

  snapshotSync(): Uint8Array {
    return Buffer.from(JSON.stringify([...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'utf8');
  }

  restoreSync(snapshot: Uint8Array): void {
    this.data = snapshot.byteLength === 0 ? new Map() : new Map(JSON.parse(Buffer.from(snapshot).toString('utf8')) as [string, string][]);
  }

  async snapshot(): Promise<Uint8Array> {
    return this.snapshotSync();
  }

  async restore(snapshot: Uint8Array): Promise<void> {
    this.restoreSync(snapshot);
  }

  /** A compact fingerprint of the whole state, for comparing replicas at the same applied index. */
  digest(): string {
    return Buffer.from(this.snapshotSync()).toString('utf8');
  }
}
