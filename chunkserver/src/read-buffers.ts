// ReadBuffers: the memory a chunkserver reads chunk data into to send it, used again once the socket is done with it.
import { BLOCK_SIZE_BYTES, MAX_FRAME_DATA_BYTES } from '@mooseng/core';

/**
 * One buffer's size: a read piece (MAX_FRAME_DATA_BYTES) and the block head before it the store reads too (a piece
 * may start inside a block), rounded up as O_DIRECT wants.
 */
export const READ_BUFFER_BYTES = MAX_FRAME_DATA_BYTES + BLOCK_SIZE_BYTES;

/** Free buffers kept (17 MiB): a few reads in flight on each of a few connections. */
export const READ_BUFFERS_KEPT = 16;

/**
 * Buffers for the data plane's reads. Serving a read allocated every byte it sent afresh, and that churn of external
 * memory set off a major collection every few tens of MiB: about a third of a chunkserver's CPU while it served a
 * sequential read (perf, plain and TLS alike). A buffer is given back only once nothing refers to it any more: the
 * socket's write callback for the last frame holding its bytes. One never given back (a read that failed, a
 * connection that closed) is left to the collector, which is only slower.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  }

  give(buffer: Buffer): void {
    if (buffer.length === READ_BUFFER_BYTES && this.free.length < READ_BUFFERS_KEPT) this.free.push(buffer);
  }
}
