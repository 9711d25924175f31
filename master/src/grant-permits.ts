// GrantPermits: the permits the leader's answers to clients carry (core/src/protocol/chunk-permits.ts): a write
// grant's lets the chain's chunkservers take the client's create, writes and the grant's truncate of that chunk
// version, a ReadChunk's lets its locations serve the client's reads of it; nobody else's.
import type { ChunkPermitKey, ChunkRef, IClock } from '@mooseng/core';
import type { ChunkWriteGrant } from './namespace/results';

const NO_PERMIT = Buffer.alloc(0);

export class GrantPermits {
  /** `key` undefined: a cluster without a secret, whose grants carry no permit (chunkservers then ask for none). */
  constructor(
    private readonly key: ChunkPermitKey | undefined,
    private readonly clock: IClock,
  ) {}

  /** The permit to read a chunk version on the chunkservers at `targets` (its locations, "host:port"). */
  forRead(ref: ChunkRef, targets: readonly string[]): Buffer {
    if (!this.key || ref.chunkId === 0) return NO_PERMIT;
    return this.key.issue(ref, { ops: ['read'], length: -1, newVersion: 0, source: '', targets, issuedAtMs: this.clock.now() });
  }

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
