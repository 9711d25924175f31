// CacheStats: counts the client's cache lookups as hits and misses per cache, for the cache hit rate on dashboards.
import type { IMetrics } from '@mooseng/core';

/**
 * entry: inode → attributes (getattr); name: (directory, name) → inode or "missing" (lookup); xattr: extended
 * attributes; location: chunk locations; read_ahead: read-ahead windows (client.cacheSizeMb 0); block: the block
 * cache, per 64 KiB block a read asked for (a hit: held, or already on its way).
 */
export type ClientCache = 'entry' | 'name' | 'xattr' | 'location' | 'read_ahead' | 'block';

export type CountCacheLookup = (cache: ClientCache, hit: boolean) => void;

/** Counts into mooseng_client_cache_requests_total{cache,result}. */
export function cacheStats(metrics: IMetrics): CountCacheLookup {
  const counter = metrics.counter({
    name: 'mooseng_client_cache_requests_total',
    help: 'Client cache lookups, by cache and result (hit or miss)',
    labelNames: ['cache', 'result'],
  });
  return (cache, hit) => counter.inc({ cache, result: hit ? 'hit' : 'miss' });
}

/** Reports the bytes the block cache holds as mooseng_client_block_cache_bytes, read at each scrape. */
export function blockCacheGauge(metrics: IMetrics, bytesHeld: () => number): void {
  metrics.gauge({
    name: 'mooseng_client_block_cache_bytes',
    help: 'Bytes of chunk blocks the client read cache holds (bounded by client.cacheSizeMb)',
    collect: (set) => set(bytesHeld()),
  });
}

/**
 * Reports the bytes written through the mount and not yet on the chunkservers (buffered or on their way) as
 * mooseng_client_write_back_bytes, and the most held at once as mooseng_client_write_back_peak_bytes.
 */
export function writeBackGauges(metrics: IMetrics, bytes: () => { now: number; peak: number }): void {
  metrics.gauge({
    name: 'mooseng_client_write_back_bytes',
    help: 'Bytes written through the mount and not yet on the chunkservers (bounded by client.writeBufferMb)',
    collect: (set) => set(bytes().now),
  });
  metrics.gauge({
    name: 'mooseng_client_write_back_peak_bytes',
    help: 'The most bytes written through the mount and not yet on the chunkservers held at once since it started',
    collect: (set) => set(bytes().peak),
  });
}

/** For tests and tools that do not count. */
export const uncountedCache: CountCacheLookup = () => undefined;
