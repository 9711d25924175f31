// The replication-raft config section (its settings, defaults and schema), the peer list format and where a node
// keeps its Raft files. A leaf module: the host and the manifest import it, it imports neither.
import { join } from 'node:path';
import { ErrorCodes, MoosengError, type ConsensusMember, type JsonSchema } from '@mooseng/core';

/** The replication-raft config section, as RAFT_CONFIG_SCHEMA below describes each setting. */
export interface RaftPluginConfig {
  /** Every master of the cluster as "id=host:port" (its Raft port), this one included; empty: a cluster of one. */
  peers: string[];
  /** Port for Raft peer traffic. */
  port: number;
  /** Address the Raft port listens on. */
  host: string;
  tickIntervalMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  snapshotThresholdEntries: number;
  segmentBytes: number;
  maxBatchBytes: number;
  fsync: boolean;
  leaseReads: boolean;
  /** When a proposal counts as committed: see RaftSyncMode. */
  sync: RaftSyncMode;
  /** quorum-memory: the longest the leader lets an entry it counted wait for its own fsync, in milliseconds. */
  fsyncLagMs: number;
  /** quorum-memory: how many entries the leader may count before its own fsync starts at once. */
  fsyncLagEntries: number;
}

/**
 * commit: an entry commits once a majority has it on disk, the leader's own copy included (every acknowledged write
 * survives any crash, a power cut of every master too). quorum-memory: the leader counts its own copy once written
 * to its log file, before its fsync (as etcd 3.4 does), and fsyncs in the background within fsyncLagMs /
 * fsyncLagEntries; an acknowledged write then survives the crash of any one master, and a client's fsync waits for
 * IConsensus.waitDurable (a majority's disks) so what it covers survives a power cut of all (docs/raft.md).
 */
export type RaftSyncMode = 'commit' | 'quorum-memory';
/** The durability modes `sync` accepts, for the schema and the error naming them. */
export const RAFT_SYNC_MODES: readonly RaftSyncMode[] = ['commit', 'quorum-memory'];

/**
 * Every setting's default, in one place for the schema and for hosts built outside the plugin loader (the
 * benchmark), so a new setting cannot be forgotten there. An election timeout of 500–1000 ms (10–20 ticks of 50 ms,
 * randomized) replaces a dead leader in about a second; heartbeats go every 100 ms.
 */
export const RAFT_CONFIG_DEFAULTS: Readonly<RaftPluginConfig> = Object.freeze({
  peers: [] as string[],
  port: 9422,
  host: '0.0.0.0',
  tickIntervalMs: 50,
  electionTicks: 10,
  heartbeatTicks: 2,
  snapshotThresholdEntries: 10_000,
  segmentBytes: 64 * 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
  fsync: true,
  leaseReads: true,
  sync: 'commit',
  fsyncLagMs: 5,
  fsyncLagEntries: 256,
});

const D = RAFT_CONFIG_DEFAULTS;

/** Bounds of the fsync lag: beyond them the unsynced tail a power cut of every master could lose is not small. */
export const MAX_FSYNC_LAG_MS = 1000;
export const MAX_FSYNC_LAG_ENTRIES = 100_000;

