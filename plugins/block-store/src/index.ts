// @mooseng/block-store: the chunk store storage-fs and storage-directio share, over a block-file I/O of their own.
// Public: the store, the IBlockFileIo contract a storage plugin implements, the on-disk format and paths (tests and
// tools read chunk files directly) and the fsync policies. The parts the store is built from (range locks, open-file
// cache, header writer, codec, block algorithms, errno mapping, directory scan) stay internal, so they can change
// without touching a storage plugin.
export * from './block-file-io';
export * from './block-chunk-store';
export * from './chunk-file-format';
export * from './chunk-file-path';
export { FSYNC_POLICIES, type FsyncPolicy } from './fsync-policy';
export { MAX_IO_BLOCKS } from './chunk-blocks';
export { MAX_OPEN_CHUNK_FILES } from './open-chunk-cache';
