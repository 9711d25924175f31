// @mooseng/master: the master role (namespace and chunk map on consensus) and what its tests and tools drive.
export * from './master-role';
export * from './master-config';
export * from './cluster-health';
export * from './event-journal';
export * from './namespace/constants';
export * from './namespace/binary-codec';
export * from './namespace/commands';
export * from './namespace/results';
export * from './namespace/namespace-state-machine';
export * from './chunks/chunk-locations';
export * from './chunk-operations';
export * from './client-api';
export * from './change-feed';
export * from './chunkserver-registry';
export * from './metadata-service';
export * from './repair-loop';
export * from './session-reaper';
