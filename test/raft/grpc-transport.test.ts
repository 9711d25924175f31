// The gRPC peer transport: delivers to members in send order on one long-lived stream per peer, lets nothing wait
// behind a large snapshot, reopens a stream to a peer that restarted, and answers a peer that is not a member yet
// but named itself in its calls (a new member elected leader before this node's log says it was added).
import { expect } from 'chai';
import { type GrpcTransport, message, type Member, type Message } from '@mooseng/plugin-replication-raft';
import { testTransport } from './support/test-transport';
import { freePort, waitFor } from '../support';

function transport(self: Member): GrpcTransport {
  return testTransport(self);
}

describe('raft gRPC transport', function () {
  this.timeout(20_000);
  const open: GrpcTransport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  it('answers a sender outside its membership, and drops messages to strangers that never called', async () => {
    const a: Member = { id: 'a', address: `127.0.0.1:${await freePort()}` };
    const b: Member = { id: 'b', address: `127.0.0.1:${await freePort()}` };
    const c: Member = { id: 'c', address: `127.0.0.1:${await freePort()}` };
    const atA: Message[] = [];
    const atC: Message[] = [];
    const ta = transport(a);
    const tb = transport(b);
    const tc = transport(c);
    open.push(ta, tb, tc);
    await ta.start((m) => atA.push(m));
    // b answers every heartbeat it gets, like a follower.
    await tb.start((m) => tb.send(message({ type: 'heartbeat-resp', from: 'b', to: m.from, term: m.term })));
    await tc.start((m) => atC.push(m));
    // a knows b; b knows only itself and c (its log lacks the entry that added a).
    ta.setMembers([a, b]);
    tb.setMembers([b, c]);
    tc.setMembers([c]);
    tb.send(message({ type: 'heartbeat', from: 'b', to: 'a', term: 1 }));
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 2 }));
    await waitFor('b to answer a', () => atA.some((m) => m.type === 'heartbeat-resp' && m.term === 2), 5000);
    // The heartbeat b sent a before a ever called it went nowhere.
    expect(atA.filter((m) => m.type === 'heartbeat')).to.deep.equal([]);
    // A member still gets its messages.
    tb.send(message({ type: 'append', from: 'b', to: 'c', term: 2 }));
    await waitFor('c to get its append', () => atC.length > 0, 5000);
  });

  it('delivers a burst of messages whole and in send order', async () => {
    const a: Member = { id: 'a', address: `127.0.0.1:${await freePort()}` };
    const b: Member = { id: 'b', address: `127.0.0.1:${await freePort()}` };
    const atB: number[] = [];
    const ta = transport(a);
    const tb = transport(b);
    open.push(ta, tb);
    await ta.start(() => undefined);
    await tb.start((m) => atB.push(m.index));
    ta.setMembers([a, b]);
    const entry = { term: 1, index: 1, type: 'normal' as const, data: Buffer.alloc(100, 1) };
    // More than one write carries (MAX_BATCH_MESSAGES), fewer than the queue holds, in several turns of the loop.
    for (let round = 0; round < 4; round++) {
      for (let i = 1; i <= 1000; i++)
        ta.send(message({ type: 'append', from: 'a', to: 'b', term: 1, index: round * 1000 + i, entries: [entry] }));
      await new Promise((r) => setImmediate(r));
    }
    await waitFor('b to get all 4000', () => atB.length >= 4000, 10_000);
    expect(atB).to.deep.equal(Array.from({ length: 4000 }, (_, i) => i + 1));
  });

  it('lets heartbeats sent after a large snapshot arrive before it', async () => {
    const a: Member = { id: 'a', address: `127.0.0.1:${await freePort()}` };
    const b: Member = { id: 'b', address: `127.0.0.1:${await freePort()}` };
    const atB: Message[] = [];
    const ta = transport(a);
    const tb = transport(b);
    open.push(ta, tb);
    await ta.start(() => undefined);
    await tb.start((m) => atB.push(m));
    ta.setMembers([a, b]);
    // The stream is up before the snapshot goes, so the heartbeat does not wait for a connection either.
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 1, context: 1 }));
    await waitFor('the first heartbeat', () => atB.length === 1, 5000);
    const snapshot = { index: 10, term: 1, members: [a, b], data: Buffer.alloc(64 * 1024 * 1024, 3) };
    ta.send(message({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot }));
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 1, context: 2 }));
    await waitFor('the snapshot', () => atB.some((m) => m.type === 'snapshot'), 60_000);
    expect(atB.map((m) => `${m.type}:${m.context}`)).to.deep.equal(['heartbeat:1', 'heartbeat:2', 'snapshot:0']);
    expect(atB[2].snapshot!.data.byteLength).to.equal(snapshot.data.byteLength);
  });

  it('reopens its stream to a peer that restarted on the same address', async () => {
    const a: Member = { id: 'a', address: `127.0.0.1:${await freePort()}` };
    const b: Member = { id: 'b', address: `127.0.0.1:${await freePort()}` };
    const ta = transport(a);
    open.push(ta);
    await ta.start(() => undefined);
    ta.setMembers([a, b]);
    let atB: Message[] = [];
    const first = transport(b);
    await first.start((m) => atB.push(m));
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 1 }));
    await waitFor('the first b to hear a', () => atB.length > 0, 5000);
    await first.close();
    atB = [];
    const second = transport(b);
    open.push(second);
    await second.start((m) => atB.push(m));
    // a learns the old stream failed, backs off and reopens; what it sends meanwhile may be lost, as Raft allows.
    const deadline = Date.now() + 10_000;
    while (atB.length === 0 && Date.now() < deadline) {
      ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 2 }));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(atB.length, 'messages at the restarted b').to.be.greaterThan(0);
    expect(atB[0].term).to.equal(2);
  });
});
