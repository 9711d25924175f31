// The etcd comparison's MooseNG side, as a process of its own like an etcd member: the benchmark's three-node Raft
// cluster (raft-cluster.ts; this process holds the leader and starts the two follower processes), serving etcd's
// KV.Put (etcd-kv.proto) on 127.0.0.1, each Put one proposal of key and value, answered once applied on the leader.
// It serves on a MooseNG control port (core's ControlPort, as a master does): one port, framed calls (the clients'
// default transport) and gRPC told apart by their first bytes, one handler for both.
// Prints "ready <port>" when serving; stops everything when its stdin closes.
import { rmSync } from 'node:fs';
import { ControlPort, FramedControlServer, grpcUnaryImplementation, silentLogger, type UnaryDispatch } from '@mooseng/core';
import type { RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { kvDefinition, kvService, type KvTable } from './kv-client';
import { freePort, startRaftCluster } from './raft-cluster';

async function main(): Promise<void> {
  const [root, sync] = process.argv.slice(2);
  const cluster = await startRaftCluster(root, sync as RaftSyncMode);
  const dispatch: UnaryDispatch<KvTable> = {
    Put: (request, respond) => {
      cluster.leader.propose(Buffer.concat([request.key, request.value])).then(
        (result) => respond(null, { header: { revision: Buffer.from(result).readDoubleLE(0) } }),
        (err: unknown) => respond(err),
      );
    },
  };
  const framed = new FramedControlServer<KvTable>({
    definition: kvDefinition(),
    dispatch,
    serviceName: 'etcdserverpb.KV',
    logger: silentLogger,
  });
  const port = await ControlPort.start({
    host: '127.0.0.1',
    port: await freePort(),
    grpcServices: [{ definition: kvService().service, implementation: grpcUnaryImplementation(dispatch) }],
    framed,
    logger: silentLogger,
  });
  process.stdout.write(`ready ${port.port}\n`);
  process.stdin.on('end', () => {
    Promise.all([port.stop(1_000), cluster.stop()]).then(
      () => {
        rmSync(root, { recursive: true, force: true });
        process.exit(0);
      },
      () => process.exit(1),
    );
  });
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`bench kv leader failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
