// The comparison's client: etcd's KV.Put (etcd-kv.proto) over one gRPC channel, against etcd or bench-kv-leader.ts.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS } from '@mooseng/core';

/** bench/raft/etcd-kv.proto, from dist-bench/raft where this runs. */
const PROTO_PATH = join(__dirname, '..', '..', 'bench', 'raft', 'etcd-kv.proto');

/** etcd's KV service (the Put call only). */
export function kvService(): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS)) as any;
  return pkg.etcdserverpb.KV as grpc.ServiceClientConstructor;
}

export interface KvClient {
  put(key: Buffer, value: Buffer): Promise<void>;
  close(): void;
}

/** A client of KV.Put at `address` (host:port); a failed Put rejects with the server's status. */
export function kvClient(address: string): KvClient {
  const Client = kvService();
  const client = new Client(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>;
  return {
    put: (key, value) =>
      new Promise<void>((resolve, reject) => {
        client.Put({ key, value }, (err: grpc.ServiceError | null) => (err ? reject(err) : resolve()));
      }),
    close: () => client.close(),
  };
}
