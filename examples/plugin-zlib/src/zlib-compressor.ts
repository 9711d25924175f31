// ZlibCompressor: ICompressor on node:zlib's raw deflate, run on libuv's thread pool so the event loop stays free.
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { ErrorCodes, MoosengError, type ICompressor } from '@mooseng/core';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

export class ZlibCompressor implements ICompressor {
  readonly algorithm = 'zlib-deflate';

  constructor(private readonly level: number) {}

  async compress(block: Uint8Array): Promise<Uint8Array> {
    return deflate(block, { level: this.level });
  }

  async decompress(data: Uint8Array, originalLength: number): Promise<Uint8Array> {
    let out: Buffer;
    try {
      // maxOutputLength bounds the work a corrupt block can cause.
      out = await inflate(data, { maxOutputLength: originalLength });
    } catch (err) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `deflate block does not decode: ${(err as Error).message}`, { cause: err });
    }
    if (out.length !== originalLength) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `deflate block decoded to ${out.length} bytes, expected ${originalLength}`);
    }
    return out;
  }
}
