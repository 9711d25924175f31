// Chunk permits: what lets a data-plane request change a chunk. The leader signs, with a key every master and
// chunkserver derives from the cluster secret, a permit naming the chunk version, the operations it allows with
// their arguments, the chunkservers it may be shown to and when it was issued. A chunkserver that holds the key
// refuses a changing request without a valid permit, so a host that can reach the data plane but is not the leader
// (or a client the leader granted) cannot delete, overwrite, truncate, re-version or re-copy a chunk. Clients get
// permits inside their write grants; a replication chain forwards the permit it received. HDFS's block tokens are the
// same idea. Without TLS a permit seen on the wire can be replayed to the chunkservers it names until it expires;
// docs/security.md says what that leaves open.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChunkRef } from '../contracts/chunk-store';
import { ErrorCodes, MoosengError } from '../errors';
import type { ChunkOp, ChunkRequest } from './data-plane-messages';
import { WireReader, WireWriter } from './wire-codec';

/** How long a permit is honoured after it was issued (write grants are asked for again every 30 s). */
export const PERMIT_LIFETIME_MS = 10 * 60_000;
/** How far the clocks of the leader and a chunkserver may disagree (keep them in step with NTP). */
export const PERMIT_CLOCK_SKEW_MS = 2 * 60_000;
/**
 * A client's writes under a grant issued before the chunkserver (re)started are refused: the client asks for a new
 * grant, which moves the chunk to a new version first. Otherwise a chunkserver whose disks go back to a copy taken
 * at its restart (restored, or a disk that lost what it took since) would come back holding the chunk at the
 * granted version without those writes, and count as a current copy. Clocks out of step by d delay a restarted
 * chunkserver's writes by d (each grant asked for in that time is refused too); keep them in step with NTP.
 */
export const WRITES_VOIDED_BY_RESTART: ReadonlySet<ChunkOp> = new Set<ChunkOp>(['write', 'truncate', 'create']);

/** Bytes of a permit's HMAC-SHA256 that are kept: 128 bits. */
const PERMIT_MAC_BYTES = 16;
/** Shortest cluster secret accepted, in bytes (128 bits). */
export const MIN_CLUSTER_SECRET_BYTES = 16;

/**
 * Operations a chunkserver that holds the key refuses without a permit. Stats and flushes stay open: a stat tells a
 * chunk's version and length, a flush only makes earlier writes durable. A verify re-reads a whole chunk from disk:
 * the leader's to ask, never a stranger's.
 */
export const PERMIT_REQUIRED_OPS: ReadonlySet<ChunkOp> = new Set<ChunkOp>([
  'read',
  'create',
  'write',
  'truncate',
  'delete',
  'set-version',
  'replicate',
  'cut',
  'verify',
]);

const OP_BITS: Readonly<Record<ChunkOp, number>> = {
  create: 1 << 0,
  write: 1 << 1,
  read: 1 << 2,
  truncate: 1 << 3,
  delete: 1 << 4,
  'set-version': 1 << 5,
  replicate: 1 << 6,
  stat: 1 << 7,
  flush: 1 << 8,
  cut: 1 << 9,
  verify: 1 << 10,
};
const NO_LENGTH = 0xffffffff;

/** What a permit allows, on the chunk version the request names. */
export interface ChunkPermit {
  ops: readonly ChunkOp[];
  /** The length a truncate or cut must cut to; -1 for none (then neither is allowed). */
  length: number;
  /** The version a set-version or cut must move to; 0 for none. */
  newVersion: number;
  /** The chunkserver a replicate must copy from; '' for none. */
  source: string;
  /** The chunkservers ("host:port", as they registered) that may act on it. */
  targets: readonly string[];
  issuedAtMs: number;
}

/** A decoded permit and the bytes its MAC covers. */
interface DecodedPermit extends ChunkPermit {
  opsMask: number;
  body: Buffer;
  mac: Buffer;
}

/** Signs and checks permits with a key derived from the cluster secret. */
export class ChunkPermitKey {
  /** The key permits are signed with, then the retiring ones they are still accepted under. */
  private readonly keys: Buffer[];

  /**
   * `secret`: the cluster secret, at least MIN_CLUSTER_SECRET_BYTES (from node.clusterSecretFile); `retired`: older
   * secrets whose permits are still accepted while a new secret rolls out.
   */
  constructor(secret: Buffer, retired: readonly Buffer[] = []) {
    this.keys = [secret, ...retired].map((s) => {
      if (s.length < MIN_CLUSTER_SECRET_BYTES)
        throw new MoosengError(
          ErrorCodes.CONFIG_INVALID,
          `the cluster secret has ${s.length} bytes; it needs at least ${MIN_CLUSTER_SECRET_BYTES} (make one with: head -c 32 /dev/urandom | base64)`,
        );
      // Its own key, so the secret's other uses (registration proofs) never share one with permits.
      return createHmac('sha256', s).update('mooseng chunk permit v1').digest();
    });
  }

  /** A signed permit for one chunk version. */
  issue(ref: ChunkRef, permit: ChunkPermit): Buffer {
    let mask = 0;
    for (const op of permit.ops) mask |= OP_BITS[op];
    const w = new WireWriter(128);
    w.u16(mask)
      .u64(permit.issuedAtMs)
      .u32(permit.length < 0 ? NO_LENGTH : permit.length)
      .u64(permit.newVersion)
      .string(permit.source);
    w.u8(permit.targets.length);
    for (const t of permit.targets) w.string(t);
    const body = w.finish();
    return Buffer.concat([body, this.mac(this.keys[0]!, ref, body)]);
  }

