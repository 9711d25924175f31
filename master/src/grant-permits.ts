// GrantPermits: the permit a write grant carries (core/src/protocol/chunk-permits.ts), so the chain's chunkservers
// take the client's create, writes and the grant's truncate of that chunk version, and nobody else's.
import type { ChunkPermitKey, IClock } from '@mooseng/core';
import type { ChunkWriteGrant } from './namespace/results';

const NO_PERMIT = Buffer.alloc(0);

export class GrantPermits {
  /** `key` undefined: a cluster without a secret, whose grants carry no permit (chunkservers then ask for none). */
  constructor(
    private readonly key: ChunkPermitKey | undefined,
    private readonly clock: IClock,
  ) {}

  /** The permit of `grant` for the chunkservers at `targets` (its chain, "host:port"). */
  forGrant(grant: ChunkWriteGrant, targets: readonly string[]): Buffer {
    if (!this.key) return NO_PERMIT;
    return this.key.issue(
      { chunkId: grant.chunkId, version: grant.version },
      {
        ops: grant.truncateTo >= 0 ? ['create', 'write', 'truncate'] : ['create', 'write'],
        length: grant.truncateTo,
        newVersion: 0,
        source: '',
        targets,
        issuedAtMs: this.clock.now(),
      },
    );
  }
}
