// Chunkservers with a cluster secret take changes only with the leader's permit (core/src/protocol/chunk-permits.ts):
// a host on the network that sends a DELETE, a SET_VERSION, a write or a REPLICATE without one, with one forged
// under another secret, or with one made for another chunkserver, is refused with PERMIT_REFUSED and the chunk is
// left as it was. Along a chain, each chunkserver checks the permit it was forwarded. Reads need a permit too.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkPermitKey, DataPlaneClient, ErrorCodes, SystemClock } from '@mooseng/core';
import { cleanupTempDirs, makeTempDir } from '../support';
import { expectCode, randomBytes, startChunkserver, type RunningChunkserver } from './helpers';

const SECRET = 'a test cluster secret of enough bytes';

describe('chunkserver permits', function () {
  this.timeout(60_000);
  const clock = new SystemClock();
  const key = new ChunkPermitKey(Buffer.from(SECRET));
  const servers: RunningChunkserver[] = [];
  /** Signs like the leader. */
  let leader: DataPlaneClient;
  /** A host that reaches the data plane without the secret. */
  let stranger: DataPlaneClient;
  /** A host with a key made from another secret. */
  let forger: DataPlaneClient;
  const ref = { chunkId: 900, version: 1 };
  const data = randomBytes(200_000, 900);
  let secretFile = '';

  before(async () => {
    const dir = makeTempDir('mooseng-secret-');
    secretFile = join(dir, 'cluster-secret');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    servers.push(await startChunkserver({ clusterSecretFile: secretFile }), await startChunkserver({ clusterSecretFile: secretFile }));
    leader = new DataPlaneClient({ clock, signer: (req, targets) => key.forRequest(req, targets, clock.now()) });
    stranger = new DataPlaneClient({ clock });
    const otherKey = new ChunkPermitKey(Buffer.from('another cluster secret, not ours'));
    forger = new DataPlaneClient({ clock, signer: (req, targets) => otherKey.forRequest(req, targets, clock.now()) });
    const [a, b] = servers;
    await leader.create(a!.address, ref, { chain: [b!.address] });
    const grant = key.issue(ref, {
      ops: ['write'],
      length: -1,
      newVersion: 0,
      source: '',
      targets: [a!.address, b!.address],
      issuedAtMs: clock.now(),
    });
    await leader.write(a!.address, ref, 0, data, { chain: [b!.address], permit: grant });
  });
  after(async () => {
    for (const c of [leader, stranger, forger]) c?.close();
    for (const s of servers) await s.stop();
    cleanupTempDirs();
  });

  async function intact(): Promise<void> {
    for (const s of servers) {
      expect(await stranger.stat(s.address, ref.chunkId), s.address).to.deep.equal({ ...ref, length: data.length });
      expect((await leader.read(s.address, ref, 0, data.length)).equals(data), s.address).to.equal(true);
    }
  }

  it('serves a read only with a permit naming this chunkserver; stats stay open', async () => {
    const [a, b] = servers;
    expect((await expectCode(stranger.read(a!.address, ref, 0, 10), ErrorCodes.PERMIT_REFUSED)).message).to.match(/no permit/);
    const forB = key.issue(ref, { ops: ['read'], length: -1, newVersion: 0, source: '', targets: [b!.address], issuedAtMs: clock.now() });
    await expectCode(stranger.read(a!.address, ref, 0, 10, { permit: forB }), ErrorCodes.PERMIT_REFUSED);
    expect((await stranger.read(b!.address, ref, 0, 10, { permit: forB })).equals(data.subarray(0, 10))).to.equal(true);
    expect((await stranger.stat(a!.address, ref.chunkId)).version).to.equal(ref.version);
  });

  it('refuses a DELETE, a SET_VERSION, a write, a truncate and a REPLICATE from a host without the secret', async () => {
    const [a, b] = servers;
    const refusals = [
      stranger.delete(a!.address, ref),
      stranger.setVersion(a!.address, ref, 2, { chain: [b!.address] }),
      stranger.write(a!.address, ref, 0, Buffer.from('overwritten'), { chain: [b!.address] }),
      stranger.truncate(a!.address, ref, 0),
      stranger.replicate(b!.address, ref, a!.address),
      stranger.create(a!.address, { chunkId: 901, version: 1 }),
    ];
    for (const r of refusals) expect((await expectCode(r, ErrorCodes.PERMIT_REFUSED)).message).to.match(/no permit/);
    await intact();
    await expectCode(stranger.stat(a!.address, 901), ErrorCodes.CHUNK_NOT_FOUND);
  });

  it('refuses commands signed with another cluster secret', async () => {
    const [a] = servers;
    expect((await expectCode(forger.delete(a!.address, ref), ErrorCodes.PERMIT_REFUSED)).message).to.match(/another cluster secret/);
    await expectCode(forger.setVersion(a!.address, ref, 5), ErrorCodes.PERMIT_REFUSED);
    await intact();
  });

  it('refuses a permit the leader made for another chunkserver, or for another version', async () => {
    const [a, b] = servers;
    const forB = key.forRequest({ op: 'delete', ref, chain: [] }, [b!.address], clock.now());
    const err = await expectCode(stranger.delete(a!.address, ref, { permit: forB }), ErrorCodes.PERMIT_REFUSED);
    expect(err.message).to.contain(`not ${a!.address}`);
    const moveTo7 = key.forRequest({ op: 'set-version', ref, newVersion: 7, chain: [] }, [a!.address], clock.now());
    await expectCode(stranger.setVersion(a!.address, ref, 8, { permit: moveTo7 }), ErrorCodes.PERMIT_REFUSED);
    await intact();
  });

  it('refuses writes under a grant issued before it started (a new grant moves the version first); reads still go', async () => {
    const [a, b] = servers;
    // Issued before this chunkserver started: a write grant a client held across its restart.
    const before = clock.now() - 60_000;
    const oldGrant = key.issue(ref, {
      ops: ['write'],
      length: -1,
      newVersion: 0,
      source: '',
      targets: [a!.address, b!.address],
      issuedAtMs: before,
    });
    const refusal = await expectCode(
      stranger.write(a!.address, ref, 0, Buffer.from('held across a restart'), { chain: [b!.address], permit: oldGrant }),
      ErrorCodes.PERMIT_REFUSED,
    );
    expect(refusal.message).to.match(/before this chunkserver started/);
    const oldRead = key.issue(ref, { ops: ['read'], length: -1, newVersion: 0, source: '', targets: [a!.address], issuedAtMs: before });
    expect((await stranger.read(a!.address, ref, 0, 10, { permit: oldRead })).equals(data.subarray(0, 10))).to.equal(true);
    await intact();
  });

  it('checks the permit at every replica of a chain: one naming only the head fails at the next', async () => {
    const [a, b] = servers;
    const headOnly = key.forRequest({ op: 'set-version', ref, newVersion: 2, chain: [] }, [a!.address], clock.now());
    const err = await expectCode(
      leader.setVersion(a!.address, ref, 2, { chain: [b!.address], permit: headOnly }),
      ErrorCodes.REPLICA_FAILED,
    );
    expect(err.message).to.contain(b!.address).and.contain('PERMIT_REFUSED');
    // The head moved, as a head does when its chain breaks; the leader's own command for both moves the other.
    await leader.setVersion(b!.address, ref, 2);
    for (const s of servers) expect((await stranger.stat(s.address, ref.chunkId)).version).to.equal(2);
  });

  it("copies a chunk with the leader's replicate, whose permit lets the copier read the source", async () => {
    const [a] = servers;
    const third = await startChunkserver({ clusterSecretFile: secretFile });
    servers.push(third);
    const at2 = { chunkId: ref.chunkId, version: 2 };
    await leader.replicate(third.address, at2, a!.address);
    expect((await leader.read(third.address, at2, 0, data.length)).equals(data)).to.equal(true);
    await leader.delete(third.address, at2);
  });

  it("takes the leader's commands, forwarded along the chain", async () => {
    const [a, b] = servers;
    const ref2 = { chunkId: ref.chunkId, version: 2 };
    await leader.setVersion(a!.address, ref2, 3, { chain: [b!.address] });
    await leader.delete(a!.address, { chunkId: ref.chunkId, version: 3 }, { chain: [b!.address] });
    for (const s of servers) await expectCode(stranger.stat(s.address, ref.chunkId), ErrorCodes.CHUNK_NOT_FOUND);
  });
});