/** The replication-raft section's JSON schema, defaults from RAFT_CONFIG_DEFAULTS. */
export const RAFT_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Raft consensus among the masters',
  additionalProperties: false,
  default: {},
  properties: {
    peers: {
      type: 'array',
      default: [],
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*=[^\\s:]+:\\d+$' },
      description: 'All masters as id=host:raftPort, this one included; empty = a single master (env MOOSENG_RAFT_PEERS, comma-separated)',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: D.port, description: 'Port for Raft peer traffic between the masters' },
    host: { type: 'string', default: D.host, description: 'Address the Raft port listens on' },
    tickIntervalMs: {
      type: 'integer',
      minimum: 5,
      maximum: 10_000,
      default: D.tickIntervalMs,
      description: 'Length of one Raft tick, in milliseconds',
    },
    electionTicks: {
      type: 'integer',
      minimum: 3,
      maximum: 1000,
      default: D.electionTicks,
      description: 'Election timeout in ticks (randomized between this and twice this); must exceed heartbeatTicks',
    },
    heartbeatTicks: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: D.heartbeatTicks,
      description: 'Leader heartbeat interval in ticks',
    },
    snapshotThresholdEntries: {
      type: 'integer',
      minimum: 1,
      default: D.snapshotThresholdEntries,
      description: 'Take a snapshot and compact the log after this many applied entries',
    },
    segmentBytes: {
      type: 'integer',
      minimum: 4096,
      default: D.segmentBytes,
      description: 'Size at which a new log segment file is started, in bytes',
    },
    maxBatchBytes: {
      type: 'integer',
      minimum: 1024,
      default: D.maxBatchBytes,
      description: 'Largest batch of entries in one append message, in bytes',
    },
    fsync: {
      type: 'boolean',
      default: D.fsync,
      description: 'fsync the log before acknowledging; turn off only for throwaway test clusters',
    },
    leaseReads: {
      type: 'boolean',
      default: D.leaseReads,
      description:
        "Serve reads on the leader from its lease (a quorum heard from within 80% of the election timeout) instead of a round of heartbeats; assumes the masters' clocks run at the same rate",
    },
    sync: {
      enum: [...RAFT_SYNC_MODES],
      default: D.sync,
      description:
        "When a write is acknowledged: commit = once a majority of masters has it on disk, the leader's copy included; quorum-memory = once a majority holds it, the leader's copy counted when written but before its fsync (client fsyncs still wait for a majority's disks)",
    },
    fsyncLagMs: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_FSYNC_LAG_MS,
      default: D.fsyncLagMs,
      description: "sync: quorum-memory only: the longest an acknowledged entry waits for the leader's own fsync, in milliseconds",
    },
    fsyncLagEntries: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_FSYNC_LAG_ENTRIES,
      default: D.fsyncLagEntries,
      description: 'sync: quorum-memory only: entries the leader may acknowledge before its own fsync starts at once',
    },
  },
};

/**
 * Checks the durability settings of a host built outside the config loader (the schema checks the loader's): a bad
 * value fails with CONFIG_INVALID naming the setting, what it got and what it takes.
 */
export function checkDurabilitySettings(c: Pick<RaftPluginConfig, 'sync' | 'fsyncLagMs' | 'fsyncLagEntries' | 'fsync'>): void {
  const bad = (message: string): MoosengError => new MoosengError(ErrorCodes.CONFIG_INVALID, `replication-raft.${message}`);
  if (!RAFT_SYNC_MODES.includes(c.sync))
    throw bad(`sync is ${JSON.stringify(c.sync)}; it must be one of ${RAFT_SYNC_MODES.map((m) => JSON.stringify(m)).join(', ')}`);
  if (!Number.isInteger(c.fsyncLagMs) || c.fsyncLagMs < 1 || c.fsyncLagMs > MAX_FSYNC_LAG_MS)
    throw bad(`fsyncLagMs is ${JSON.stringify(c.fsyncLagMs)}; it must be a whole number of milliseconds from 1 to ${MAX_FSYNC_LAG_MS}`);
  if (!Number.isInteger(c.fsyncLagEntries) || c.fsyncLagEntries < 1 || c.fsyncLagEntries > MAX_FSYNC_LAG_ENTRIES)
    throw bad(`fsyncLagEntries is ${JSON.stringify(c.fsyncLagEntries)}; it must be a whole number from 1 to ${MAX_FSYNC_LAG_ENTRIES}`);
  if (c.sync === 'quorum-memory' && !c.fsync)
    throw bad(
      'sync is "quorum-memory" with fsync: false: with fsync off nothing reaches the disk, so there is no fsync to defer; ' +
        'set fsync: true, or leave sync at "commit" for a throwaway cluster',
    );
}

/** Parses "id=host:port" peers; the whole list must name this node. */
export function parsePeers(peers: readonly string[], selfId: string, selfAddress: string): ConsensusMember[] {
  if (peers.length === 0) return [{ id: selfId, address: selfAddress }];
  const members = peers.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `replication-raft.peers entry "${p}" is not id=host:raftPort`);
    return { id: p.slice(0, eq), address: p.slice(eq + 1) };
  });
  if (new Set(members.map((m) => m.id)).size !== members.length)
    throw new MoosengError(ErrorCodes.CONFIG_INVALID, 'replication-raft.peers names a master id twice');
  if (!members.some((m) => m.id === selfId)) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `replication-raft.peers must include this master (node.id "${selfId}"), e.g. ${selfId}=${selfAddress}`,
    );
  }
  return members;
}

/** Where a node's log segments and snapshot live, under its data directory. */
export function raftDirFor(dataDir: string): string {
  return join(dataDir, 'raft');
}
