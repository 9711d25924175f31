// IPlacement: where replicas go. Pure decisions over a view of the chunkservers; no I/O, deterministic for a view.

export interface ChunkserverView {
  /** Stable server id (its config's serverId). */
  id: string;
  /** host:port of its data plane. */
  address: string;
  /** Failure-domain and selection labels, e.g. { rack: 'r1', zone: 'a', class: 'ssd' }. */
  labels: Record<string, string>;
  totalBytes: number;
  freeBytes: number;
  /** False once its heartbeats stopped; dead servers are never chosen as targets. */
  alive: boolean;
  /** Draining servers keep serving reads but receive no new replicas. */
  draining: boolean;
}

/**
 * Replica placement. Every method returns server ids, in preference order, drawn only from `servers` that are alive
 * and not draining (reads may also use draining ones); it never returns one server twice. When fewer servers qualify
 * than asked for, it returns fewer (the caller decides whether that is an error).
 */
export interface IPlacement {
  /** Servers for a new chunk's replicas; the order is the write chain. */
  chooseForNewChunk(chunkId: number, goal: number, servers: readonly ChunkserverView[]): string[];
  /** The holders ordered by preference for a read from `clientHost` (a host name or address, when known). */
  orderForRead(chunkId: number, holders: readonly string[], servers: readonly ChunkserverView[], clientHost?: string): string[];
  /** `count` new targets for a chunk held by `holders` (repair after a loss or a goal increase). */
  chooseRepairTargets(chunkId: number, holders: readonly string[], count: number, servers: readonly ChunkserverView[]): string[];
  /** `count` of `holders` to remove when a chunk is over its goal. */
  chooseToDrop(chunkId: number, holders: readonly string[], count: number, servers: readonly ChunkserverView[]): string[];
}
export const IPlacement = Symbol.for('mooseng.placement');
