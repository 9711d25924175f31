// OpenChunkCache: the chunk files a store keeps open, least recently used first, and the opens still in progress.
import type { OpenChunk } from './open-chunk';

/** Chunk files kept open; the least recently used beyond this is flushed (per policy) and closed. */
export const MAX_OPEN_CHUNK_FILES = 128;

/**
 * Keeps file handles (and parsed headers) across operations, since a client streams a chunk in many small
 * requests, while bounding the descriptors one data directory holds. The cache only keeps the books: the store
 * decides when an entry may be closed, because a chunk pushed out may still have operations queued on it.
 */
export class OpenChunkCache {
  /** In least-recently-used order (oldest first): a Map iterates in insertion order. */
  private readonly chunks = new Map<number, OpenChunk>();
  /** Chunk files being opened, so concurrent operations on one chunk share one handle. */
  private readonly opening = new Map<number, Promise<OpenChunk>>();

  constructor(private readonly capacity: number = MAX_OPEN_CHUNK_FILES) {}

  /** The open chunk, now the most recently used; undefined when it is not open. */
  use(chunkId: number): OpenChunk | undefined {
    const c = this.chunks.get(chunkId);
    if (c) {
      this.chunks.delete(chunkId);
      this.chunks.set(chunkId, c);
    }
    return c;
  }

  /** The open chunk without counting it as used. */
  peek(chunkId: number): OpenChunk | undefined {
    return this.chunks.get(chunkId);
  }

  /** Removes the chunk and returns it; closing its file is the caller's. */
  take(chunkId: number): OpenChunk | undefined {
    const c = this.chunks.get(chunkId);
    if (c) this.chunks.delete(chunkId);
    return c;
  }

  /** Adds a chunk as the most recently used; returns the least recently used one it pushed out, for the caller to close. */
  add(c: OpenChunk): OpenChunk | undefined {
    this.chunks.set(c.chunkId, c);
    if (this.chunks.size <= this.capacity) return undefined;
    const [oldestId, oldest] = this.chunks.entries().next().value as [number, OpenChunk];
    this.chunks.delete(oldestId);
    return oldest;
  }

  /** The open of `chunkId` in progress, if any. */
  pendingOpen(chunkId: number): Promise<OpenChunk> | undefined {
    return this.opening.get(chunkId);
  }

  /** Hands `opening` to later callers for `chunkId` until it settles. */
  trackOpen(chunkId: number, opening: Promise<OpenChunk>): void {
    this.opening.set(chunkId, opening);
    void opening.then(
      () => this.opening.delete(chunkId),
      () => this.opening.delete(chunkId),
    );
  }

  /** Settles (never rejects) once every open in progress has settled. */
  async opensSettled(): Promise<void> {
    await Promise.all([...this.opening.values()].map((p) => p.catch(() => undefined)));
  }

  /** Every open chunk, least recently used first. */
  values(): IterableIterator<OpenChunk> {
    return this.chunks.values();
  }

  /** Forgets every open chunk (their files are the caller's to close first). */
  clear(): void {
    this.chunks.clear();
  }
}
