// @mooseng/core public API: contracts and their tokens, errors, config, plugins, protocol and role assembly.
export * from './di';
export * from './errors';

export * from './contracts/chunk-store';
export * from './contracts/clock';
export * from './contracts/compressor';
export * from './contracts/consensus';
export * from './contracts/logger';
export * from './contracts/metrics';
export * from './contracts/placement';
export * from './contracts/random';

export * from './runtime/noop-metrics';
export * from './runtime/stream-logger';
export * from './runtime/system-clock';
export * from './runtime/system-random';

export * from './config/json-schema';
export * from './config/process-config';
export * from './config/environment';
export * from './config/load-config';
export * from './config/render-config';

export * from './plugins/manifest';
export * from './plugins/registry';
export * from './plugins/discovery';
export * from './plugins/kind-tokens';

export * from './protocol/status';
export * from './protocol/frame';
export * from './protocol/wire-codec';
export * from './protocol/data-plane-messages';
export * from './protocol/data-plane-connection';
export * from './protocol/data-plane-client';

export * from './roles/role-definition';
export * from './roles/role-context';
export * from './roles/role-runner';
export * from './roles/assemble-role';
export * from './roles/roles';
export * from './roles/master/master-config';
export * from './roles/master/cluster-health';
export * from './roles/master/event-journal';
export * from './roles/chunkserver/chunkserver-config';
export * from './roles/chunkserver/chunkserver-runtime';
export * from './roles/chunkserver/chunk-store-set';
export * from './roles/chunkserver/chunk-replicator';
export * from './roles/chunkserver/data-plane-server';
export * from './roles/chunkserver/scrubber';
export * from './roles/chunkserver/master-link';
export * from './roles/client/client-config';
export * from './roles/run-until-signal';
export * from './protocol/proto-files';
export * from './protocol/grpc-errors';
export * from './http/http-server';
export * from './roles/master/namespace/constants';
export * from './roles/master/namespace/binary-codec';
export * from './roles/master/namespace/commands';
export * from './roles/master/namespace/results';
export * from './roles/master/namespace/inode';
export * from './roles/master/namespace/permissions';
export * from './roles/master/namespace/namespace-tree';
export * from './roles/master/namespace/path-resolver';
export * from './roles/master/namespace/session-table';
export * from './roles/master/namespace/snapshot-codec';
export * from './roles/master/namespace/namespace-state-machine';
export * from './roles/master/chunks/chunk-table';
export * from './roles/master/chunks/chunk-locations';
export * from './protocol/chunkserver-control';
export * from './protocol/grpc-server';
export * from './roles/client/master-client';
export * from './roles/client/file-io';
export * from './roles/client/wire-types';
