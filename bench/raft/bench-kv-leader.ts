// The etcd comparison's MooseNG side, as a process of its own like an etcd member: the benchmark's three-node Raft
// cluster (raft-cluster.ts; this process holds the leader and starts the two follower processes), serving etcd's
// KV.Put (etcd-kv.proto) on 127.0.0.1, each Put one proposal of key and value, answered once applied on the leader.
// Prints "ready <port>" when serving; stops everything when its stdin closes.
import { rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { kvService } from './kv-client';
import type { RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { freePort, startRaftCluster } from './raft-cluster';

async function main(): Promise<void> {
  const [root, sync] = process.argv.slice(2);
  const cluster = await startRaftCluster(root, sync as RaftSyncMode);
  const server = new grpc.Server();
  server.addService(kvService().service, {
    Put: (call: grpc.ServerUnaryCall<{ key: Buffer; value: Buffer }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      cluster.leader.propose(Buffer.concat([call.request.key, call.request.value])).then(
        (result) => callback(null, { header: { revision: Buffer.from(result).readDoubleLE(0) } }),
        (err: Error) => callback({ code: grpc.status.UNAVAILABLE, details: err.message }),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  process.stdout.write(`ready ${port}\n`);
  process.stdin.on('end', () => {
    server.forceShutdown();
    cluster.stop().then(
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
