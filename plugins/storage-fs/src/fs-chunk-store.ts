// FsChunkStoreFactory: opens a BlockChunkStore with buffered I/O on each data directory.
import { BlockChunkStore, type FsyncPolicy } from '@mooseng/block-store';
import type { ChunkStoreOpenOptions, IChunkStore, IChunkStoreFactory, ILogger } from '@mooseng/core';
import { BufferedBlockFileIo } from './buffered-block-file';

export interface FsChunkStoreConfig {
  fsync: FsyncPolicy;
}

/** Chunk stores on buffered file I/O: the page cache absorbs writes, fsync follows the configured policy. */
export class FsChunkStoreFactory implements IChunkStoreFactory {
  private readonly io = new BufferedBlockFileIo();

  constructor(
    private readonly config: FsChunkStoreConfig,
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
