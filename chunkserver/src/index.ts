// @mooseng/chunkserver: the chunkserver role (chunk stores, data plane, replication, scrub, master link).
export * from './chunkserver-role';
export * from './chunkserver-config';
export * from './chunkserver-runtime';
export * from './chunk-store-set';
export * from './chunk-replicator';
export * from './data-plane-server';
export * from './scrubber';
export * from './master-link';
