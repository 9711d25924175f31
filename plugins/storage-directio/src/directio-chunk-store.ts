// DirectIoChunkStoreFactory: opens a BlockChunkStore with O_DIRECT I/O on each data directory.
import { BlockChunkStore, type FsyncPolicy } from '@mooseng/block-store';
import type { ChunkStoreOpenOptions, IChunkStore, IChunkStoreFactory, ILogger } from '@mooseng/core';
import { DirectBlockFileIo } from './direct-block-file';

export interface DirectIoChunkStoreConfig {
  fsync: FsyncPolicy;
}

/** Chunk stores that bypass the page cache, so chunk data does not evict the rest of the host's cache. */
export class DirectIoChunkStoreFactory implements IChunkStoreFactory {
  private readonly io = new DirectBlockFileIo();

  constructor(
    private readonly config: DirectIoChunkStoreConfig,
    private readonly logger?: ILogger,
  ) {}

  open(dir: string, options: ChunkStoreOpenOptions = {}): Promise<IChunkStore> {
    return BlockChunkStore.open({
      dir,
      io: this.io,
      fsync: this.config.fsync,
      compressor: options.compressor,
      logger: this.logger?.child({ dir }),
    });
  }
}
