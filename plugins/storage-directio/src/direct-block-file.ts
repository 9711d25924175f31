// DirectBlockFileIo: chunk files opened with O_DIRECT; every transfer goes through aligned, pooled memory.
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockFileOpenMode, IBlockFile, IBlockFileIo } from '@mooseng/block-store';
import { ErrorCodes, MoosengError } from '@mooseng/core';
import { AlignedBufferPool, DIRECT_IO_ALIGNMENT_BYTES, DIRECT_IO_BUFFER_BYTES, allocAligned } from './aligned-memory';

const DIRECT_FLAGS = constants.O_RDWR | constants.O_DIRECT;

function assertAligned(position: number): void {
  if (position % DIRECT_IO_ALIGNMENT_BYTES !== 0)
    throw new Error(`invariant broken: O_DIRECT position ${position} is not ${DIRECT_IO_ALIGNMENT_BYTES}-aligned`);
}

class DirectBlockFile implements IBlockFile {
  constructor(
    private readonly handle: FileHandle,
    private readonly pool: AlignedBufferPool,
  ) {}

  async read(position: number, length: number, into?: Buffer): Promise<Buffer> {
    assertAligned(position);
    // O_DIRECT reads go through an aligned buffer of the pool either way; `into` only saves the allocation.
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    const buf = this.pool.acquire();
    try {
      let done = 0;
      while (done < length) {
        const want = Math.min(DIRECT_IO_BUFFER_BYTES, Math.ceil((length - done) / DIRECT_IO_ALIGNMENT_BYTES) * DIRECT_IO_ALIGNMENT_BYTES);
        const { bytesRead } = await this.handle.read(buf, 0, want, position + done);
        const useful = Math.min(bytesRead, length - done);
        buf.copy(out, done, 0, useful);
        done += useful;
        if (bytesRead < want) break; // end of file
      }
      if (done < length) out.fill(0, done);
    } finally {
      this.pool.release(buf);
    }
    return out;
  }

  async writev(position: number, buffers: readonly Uint8Array[]): Promise<void> {
    assertAligned(position);
    const buf = this.pool.acquire();
    try {
      let pos = position;
      let fill = 0;
      const flush = async (): Promise<void> => {
        // O_DIRECT lengths must be aligned too: pad the tail with zeros (the store never reads past its lengths).
        const padded = Math.ceil(fill / DIRECT_IO_ALIGNMENT_BYTES) * DIRECT_IO_ALIGNMENT_BYTES;
        buf.fill(0, fill, padded);
        let written = 0;
        while (written < padded) {
          const { bytesWritten } = await this.handle.write(buf, written, padded - written, pos + written);
          written += bytesWritten;
        }
        pos += fill;
        fill = 0;
      };
      for (const part of buffers) {
        let from = 0;
        while (from < part.length) {
          const n = Math.min(part.length - from, DIRECT_IO_BUFFER_BYTES - fill);
          buf.set(part.subarray(from, from + n), fill);
          fill += n;
          from += n;
          if (fill === DIRECT_IO_BUFFER_BYTES) await flush();
        }
      }
      if (fill > 0) await flush();
    } finally {
      this.pool.release(buf);
    }
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  sync(): Promise<void> {
    // O_DIRECT bypasses the page cache but not the disk's write cache or the file's metadata: still fdatasync.
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Opens chunk files with O_DIRECT. */
export class DirectBlockFileIo implements IBlockFileIo {
  private readonly pool = new AlignedBufferPool();

  async open(path: string, mode: BlockFileOpenMode): Promise<IBlockFile> {
    const flags = mode === 'create' ? DIRECT_FLAGS | constants.O_CREAT | constants.O_EXCL : DIRECT_FLAGS;
    return new DirectBlockFile(await open(path, flags, 0o644), this.pool);
  }

  /** Writes and reads one aligned block through O_DIRECT in `dir`; file systems that refuse it give DISK_UNUSABLE. */
  async probe(dir: string): Promise<void> {
    const path = join(dir, '.mooseng-directio-probe');
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, DIRECT_FLAGS | constants.O_CREAT | constants.O_TRUNC, 0o644);
      const buf = allocAligned(DIRECT_IO_ALIGNMENT_BYTES);
      await handle.write(buf, 0, DIRECT_IO_ALIGNMENT_BYTES, 0);
      await handle.read(buf, 0, DIRECT_IO_ALIGNMENT_BYTES, 0);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EINVAL'
          ? 'its file system refuses O_DIRECT (tmpfs and some network file systems do); use storage-fs for it'
          : (err as Error).message;
      throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${dir} cannot be used by storage-directio: ${why}`, {
        cause: err,
        details: { dir },
      });
    } finally {
      await handle?.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
    }
  }
}
