// A gRPC peer transport for transport tests: the member's own address on 127.0.0.1, real clock and randomness, a
// silent logger; a test adds what it is about (a cluster secret's member proofs, TLS files).
import { silentLogger, SystemClock, SystemRandom } from '@mooseng/core';
import { GrpcTransport, type GrpcTransportOptions, type Member } from '@mooseng/plugin-replication-raft';

export function testTransport(self: Member, extra: Partial<GrpcTransportOptions> = {}): GrpcTransport {
  return new GrpcTransport({
    selfId: self.id,
    clusterId: 'test',
    listenHost: '127.0.0.1',
    port: Number(self.address.split(':')[1]),
    clock: new SystemClock(),
    random: new SystemRandom(),
    logger: silentLogger,
    ...extra,
  });
}
