// Aligned memory for O_DIRECT from the aligned_alloc N-API addon (posix_memalign), pooled per I/O size.
import { join } from 'node:path';
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** O_DIRECT wants buffers, offsets and lengths on the device's logical block size; 4096 covers every disk. */
export const DIRECT_IO_ALIGNMENT_BYTES = 4096;
/** Size of each pooled aligned buffer; larger I/O is done in pieces of this size. */
export const DIRECT_IO_BUFFER_BYTES = 1024 * 1024;
/** Free buffers kept for reuse. */
export const DIRECT_IO_POOL_BUFFERS = 16;

interface AlignedAllocAddon {
  alloc(size: number, alignment: number): ArrayBuffer;
}

let addon: AlignedAllocAddon | null = null;

function loadAddon(): AlignedAllocAddon {
  if (addon) return addon;
  const path = join(__dirname, '..', 'build', 'Release', 'aligned_alloc.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon, loaded by its path at run time
    addon = require(path) as AlignedAllocAddon;
  } catch (err) {
    throw new MoosengError(
      ErrorCodes.PLUGIN_INVALID,
      `storage-directio: its native addon ${path} is missing; rebuild it with "npm rebuild @mooseng/plugin-storage-directio" (needs a C compiler and python3)`,
      { cause: err },
    );
  }
  return addon;
}

/** A buffer whose memory starts on a DIRECT_IO_ALIGNMENT_BYTES boundary. */
export function allocAligned(size: number): Buffer {
  const rounded = Math.ceil(size / DIRECT_IO_ALIGNMENT_BYTES) * DIRECT_IO_ALIGNMENT_BYTES;
  return Buffer.from(loadAddon().alloc(rounded, DIRECT_IO_ALIGNMENT_BYTES));
}

/** Reuses aligned buffers of DIRECT_IO_BUFFER_BYTES, since allocating them costs a syscall and a finalizer. */
export class AlignedBufferPool {
  private readonly free: Buffer[] = [];

  acquire(): Buffer {
    return this.free.pop() ?? allocAligned(DIRECT_IO_BUFFER_BYTES);
  }

  release(buf: Buffer): void {
    if (this.free.length < DIRECT_IO_POOL_BUFFERS) this.free.push(buf);
  }
}
