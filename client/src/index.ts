// @mooseng/client: the client role (the FUSE mount) and the master client and file I/O that tools also use.
export * from './client-role';
export * from './client-config';
export * from './master-client';
export * from './master-connection';
export * from './change-watcher';
export * from './file-io';
export * from './block-cache';
export * from './read-ahead';
export * from './cache-stats';
export * from './deferred-releases';
export * from './file-locks';
export * from './file-system-client';
export * from './file-system-operations';
export * from './caller-credentials';
export * from './open-file';
export * from './wire-types';
export * from './file-system-client';
