// ChunkOperations: what the leader asks chunkservers to do to replicas (move versions, cut, delete, copy), over the
// data plane, keeping the soft-state location map in step with what each chunkserver confirmed.
import type { DataPlaneClient, ILogger } from '@mooseng/core';
import type { ChunkLocations } from './chunks/chunk-locations';
import type { ChunkserverRegistry } from './chunkserver-registry';
import type { MetadataService } from './metadata-service';

export class ChunkOperations {
  constructor(
    private readonly metadata: MetadataService,
    private readonly locations: ChunkLocations,
    private readonly registry: ChunkserverRegistry,
    private readonly data: DataPlaneClient,
    private readonly logger: ILogger,
  ) {}

  /**
   * Moves the live replicas at `fromVersion` to `toVersion`; returns the servers that confirmed. A replica that does
   * not confirm keeps the old version, which is stale from now on (the repair loop deletes it).
   */
  async moveVersion(chunkId: number, holders: readonly string[], fromVersion: number, toVersion: number): Promise<string[]> {
    const moved = await Promise.all(
      holders.map(async (id) => {
        const address = this.registry.addressOf(id);
        if (!address) return null;
        try {
          await this.data.setVersion(address, { chunkId, version: fromVersion }, toVersion);
          this.locations.addReplica(id, chunkId, toVersion);
          return id;
        } catch (err) {
          this.logger.warn('replica did not take the new version; it is stale now', { chunkId, server: id, err: (err as Error).message });
          return null;
        }
      }),
    );
    return moved.filter((id): id is string => id !== null);
  }

  /**
   * Carries out a pending truncation of a chunk (queued by a truncate, which already gave the chunk its new version):
   * each live replica of an older version is cut to `length` and moved to `version`, then the queue entry is
   * retired through consensus. Returns the servers that now hold the cut chunk.
   */
  async truncate(chunkId: number, version: number, length: number): Promise<string[]> {
    const older = this.locations.replicas(chunkId).filter((r) => r.alive && r.version < version);
    const done = await Promise.all(
      older.map(async (r) => {
        const address = this.registry.addressOf(r.serverId);
        if (!address) return null;
        try {
          await this.data.truncate(address, { chunkId, version: r.version }, length);
          await this.data.setVersion(address, { chunkId, version: r.version }, version);
          this.locations.addReplica(r.serverId, chunkId, version);
          return r.serverId;
        } catch (err) {
          this.logger.warn('replica could not be cut; it is stale now', { chunkId, server: r.serverId, err: (err as Error).message });
          return null;
        }
      }),
    );
    const holders = done.filter((id): id is string => id !== null);
    if (holders.length > 0) await this.metadata.mutate({ sessionId: 0, requestId: 0 }, { op: 'chunkOpsDone', deleted: [], truncated: [chunkId, version] });
    return holders;
  }

  /** Deletes one replica; true when the chunkserver confirmed (or no longer had it). */
  async deleteReplica(serverId: string, chunkId: number, version: number): Promise<boolean> {
    const address = this.registry.addressOf(serverId);
    if (!address) return false;
    try {
      await this.data.delete(address, { chunkId, version });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'CHUNK_NOT_FOUND' && code !== 'CHUNK_STALE_VERSION') {
        this.logger.warn('could not delete a replica', { chunkId, server: serverId, err: (err as Error).message });
        return false;
      }
    }
    this.locations.removeReplica(serverId, chunkId);
    return true;
  }

  /** Has `targetId` copy the chunk from `sourceId` (chunkserver to chunkserver); true once the copy is complete. */
  async replicate(chunkId: number, version: number, sourceId: string, targetId: string): Promise<boolean> {
    const source = this.registry.addressOf(sourceId);
    const target = this.registry.addressOf(targetId);
    if (!source || !target) return false;
    try {
      await this.data.replicate(target, { chunkId, version }, source);
      this.locations.addReplica(targetId, chunkId, version);
      return true;
    } catch (err) {
      this.logger.warn('replication copy failed', { chunkId, from: sourceId, to: targetId, err: (err as Error).message });
      return false;
    }
  }
}
