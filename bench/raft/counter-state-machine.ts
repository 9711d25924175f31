// The benchmark's state machine: counts applied commands and returns the count, so apply costs next to nothing.
import type { IStateMachine } from '@mooseng/core';

/** A state machine whose whole state is the number of commands applied. */
export class CounterStateMachine implements IStateMachine {
  count = 0;

  apply(_command: Uint8Array): Uint8Array {
    this.count++;
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleLE(this.count, 0);
    return out;
  }

  async snapshot(): Promise<Uint8Array> {
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleLE(this.count, 0);
    return out;
  }

  async restore(snapshot: Uint8Array): Promise<void> {
    this.count = snapshot.byteLength >= 8 ? Buffer.from(snapshot).readDoubleLE(0) : 0;
  }
}
