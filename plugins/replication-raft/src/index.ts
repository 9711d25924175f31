// @mooseng/plugin-replication-raft: manifest, plus the pure Raft core and WAL codec for hosts and simulations.
import { CORE_API_VERSION, definePlugin } from '@mooseng/core';

export * from './core/types';
export * from './core/raft-node';
export * from './core/raft-log';
export * from './core/membership';
export * from './storage/wal-records';
export * from './storage/wal-replay';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [],
});
