// The gRPC peer transport: delivers to members, and answers a peer that is not a member yet but named itself in
// its calls (a new member elected leader before this node's log says it was added).
import { expect } from 'chai';
import { silentLogger, SystemClock, SystemRandom } from '@mooseng/core';
import { GrpcTransport, message, type Member, type Message } from '@mooseng/plugin-replication-raft';
import { freePort, waitFor } from '../support';

function transport(self: Member): GrpcTransport {
  return new GrpcTransport({
    selfId: self.id,
    clusterId: 'test',
    listenHost: '127.0.0.1',
    port: Number(self.address.split(':')[1]),
    clock: new SystemClock(),
    random: new SystemRandom(),
    logger: silentLogger,
  });
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
});
