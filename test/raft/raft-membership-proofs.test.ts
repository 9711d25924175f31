// Raft peers with a cluster secret (node.clusterSecretFile): a call that does not prove the sender is a member (no
// proof, or one made with another secret) is refused before any message in it reaches the core, and a member cannot
// send messages in another member's name. Members still talk as before.
import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { MemberProofKey } from '@mooseng/core';
import { type GrpcTransport, message, type Member, type Message } from '@mooseng/plugin-replication-raft';
import { testTransport } from './support/test-transport';
import { freePort, waitFor } from '../support';

const SECRET = Buffer.from('the secret of the test cluster!!');

function transport(self: Member, secret: Buffer | null): GrpcTransport {
  return testTransport(self, { memberProofs: secret ? new MemberProofKey(secret) : undefined });
}

const member = async (id: string): Promise<Member> => ({ id, address: `127.0.0.1:${await freePort()}` });
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('raft membership proofs', function () {
  this.timeout(20_000);
  const open: GrpcTransport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  it('delivers between members that share the secret', async () => {
    const [a, b] = [await member('a'), await member('b')];
    const atB: Message[] = [];
    const ta = transport(a, SECRET);
    const tb = transport(b, SECRET);
    open.push(ta, tb);
    await ta.start(() => undefined);
    await tb.start((m) => atB.push(m));
    ta.setMembers([a, b]);
    tb.setMembers([a, b]);
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 3 }));
    ta.send(
      message({ type: 'snapshot', from: 'a', to: 'b', term: 3, snapshot: { index: 1, term: 1, members: [a, b], data: Buffer.alloc(10) } }),
    );
    await waitFor('b to get the heartbeat and the snapshot', () => atB.length >= 2, 5000);
    expect(atB.map((m) => m.type).sort()).to.deep.equal(['heartbeat', 'snapshot']);
  });

  it('drops the messages of a sender without the secret, or with another one', async () => {
    const [a, b, c] = [await member('a'), await member('b'), await member('c')];
    const atA: Message[] = [];
    const ta = transport(a, SECRET);
    const stranger = transport(b, null);
    const forger = transport(c, Buffer.from('a secret of some other cluster!!'));
    open.push(ta, stranger, forger);
    await ta.start((m) => atA.push(m));
    await stranger.start(() => undefined);
    await forger.start(() => undefined);
    ta.setMembers([a, b, c]);
    stranger.setMembers([a, b]);
    forger.setMembers([a, c]);
    for (let term = 1; term <= 3; term++) {
      // A vote request from a higher term would depose a leader: the most harmful message a stranger could send.
      stranger.send(message({ type: 'vote', from: 'b', to: 'a', term: 100 + term }));
      forger.send(message({ type: 'vote', from: 'c', to: 'a', term: 200 + term }));
      forger.send(
        message({ type: 'snapshot', from: 'c', to: 'a', term: 200, snapshot: { index: 9, term: 9, members: [c], data: Buffer.alloc(1) } }),
      );
      await settle(300);
    }
    expect(atA).to.deep.equal([]);
  });

  it("refuses a member's batch that carries a message in another member's name", async () => {
    const [a, b, c] = [await member('a'), await member('b'), await member('c')];
    const atA: Message[] = [];
    const ta = transport(a, SECRET);
    const tb = transport(b, SECRET);
    open.push(ta, tb);
    await ta.start((m) => atA.push(m));
    await tb.start(() => undefined);
    ta.setMembers([a, b, c]);
    tb.setMembers([a, b, c]);
    tb.send(message({ type: 'vote', from: 'c', to: 'a', term: 50 }));
    await settle(500);
    expect(atA).to.deep.equal([]);
    // Its own messages, on the stream it opens next, still arrive.
    tb.send(message({ type: 'heartbeat', from: 'b', to: 'a', term: 51 }));
    await waitFor("b's own heartbeat to arrive", () => atA.length > 0, 5000);
    expect(atA.map((m) => `${m.type} ${m.from}`)).to.deep.equal(['heartbeat b']);
  });

  it('refuses a call without a proof from its metadata, before reading its message', async () => {
    const a = await member('a');
    const ta = transport(a, SECRET);
    open.push(ta);
    await ta.start(() => undefined);
    // Bytes that are no message at all: a server that read the message before checking would fail to decode it.
    const client = new grpc.Client(a.address, grpc.credentials.createInsecure());
    try {
      const status = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          '/mooseng.raft.RaftPeer/Deliver',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
          new grpc.Metadata(),
          { deadline: Date.now() + 5000 },
          (err) => resolve(err),
        ),
      );
      expect(status?.code).to.equal(grpc.status.PERMISSION_DENIED);
      expect(status?.details).to.match(/no proof of membership/);
    } finally {
      client.close();
    }
  });
});
