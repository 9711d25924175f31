// @mooseng/block-store: the chunk store storage-fs and storage-directio share, over a block-file I/O of their own.
export * from './block-file-io';
export * from './chunk-file-format';
export * from './chunk-file-path';
export * from './fsync-policy';
export { MAX_OPEN_CHUNK_FILES } from './open-chunk-cache';
export * from './block-chunk-store';
