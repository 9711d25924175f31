// BufferedBlockFileIo: chunk files through the page cache (ordinary positional reads and writes).
import { open, type FileHandle } from 'node:fs/promises';
import type { BlockFileOpenMode, IBlockFile, IBlockFileIo } from '@mooseng/block-store';
import { ErrorCodes, MoosengError } from '@mooseng/core';
import { access, constants } from 'node:fs/promises';

class BufferedBlockFile implements IBlockFile {
  constructor(private readonly handle: FileHandle) {}

  async read(position: number, length: number, into?: Buffer): Promise<Buffer> {
    const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < length) buf.fill(0, done);
    return buf;
  }

  async writev(position: number, buffers: readonly Uint8Array[]): Promise<void> {
    const pending = [...buffers];
    let pos = position;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending as Uint8Array[], pos);
      pos += bytesWritten;
      // Short write: drop what was written and go on with the rest.
      let skip = bytesWritten;
      while (pending.length > 0 && skip >= pending[0]!.length) skip -= pending.shift()!.length;
      if (pending.length > 0 && skip > 0) pending[0] = pending[0]!.subarray(skip);
    }
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  sync(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Opens chunk files for buffered I/O. */
export class BufferedBlockFileIo implements IBlockFileIo {
  async open(path: string, mode: BlockFileOpenMode): Promise<IBlockFile> {
    return new BufferedBlockFile(await open(path, mode === 'create' ? 'wx+' : 'r+'));
  }

  async probe(dir: string): Promise<void> {
    try {
      await access(dir, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${dir} is not readable and writable: ${(err as Error).message}`, {
        cause: err,
        details: { dir },
      });
    }
  }
}
