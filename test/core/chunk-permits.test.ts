// Chunk permits and member proofs (core/src/protocol/chunk-permits.ts, member-proofs.ts): what the leader signs is
// taken exactly as signed, and nothing else: not another chunk version, operation, argument, chunkserver or time,
// nor anything signed with another cluster's secret. The wire round trip is checked too: a permit survives
// encodeRequest/decodeRequest untouched.
import { expect } from 'chai';
import {
  ChunkPermitKey,
  type ChunkRequest,
  chunkserverClaims,
  decodeRequest,
  encodeRequest,
  ErrorCodes,
  isMoosengError,
  MEMBER_PROOF_WINDOW_MS,
  MemberProofKey,
  PERMIT_CLOCK_SKEW_MS,
  PERMIT_LIFETIME_MS,
  requestType,
} from '@mooseng/core';

const SECRET = Buffer.from('a cluster secret of enough bytes');
const OTHER = Buffer.from('another cluster, another secret!');
const NOW = 1_800_000_000_000;
const SELF = '10.0.0.2:9420';
const ref = { chunkId: 2 ** 40 + 7, version: 12 };

/** The error code `fn` throws, or 'OK'; the message is kept for the assertions that name what is wrong. */
function outcome(fn: () => void): { code: string; message: string } {
  try {
    fn();
    return { code: 'OK', message: '' };
  } catch (err) {
    if (!isMoosengError(err)) throw err;
    return { code: err.code, message: err.message };
  }
}

