// The snapshot file: state-machine bytes with the log position and membership they cover, replaced atomically.
import { crc32 } from '@node-rs/crc32';
import { join } from 'node:path';
import { ErrorCodes, MoosengError, toMoosengError } from '@mooseng/core';
import type { Member, Snapshot } from '../core/types';
import type { RaftFileSystem } from './file-system';

const MAGIC = 0x4d4e5331; // "MNS1"
const HEADER_BYTES = 16;
/** The snapshot's file name in the Raft directory. */
export const SNAPSHOT_FILE = 'snapshot.bin';
const TEMP_FILE = 'snapshot.bin.tmp';

/** Layout: magic u32, crc32 of the rest u32, meta length u32, reserved u32, meta JSON, data. */
function encode(snapshot: Snapshot): Buffer {
  const meta = Buffer.from(JSON.stringify({ index: snapshot.index, term: snapshot.term, members: snapshot.members }), 'utf8');
  const out = Buffer.alloc(HEADER_BYTES + meta.length + snapshot.data.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(meta.length, 8);
  meta.copy(out, HEADER_BYTES);
  out.set(snapshot.data, HEADER_BYTES + meta.length);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/**
 * Writes the snapshot durably and atomically: temp file, fsync, rename over the old one, fsync the directory. A crash
 * at any point leaves either the old snapshot or the new one, never a mix.
 */
export async function writeSnapshotFile(fs: RaftFileSystem, dir: string, snapshot: Snapshot, fsync: boolean): Promise<void> {
  const tmp = join(dir, TEMP_FILE);
  try {
    const file = await fs.create(tmp);
    try {
      await file.append(encode(snapshot));
      if (fsync) await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(tmp, join(dir, SNAPSHOT_FILE));
    if (fsync) await fs.syncDir(dir);
  } catch (err) {
    await fs.remove(tmp);
    throw toMoosengError(err, 'writing the Raft snapshot');
  }
}

/** The snapshot in `dir`, or null when there is none. A damaged file is an error, never ignored. */
export async function readSnapshotFile(fs: RaftFileSystem, dir: string): Promise<Snapshot | null> {
  let buf: Buffer | null;
  try {
    buf = await fs.read(join(dir, SNAPSHOT_FILE));
  } catch (err) {
    throw toMoosengError(err, 'reading the Raft snapshot');
  }
  if (buf === null) return null;
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC || crc32(buf.subarray(8)) !== buf.readUInt32LE(4)) {
    throw new MoosengError(
      ErrorCodes.IO_ERROR,
      `Raft snapshot ${join(dir, SNAPSHOT_FILE)} is damaged; restore this master from a peer (wipe its raft directory) or from backup`,
    );
  }
  const metaLen = buf.readUInt32LE(8);
  const meta = JSON.parse(buf.subarray(HEADER_BYTES, HEADER_BYTES + metaLen).toString('utf8')) as {
    index: number;
    term: number;
    members: Member[];
  };
  return { ...meta, data: Uint8Array.prototype.slice.call(buf, HEADER_BYTES + metaLen) };
}
