// A simulated disk for one node: a WAL file and a snapshot file. Writes are volatile until synced; a crash loses
// unsynced bytes and may leave a torn prefix of the last write.
import type { IRandom } from '@mooseng/core';
import type { Snapshot } from '@mooseng/plugin-replication-raft';

export class SimDisk {
  private wal = Buffer.alloc(0);
  private syncedBytes = 0;
  /** The snapshot file is replaced atomically (write temp, fsync, rename, fsync dir), so it is always whole. */
  snapshot: Snapshot | null = null;

  append(bytes: Buffer): void {
    this.wal = Buffer.concat([this.wal, bytes]);
  }

  sync(): void {
    this.syncedBytes = this.wal.length;
  }

  /** Replaces the WAL atomically and durably (compaction rewrites it behind a snapshot). */
  replaceWal(bytes: Buffer): void {
    this.wal = Buffer.from(bytes);
    this.syncedBytes = this.wal.length;
  }

  /** Truncates the WAL to `length` bytes durably (recovery cutting a torn tail). */
  truncate(length: number): void {
    this.wal = this.wal.subarray(0, length);
    this.syncedBytes = Math.min(this.syncedBytes, length);
  }

  readWal(): Buffer {
    return this.wal;
  }

  /** Power loss: unsynced bytes vanish, except that half the time a random prefix of them survives (a torn write). */
  crash(random: IRandom): { lostBytes: number; tornBytes: number } {
    const unsynced = this.wal.length - this.syncedBytes;
    let keep = 0;
    if (unsynced > 0 && random.next() < 0.5) keep = random.int(unsynced);
    this.wal = this.wal.subarray(0, this.syncedBytes + keep);
    return { lostBytes: unsynced - keep, tornBytes: keep };
  }
}
