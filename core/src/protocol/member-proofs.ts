// Member proofs: how a chunkserver shows a master it belongs to the cluster when it registers. It signs what it
// claims (its id, cluster and data address) and the time with a key derived from the cluster secret; a master that
// holds the secret refuses a registration without a valid proof, so a host without the secret cannot join the
// cluster, take new chunks or claim another server's id. Without TLS, a proof seen on the wire can be replayed for
// MEMBER_PROOF_WINDOW_MS, and only to register the same id at the same address. Clients prove their export's
// password the same way when they open a session (ExportPasswordKey).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MoosengError } from '../errors';
import { MIN_CLUSTER_SECRET_BYTES, PERMIT_CLOCK_SKEW_MS } from './chunk-permits';
import { WireWriter } from './wire-codec';

/** How far from the receiver's clock a proof's time may be (either way). */
export const MEMBER_PROOF_WINDOW_MS = PERMIT_CLOCK_SKEW_MS;
const MAC_BYTES = 16;
const PROOF_BYTES = 8 + MAC_BYTES;

/** How a kind of timed proof is named in its errors. */
interface ProofWording {
  /** What is proven: "proof of membership". */
  proof: string;
  /** What to do when there is none: "give it the cluster secret (node.clusterSecretFile) the masters have". */
  missing: string;
  /** What a proof under another key means: "another cluster secret?". */
  otherKey: string;
}

/**
 * A claim set signed with the time under an HMAC key, checked within MEMBER_PROOF_WINDOW_MS of the receiver's
 * clock. `label` gives each use of one secret its own key.
 */
export class TimedProofKey {
  /** The key proofs are made with, then retiring ones still accepted (a secret rolling out). */
  private readonly keys: Buffer[];

  constructor(
    secret: Buffer,
    label: string,
    private readonly wording: ProofWording,
    retired: readonly Buffer[] = [],
  ) {
    this.keys = [secret, ...retired].map((s) => createHmac('sha256', s).update(label).digest());
  }

  /** A proof of `claims` (role, id, cluster, address...) made now. */
  prove(claims: readonly string[], nowMs: number): Buffer {
    const time = new WireWriter(8).u64(nowMs).finish();
    return Buffer.concat([time, this.mac(this.keys[0]!, time, claims)]);
  }

  /** Refuses (PERMIT_REFUSED) a missing, forged or stale proof of `claims`; `who` names the claimant in errors. */
  check(claims: readonly string[], proof: Buffer | undefined, nowMs: number, who: string): void {
    const { proof: what, missing, otherKey } = this.wording;
    if (!proof || proof.length === 0) throw refused(`${who} sent no ${what}: ${missing}`);
    if (proof.length !== PROOF_BYTES) throw refused(`${who} sent a malformed ${what} (${proof.length} bytes)`);
    const time = proof.subarray(0, 8);
    const mac = proof.subarray(8);
    if (!this.keys.some((key) => timingSafeEqual(this.mac(key, time, claims), mac)))
      throw refused(`${who}'s ${what} is not signed with ${otherKey}`);
    const at = time.readUInt32BE(0) * 2 ** 32 + time.readUInt32BE(4);
    if (Math.abs(nowMs - at) > MEMBER_PROOF_WINDOW_MS)
      throw refused(`${who}'s ${what} is ${Math.round((nowMs - at) / 1000)} s old (clocks out of step, or a replay)`);
  }

  private mac(key: Buffer, time: Buffer, claims: readonly string[]): Buffer {
    const h = createHmac('sha256', key).update(time);
    for (const c of claims) h.update(new WireWriter(c.length + 2).string(c).finish());
    return h.digest().subarray(0, MAC_BYTES);
  }
}

/** Proofs that a chunkserver or master holds the cluster secret. */
export class MemberProofKey extends TimedProofKey {
  /** `retired`: older secrets whose proofs are still accepted while a new one rolls out. */
  constructor(secret: Buffer, retired: readonly Buffer[] = []) {
    if ([secret, ...retired].some((s) => s.length < MIN_CLUSTER_SECRET_BYTES))
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `the cluster secret needs at least ${MIN_CLUSTER_SECRET_BYTES} bytes`);
    super(
      secret,
      'mooseng member proof v1',
      {
        proof: 'proof of membership',
        missing: 'give it the cluster secret (node.clusterSecretFile) the masters have',
        otherKey: "this cluster's secret (another cluster secret?)",
      },
      retired,
    );
  }
}

/**
 * Proofs that a client knows its export's password (master.exports[].password), sent when it opens a session: the
 * password itself never travels, and a proof seen on the wire opens a session for the same host and description
 * only within MEMBER_PROOF_WINDOW_MS.
 */
export class ExportPasswordKey extends TimedProofKey {
  constructor(password: string) {
    super(Buffer.from(password, 'utf8'), 'mooseng export password v1', {
      proof: "proof of its export's password",
      missing: "this client's export needs a password: set client.password (env MOOSENG_PASSWORD)",
      otherKey: "the export's password (a wrong client.password?)",
    });
  }
}

function refused(message: string): MoosengError {
  return new MoosengError(ErrorCodes.PERMIT_REFUSED, message);
}

/** What a client's OpenSession claims, as its password proof signs it. */
export function sessionClaims(request: { host: string; info: string }): string[] {
  return ['session', request.host, request.info];
}

/** What a chunkserver's registration claims, as its proof signs it. */
export function chunkserverClaims(identity: { nodeId: string; clusterId: string; dataAddress: string }): string[] {
  return ['chunkserver', identity.nodeId, identity.clusterId, identity.dataAddress];
}
