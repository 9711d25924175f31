// @mooseng/block-store: the chunk store storage-fs and storage-directio share, over a block-file I/O of their own.
export * from './block-file-io';
export * from './chunk-file-format';
export * from './chunk-file-path';
export * from './fsync-policy';
export { MAX_OPEN_CHUNK_FILES } from './open-chunk-cache';
export { MAX_IO_BLOCKS } from './chunk-blocks';
export * from './block-chunk-store';
