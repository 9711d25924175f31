// replicateChunk: copies one chunk from another chunkserver, streamed piece by piece (the master's repair copy).
import { type ChunkRef, type DataPlaneClient, ErrorCodes, MoosengError } from '@mooseng/core';
import type { ChunkStoreSet } from './chunk-store-set';

/**
 * Copies chunk `ref` from the chunkserver at `source` ("host:port") into this server's stores, replacing a local
 * copy of another version. A failed copy is deleted, so it can never register as a good replica.
 */
export async function replicateChunk(
  stores: ChunkStoreSet,
  peers: DataPlaneClient,
  ref: ChunkRef,
  source: string,
  /** `permit`: the leader's permit of the replicate, which also lets this server read the chunk from `source`. */
  options: { signal?: AbortSignal; permit?: Buffer } = {},
): Promise<void> {
  // Check the source first: a refused copy must not cost the local replica.
  const remote = await peers.stat(source, ref.chunkId, options);
  if (remote.version !== ref.version) {
    throw new MoosengError(
      ErrorCodes.CHUNK_STALE_VERSION,
      `source ${source} holds chunk ${ref.chunkId} at version ${remote.version}, not ${ref.version}`,
      { details: { chunkId: ref.chunkId, version: remote.version } },
    );
  }
  if (stores.has(ref.chunkId)) {
    const store = stores.storeOf(ref.chunkId);
    const local = await store.stat(ref.chunkId);
    if (local?.version === ref.version)
      throw new MoosengError(ErrorCodes.CHUNK_EXISTS, `chunk ${ref.chunkId} version ${ref.version} is already here`, {
        details: { chunkId: ref.chunkId },
      });
    if (local) await store.delete({ chunkId: ref.chunkId, version: local.version });
    stores.forget(ref.chunkId);
  }
  await stores.create(ref, options);
  const store = stores.storeOf(ref.chunkId);
  try {
    for await (const piece of peers.readStream(source, ref, 0, remote.length, options))
      await store.write(ref, piece.offset, piece.data, options);
    await store.truncate(ref, remote.length, options);
    await store.flush(ref, options);
  } catch (err) {
    await store.delete(ref).catch(() => undefined);
    stores.forget(ref.chunkId);
    throw err;
  }
}
