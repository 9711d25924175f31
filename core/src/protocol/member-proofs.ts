// Member proofs: how a chunkserver shows a master it belongs to the cluster when it registers. It signs what it
// claims (its id, cluster and data address) and the time with a key derived from the cluster secret; a master that
// holds the secret refuses a registration without a valid proof, so a host without the secret cannot join the
// cluster, take new chunks or claim another server's id. Without TLS, a proof seen on the wire can be replayed for
// MEMBER_PROOF_WINDOW_MS, and only to register the same id at the same address.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MoosengError } from '../errors';
import { MIN_CLUSTER_SECRET_BYTES, PERMIT_CLOCK_SKEW_MS } from './chunk-permits';
import { WireWriter } from './wire-codec';

/** How far from the receiver's clock a proof's time may be (either way). */
export const MEMBER_PROOF_WINDOW_MS = PERMIT_CLOCK_SKEW_MS;
const MAC_BYTES = 16;
const PROOF_BYTES = 8 + MAC_BYTES;

export class MemberProofKey {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < MIN_CLUSTER_SECRET_BYTES)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `the cluster secret needs at least ${MIN_CLUSTER_SECRET_BYTES} bytes`);
    this.key = createHmac('sha256', secret).update('mooseng member proof v1').digest();
  }

  /** A proof of `claims` (role, id, cluster, address...) made now. */
  prove(claims: readonly string[], nowMs: number): Buffer {
    const time = new WireWriter(8).u64(nowMs).finish();
    return Buffer.concat([time, this.mac(time, claims)]);
  }

  /** Refuses (PERMIT_REFUSED) a missing, forged or stale proof of `claims`; `who` names the claimant in errors. */
  check(claims: readonly string[], proof: Buffer | undefined, nowMs: number, who: string): void {
    if (!proof || proof.length === 0)
      throw refused(`${who} sent no proof of membership: give it the cluster secret (node.clusterSecretFile) the masters have`);
    if (proof.length !== PROOF_BYTES) throw refused(`${who} sent a malformed proof of membership (${proof.length} bytes)`);
    const time = proof.subarray(0, 8);
    if (!timingSafeEqual(this.mac(time, claims), proof.subarray(8)))
      throw refused(`${who}'s proof of membership is not signed with this cluster's secret (another cluster secret?)`);
    const at = time.readUInt32BE(0) * 2 ** 32 + time.readUInt32BE(4);
    if (Math.abs(nowMs - at) > MEMBER_PROOF_WINDOW_MS)
      throw refused(`${who}'s proof of membership is ${Math.round((nowMs - at) / 1000)} s old (clocks out of step, or a replay)`);
  }

  private mac(time: Buffer, claims: readonly string[]): Buffer {
    const h = createHmac('sha256', this.key).update(time);
    for (const c of claims) h.update(new WireWriter(c.length + 2).string(c).finish());
    return h.digest().subarray(0, MAC_BYTES);
  }
}

function refused(message: string): MoosengError {
  return new MoosengError(ErrorCodes.PERMIT_REFUSED, message);
}

/** What a chunkserver's registration claims, as its proof signs it. */
export function chunkserverClaims(identity: { nodeId: string; clusterId: string; dataAddress: string }): string[] {
  return ['chunkserver', identity.nodeId, identity.clusterId, identity.dataAddress];
}