  /**
   * A permit for exactly this request (the leader's own commands), shown to `targets`. A replicate's also lets the
   * copying chunkserver read the chunk from its source (it forwards the permit with its read).
   */
  forRequest(req: ChunkRequest & { ref: ChunkRef }, targets: readonly string[], nowMs: number): Buffer {
    const copy = req.op === 'replicate';
    return this.issue(req.ref, {
      ops: copy ? ['replicate', 'read'] : [req.op],
      length: req.op === 'truncate' || req.op === 'cut' ? req.length : -1,
      newVersion: req.op === 'set-version' || req.op === 'cut' ? req.newVersion : 0,
      source: req.op === 'replicate' ? req.source : '',
      targets: copy ? [...targets, req.source] : targets,
      issuedAtMs: nowMs,
    });
  }

  /**
   * Refuses (PERMIT_REFUSED) a request whose permit is missing, forged, for another chunk version, operation,
   * argument or chunkserver, or out of its time. `self` is this chunkserver's registered address. `startedAtMs`:
   * when this chunkserver started; a write grant's permit issued before it is refused (WRITES_VOIDED_BY_RESTART).
   */
  check(req: ChunkRequest & { ref: ChunkRef }, permit: Buffer | undefined, self: string, nowMs: number, startedAtMs = 0): void {
    const what = `${req.op} of chunk ${req.ref.chunkId} version ${req.ref.version}`;
    if (!permit || permit.length === 0)
      throw refused(`${what} carries no permit; this chunkserver takes changes only from the leader master or a client it granted`);
    const p = decode(permit, what);
    if (!this.keys.some((key) => timingSafeEqual(this.mac(key, req.ref, p.body), p.mac)))
      throw refused(`${what}: the permit's signature is not the cluster's (another cluster secret?)`);
    if ((p.opsMask & OP_BITS[req.op]) === 0) throw refused(`${what}: the permit does not allow ${req.op}`);
    if (!p.targets.includes(self)) throw refused(`${what}: the permit is for ${p.targets.join(', ') || 'no chunkserver'}, not ${self}`);
    if (nowMs - p.issuedAtMs > PERMIT_LIFETIME_MS + PERMIT_CLOCK_SKEW_MS)
      throw refused(`${what}: the permit expired (issued ${Math.round((nowMs - p.issuedAtMs) / 1000)} s ago)`);
    if (p.issuedAtMs - nowMs > PERMIT_CLOCK_SKEW_MS)
      throw refused(
        `${what}: the permit was issued ${Math.round((p.issuedAtMs - nowMs) / 1000)} s in this chunkserver's future (clocks out of step?)`,
      );
    if (WRITES_VOIDED_BY_RESTART.has(req.op) && p.issuedAtMs < startedAtMs)
      throw refused(
        `${what}: the permit was issued ${Math.round((startedAtMs - p.issuedAtMs) / 1000)} s before this chunkserver started; ask the master for a new grant`,
      );
    if ((req.op === 'truncate' || req.op === 'cut') && req.length !== p.length)
      throw refused(`${what}: the permit allows cutting to ${p.length < 0 ? 'no length' : `${p.length} bytes`}, not ${req.length}`);
    if ((req.op === 'set-version' || req.op === 'cut') && req.newVersion !== p.newVersion)
      throw refused(`${what}: the permit allows version ${p.newVersion}, not ${req.newVersion}`);
    if (req.op === 'replicate' && req.source !== p.source)
      throw refused(`${what}: the permit allows copying from ${p.source || 'nowhere'}, not ${req.source}`);
  }

  private mac(key: Buffer, ref: ChunkRef, body: Buffer): Buffer {
    const subject = new WireWriter(16).u64(ref.chunkId).u64(ref.version).finish();
    return createHmac('sha256', key).update(subject).update(body).digest().subarray(0, PERMIT_MAC_BYTES);
  }
}

function decode(permit: Buffer, what: string): DecodedPermit {
  if (permit.length <= PERMIT_MAC_BYTES) throw refused(`${what}: the permit is ${permit.length} bytes, too short to be one`);
  const body = permit.subarray(0, permit.length - PERMIT_MAC_BYTES);
  const mac = permit.subarray(permit.length - PERMIT_MAC_BYTES);
  try {
    const r = new WireReader(body);
    const opsMask = r.u16('permit operations');
    const issuedAtMs = r.u64('permit time');
    const rawLength = r.u32('permit length');
    const newVersion = r.u64('permit version');
    const source = r.string('permit source');
    const n = r.u8('permit targets');
    const targets: string[] = [];
    for (let i = 0; i < n; i++) targets.push(r.string('permit target'));
    r.end('permit');
    const ops = (Object.keys(OP_BITS) as ChunkOp[]).filter((op) => (opsMask & OP_BITS[op]) !== 0);
    return { ops, opsMask, issuedAtMs, length: rawLength === NO_LENGTH ? -1 : rawLength, newVersion, source, targets, body, mac };
  } catch (err) {
    throw refused(`${what}: the permit is malformed (${(err as Error).message})`);
  }
}

function refused(message: string): MoosengError {
  return new MoosengError(ErrorCodes.PERMIT_REFUSED, message);
}
