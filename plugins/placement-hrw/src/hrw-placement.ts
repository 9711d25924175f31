// HrwPlacement: weighted rendezvous hashing of chunk ids over chunkservers, spreading replicas across racks.
import type { ChunkserverView, IPlacement } from '@mooseng/core';

export interface HrwPlacementOptions {
  /** The server label that names a failure domain; replicas go to distinct domains while there are enough. */
  domainLabel: string;
  /** Servers with less free space than this never receive a new replica. */
  minFreeBytes: number;
}

/**
 * Weighted rendezvous (highest random weight) hashing: each (chunk, server) pair gets a pseudo-random score
 * -weight / ln(u), u uniform in (0,1) from a hash of both ids; the highest scores win. The same chunk maps to the same
 * servers while the set is stable, and adding or removing a server moves only the chunks that must move. Weight is
 * the server's free space, so fuller disks receive proportionally fewer new chunks.
 */
export class HrwPlacement implements IPlacement {
  constructor(private readonly options: HrwPlacementOptions) {}

  chooseForNewChunk(chunkId: number, goal: number, servers: readonly ChunkserverView[]): string[] {
    return this.pick(chunkId, goal, this.writable(servers), []);
  }

  orderForRead(chunkId: number, holders: readonly string[], servers: readonly ChunkserverView[], clientHost?: string): string[] {
    const byId = new Map(servers.map((s) => [s.id, s]));
    const alive = holders.filter((h) => byId.get(h)?.alive);
    // A replica on the client's own host first (no network hop), then a stable per-chunk order so reads of one chunk
    // spread over its replicas across chunks but keep locality in the page cache for one chunk.
    return alive
      .map((id) => ({ id, local: clientHost !== undefined && hostOf(byId.get(id)!.address) === clientHost, score: hash01(chunkId, id) }))
      .sort((a, b) => Number(b.local) - Number(a.local) || b.score - a.score)
      .map((r) => r.id);
  }

  chooseRepairTargets(chunkId: number, holders: readonly string[], count: number, servers: readonly ChunkserverView[]): string[] {
    const held = new Set(holders);
    const candidates = this.writable(servers).filter((s) => !held.has(s.id));
    const byId = new Map(servers.map((s) => [s.id, s]));
    const existing = holders.map((h) => byId.get(h)).filter((s): s is ChunkserverView => s !== undefined);
    return this.pick(chunkId, count, candidates, existing);
  }

  chooseToDrop(chunkId: number, holders: readonly string[], count: number, servers: readonly ChunkserverView[]): string[] {
    const byId = new Map(servers.map((s) => [s.id, s]));
    // Keep the replicas HRW would choose for this chunk; among the rest drop dead, then draining, then those sharing a
    // failure domain with a kept replica, then the least free.
    const domainCount = new Map<string, number>();
    for (const h of holders) {
      const d = this.domainOf(byId.get(h));
      domainCount.set(d, (domainCount.get(d) ?? 0) + 1);
    }
    const ranked = holders
      .map((id) => {
        const s = byId.get(id);
        return {
          id,
          badness: (s?.alive ? 0 : 8) + (s?.draining ? 4 : 0) + ((domainCount.get(this.domainOf(s)) ?? 0) > 1 ? 2 : 0),
          score: s ? score(chunkId, s) : -Infinity,
        };
      })
      .sort((a, b) => b.badness - a.badness || a.score - b.score);
    return ranked.slice(0, Math.min(count, holders.length)).map((r) => r.id);
  }

  private writable(servers: readonly ChunkserverView[]): ChunkserverView[] {
    return servers.filter((s) => s.alive && !s.draining && s.freeBytes >= this.options.minFreeBytes);
  }

  /** The top `count` by score, preferring failure domains not used yet (by `existing` or earlier picks). */
  private pick(chunkId: number, count: number, candidates: readonly ChunkserverView[], existing: readonly ChunkserverView[]): string[] {
    const ranked = candidates.map((s) => ({ s, score: score(chunkId, s) })).sort((a, b) => b.score - a.score);
    const usedDomains = new Set(existing.map((s) => this.domainOf(s)));
    const chosen: string[] = [];
    for (const pass of [0, 1]) {
      for (const { s } of ranked) {
        if (chosen.length >= count) return chosen;
        if (chosen.includes(s.id)) continue;
        const domain = this.domainOf(s);
        if (pass === 0 && usedDomains.has(domain)) continue;
        chosen.push(s.id);
        usedDomains.add(domain);
      }
    }
    return chosen;
  }

  private domainOf(server: ChunkserverView | undefined): string {
    if (!server) return '?';
    // Unlabelled servers are each their own domain: distinct servers is then the only spreading rule.
    return server.labels[this.options.domainLabel] ?? `server:${server.id}`;
  }
}

function score(chunkId: number, server: ChunkserverView): number {
  const weight = Math.max(server.freeBytes, 1);
  const u = hash01(chunkId, server.id);
  return -weight / Math.log(u);
}

/** A hash of (chunk, server) mapped into (0, 1): FNV-1a over both, finished with a murmur3 mix. */
function hash01(chunkId: number, serverId: string): number {
  let h = 0x811c9dc5;
  const lo = chunkId >>> 0;
  const hi = Math.floor(chunkId / 0x100000000) >>> 0;
  for (const word of [lo, hi]) {
    for (let i = 0; i < 4; i++) {
      h ^= (word >>> (i * 8)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  for (let i = 0; i < serverId.length; i++) {
    h ^= serverId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) + 0.5) / 4294967296;
}

function hostOf(address: string): string {
  const i = address.lastIndexOf(':');
  return i < 0 ? address : address.slice(0, i);
}
