// Lz4Compressor: ICompressor on lz4-napi's block format (async calls run on libuv's threads, in parallel).
import { compress, uncompress } from 'lz4-napi';
import { ErrorCodes, MoosengError, type ICompressor } from '@mooseng/core';

export class Lz4Compressor implements ICompressor {
  readonly algorithm = 'lz4';

  compress(block: Uint8Array): Promise<Uint8Array> {
    return compress(block);
  }

  async decompress(data: Uint8Array, originalLength: number): Promise<Uint8Array> {
    let out: Buffer;
    try {
      out = await uncompress(data);
    } catch (err) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `lz4 block does not decompress: ${(err as Error).message}`, { cause: err });
    }
    if (out.length !== originalLength)
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `lz4 block decompressed to ${out.length} bytes, expected ${originalLength}`);
    return out;
  }
}
