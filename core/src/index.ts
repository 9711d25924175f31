// @mooseng/core public API: contracts and their tokens, errors, config, the plugin host, protocol, runtime pieces
// and the role kit. Roles (master, chunkserver, client) and plugins build on this; nothing here knows a role.
export * from './di';
export * from './errors';
export * from './errno';

export * from './contracts/chunk-store';
export * from './contracts/clock';
export * from './contracts/compressor';
export * from './contracts/consensus';
export * from './contracts/logger';
export * from './contracts/metrics';
export * from './contracts/placement';
export * from './contracts/random';
export * from './contracts/file-system-operations';
export * from './contracts/mount';

export * from './runtime/cluster-secret';
export * from './runtime/listen';
export * from './runtime/node-tls';
export * from './runtime/certificate-identity';
export * from './runtime/sampled-warning';
export * from './runtime/mount-point';
export * from './runtime/noop-metrics';
export * from './runtime/stream-logger';
export * from './runtime/system-clock';
export * from './runtime/system-random';
export * from './http/http-server';

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
export * from './protocol/block-checksums';
export * from './protocol/wire-codec';
export * from './protocol/data-plane-messages';
export * from './protocol/chunk-permits';
export * from './protocol/member-proofs';
export * from './protocol/data-plane-tls';
export * from './protocol/tls-frame-writer';
export * from './protocol/data-plane-connection';
export * from './protocol/data-plane-client';
export * from './protocol/proto-files';
export * from './protocol/grpc-errors';
export * from './protocol/grpc-server';
export * from './protocol/control-frame';
export * from './protocol/framed-control-server';
export * from './protocol/framed-control-client';
export * from './protocol/control-port';
export * from './protocol/control-port-tls';
export * from './protocol/control-tls';
export * from './protocol/control-plane';
export * from './protocol/client-control';
export * from './protocol/chunkserver-control';
export * from './protocol/fs-constants';

export * from './role-kit/role-definition';
export * from './role-kit/role-context';
export * from './role-kit/role-runner';
export * from './role-kit/assemble-role';
export * from './role-kit/run-until-signal';