describe('chunk permits', () => {
  const key = new ChunkPermitKey(SECRET);
  const del: ChunkRequest & { ref: typeof ref } = { op: 'delete', ref, chain: [] };

  it('takes a command the leader signed for this chunkserver', () => {
    const permit = key.forRequest(del, [SELF], NOW);
    expect(outcome(() => key.check(del, permit, SELF, NOW)).code).to.equal('OK');
  });

  it('refuses a command without a permit, naming who may send one', () => {
    const r = outcome(() => key.check(del, undefined, SELF, NOW));
    expect(r.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(r.message).to.match(/no permit.*leader master/);
  });

  it('refuses a permit signed with another cluster secret', () => {
    const forged = new ChunkPermitKey(OTHER).forRequest(del, [SELF], NOW);
    const r = outcome(() => key.check(del, forged, SELF, NOW));
    expect(r.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(r.message).to.match(/another cluster secret/);
  });

  it('during a rotation, signs with the new secret and still takes permits of the retiring one', () => {
    const rotating = new ChunkPermitKey(OTHER, [SECRET]);
    expect(outcome(() => rotating.check(del, key.forRequest(del, [SELF], NOW), SELF, NOW)).code).to.equal('OK');
    const signedNew = rotating.forRequest(del, [SELF], NOW);
    expect(outcome(() => new ChunkPermitKey(OTHER).check(del, signedNew, SELF, NOW)).code).to.equal('OK');
    expect(outcome(() => key.check(del, signedNew, SELF, NOW)).code).to.equal(ErrorCodes.PERMIT_REFUSED);
  });

  it('refuses a permit of another chunk, another version, or bytes changed in it', () => {
    const permit = key.forRequest(del, [SELF], NOW);
    expect(outcome(() => key.check({ ...del, ref: { ...ref, chunkId: ref.chunkId + 1 } }, permit, SELF, NOW)).code).to.equal(
      ErrorCodes.PERMIT_REFUSED,
    );
    expect(outcome(() => key.check({ ...del, ref: { ...ref, version: 13 } }, permit, SELF, NOW)).code).to.equal(ErrorCodes.PERMIT_REFUSED);
    for (let i = 0; i < permit.length; i++) {
      const bent = Buffer.from(permit);
      bent[i]! ^= 0x01;
      expect(outcome(() => key.check(del, bent, SELF, NOW)).code, `byte ${i} flipped`).to.equal(ErrorCodes.PERMIT_REFUSED);
    }
    expect(outcome(() => key.check(del, permit.subarray(0, 10), SELF, NOW)).code).to.equal(ErrorCodes.PERMIT_REFUSED);
  });

  it('refuses a permit shown to a chunkserver it does not name', () => {
    const permit = key.forRequest(del, ['10.0.0.3:9420'], NOW);
    const r = outcome(() => key.check(del, permit, SELF, NOW));
    expect(r.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(r.message).to.contain('10.0.0.3:9420').and.contain(SELF);
  });

  it('refuses an operation or an argument the permit does not allow', () => {
    const grant = key.issue(ref, { ops: ['create', 'write'], length: -1, newVersion: 0, source: '', targets: [SELF], issuedAtMs: NOW });
    const write: ChunkRequest & { ref: typeof ref } = { op: 'write', ref, offset: 0, chain: [], crcs: [], data: Buffer.alloc(0) };
    expect(outcome(() => key.check(write, grant, SELF, NOW)).code).to.equal('OK');
    expect(outcome(() => key.check(del, grant, SELF, NOW)).message).to.match(/does not allow delete/);
    expect(outcome(() => key.check({ op: 'truncate', ref, length: 0, chain: [] }, grant, SELF, NOW)).code).to.equal(
      ErrorCodes.PERMIT_REFUSED,
    );
    const setVersion = { op: 'set-version' as const, ref, newVersion: 13, chain: [] };
    const moved = key.forRequest(setVersion, [SELF], NOW);
    expect(outcome(() => key.check(setVersion, moved, SELF, NOW)).code).to.equal('OK');
    expect(outcome(() => key.check({ ...setVersion, newVersion: 99 }, moved, SELF, NOW)).message).to.match(/allows version 13, not 99/);
    const cut = { op: 'cut' as const, ref, length: 4096, newVersion: 13, chain: [] };
    const cutPermit = key.forRequest(cut, [SELF], NOW);
    expect(outcome(() => key.check({ ...cut, length: 0 }, cutPermit, SELF, NOW)).message).to.match(/4096 bytes, not 0/);
    const copy = { op: 'replicate' as const, ref, source: '10.0.0.5:9420' };
    const copyPermit = key.forRequest(copy, [SELF], NOW);
    expect(outcome(() => key.check(copy, copyPermit, SELF, NOW)).code).to.equal('OK');
    expect(outcome(() => key.check({ ...copy, source: '10.6.6.6:9420' }, copyPermit, SELF, NOW)).message).to.match(/copying from/);
  });

  it('refuses a permit past its lifetime, or from too far in the future', () => {
    const permit = key.forRequest(del, [SELF], NOW);
    const late = NOW + PERMIT_LIFETIME_MS + PERMIT_CLOCK_SKEW_MS;
    expect(outcome(() => key.check(del, permit, SELF, late)).code).to.equal('OK');
    expect(outcome(() => key.check(del, permit, SELF, late + 1)).message).to.match(/expired/);
    expect(outcome(() => key.check(del, permit, SELF, NOW - PERMIT_CLOCK_SKEW_MS)).code).to.equal('OK');
    expect(outcome(() => key.check(del, permit, SELF, NOW - PERMIT_CLOCK_SKEW_MS - 1)).message).to.match(/future/);
  });

  it('refuses a cluster secret too short to be one', () => {
    expect(() => new ChunkPermitKey(Buffer.from('short'))).to.throw(/at least 16/);
  });

  it('travels in every request frame unchanged, and an absent permit stays absent', () => {
    const permit = key.forRequest(del, [SELF], NOW);
    const requests: ChunkRequest[] = [
      { op: 'create', ref, permit, chain: ['10.0.0.3:9420'] },
      { op: 'write', ref, permit, offset: 65536, chain: [], crcs: [0x1234], data: Buffer.from('x') },
      { op: 'truncate', ref, permit, length: 7, chain: [] },
      { op: 'delete', ref, permit, chain: [] },
      { op: 'set-version', ref, permit, newVersion: 13, chain: [] },
      { op: 'replicate', ref, permit, source: '10.0.0.5:9420' },
      { op: 'cut', ref, permit, length: 7, newVersion: 13, chain: [] },
      { op: 'flush', ref, permit, chain: [] },
      { op: 'read', ref, permit, offset: 0, length: 10 },
      { op: 'stat', chunkId: ref.chunkId, permit },
    ];
    for (const req of requests) {
      const back = decodeRequest(requestType(req.op, 'client'), Buffer.concat(encodeRequest(req)));
      expect(back.permit?.equals(permit), req.op).to.equal(true);
      const bare = decodeRequest(requestType(req.op, 'client'), Buffer.concat(encodeRequest({ ...req, permit: undefined })));
      expect(bare.permit, req.op).to.equal(undefined);
    }
  });
});

describe('member proofs', () => {
  const key = new MemberProofKey(SECRET);
  const claims = chunkserverClaims({ nodeId: 'cs1', clusterId: 'prod', dataAddress: SELF });

  it('takes a proof made with the cluster secret within the window', () => {
    const proof = key.prove(claims, NOW);
    expect(outcome(() => key.check(claims, proof, NOW + MEMBER_PROOF_WINDOW_MS, 'cs1')).code).to.equal('OK');
    expect(outcome(() => key.check(claims, proof, NOW - MEMBER_PROOF_WINDOW_MS, 'cs1')).code).to.equal('OK');
  });

  it('during a rotation, proves with the new secret and still takes proofs of the retiring one', () => {
    const rotating = new MemberProofKey(OTHER, [SECRET]);
    expect(outcome(() => rotating.check(claims, key.prove(claims, NOW), NOW, 'cs1')).code).to.equal('OK');
    expect(outcome(() => key.check(claims, rotating.prove(claims, NOW), NOW, 'cs1')).code).to.equal(ErrorCodes.PERMIT_REFUSED);
  });

  it('refuses no proof, a proof from another secret, of other claims, or out of its window', () => {
    const proof = key.prove(claims, NOW);
    expect(outcome(() => key.check(claims, undefined, NOW, 'cs1')).message).to.match(/no proof of membership.*cluster secret/);
    expect(outcome(() => key.check(claims, new MemberProofKey(OTHER).prove(claims, NOW), NOW, 'cs1')).message).to.match(
      /not signed with this cluster's secret/,
    );
    const otherId = chunkserverClaims({ nodeId: 'cs2', clusterId: 'prod', dataAddress: SELF });
    expect(outcome(() => key.check(otherId, proof, NOW, 'cs2')).code).to.equal(ErrorCodes.PERMIT_REFUSED);
    const otherAddress = chunkserverClaims({ nodeId: 'cs1', clusterId: 'prod', dataAddress: '10.6.6.6:9420' });
    expect(outcome(() => key.check(otherAddress, proof, NOW, 'cs1')).code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(outcome(() => key.check(claims, proof, NOW + MEMBER_PROOF_WINDOW_MS + 1, 'cs1')).message).to.match(/old/);
    expect(outcome(() => key.check(claims, proof.subarray(1), NOW, 'cs1')).message).to.match(/malformed/);
  });
});
