// ChunkserverRuntime: what a running chunkserver exposes to its host (the CLI, tests, the benchmark).
import type { ChunkStoreSet } from './chunk-store-set';
import type { MasterLinkState } from './master-link';
import type { ScrubStatus } from './scrubber';

/** Registered in the role's container once the data plane listens. */
export interface ChunkserverRuntime {
  /** "host:port" clients and other chunkservers use (advertiseHost and the bound data-plane port). */
  dataAddress: string;
  dataPort: number;
  /** Bound HTTP port (0 until the http step has started). */
  httpPort: number;
  stores: ChunkStoreSet;
  scrub: ScrubStatus;
  masters(): MasterLinkState[];
}
export const ChunkserverRuntime = Symbol.for('mooseng.chunkserver-runtime');
