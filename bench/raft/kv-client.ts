// The comparison's client: etcd's KV.Put (etcd-kv.proto) over one connection, against etcd (gRPC) or
// bench-kv-leader.ts, which serves the same service on a MooseNG control port, so both of MooseNG's client
// transports (framed, the clients' default, and gRPC) can be measured beside etcd's gRPC.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type ControlTransportName, FramedControlClient, PROTO_LOADER_OPTIONS, type TypedServiceDefinition } from '@mooseng/core';

/** bench/raft/etcd-kv.proto, from dist-bench/raft where this runs. */
const PROTO_PATH = join(__dirname, '..', '..', 'bench', 'raft', 'etcd-kv.proto');
/** A Put that has no answer in this long failed (the run stops with the error). */
const PUT_TIMEOUT_MS = 30_000;

/** KV.Put's messages, as far as the benchmark reads them. */
export type KvTable = {
  Put: { request: { key: Buffer; value: Buffer }; reply: { header?: { revision?: number } } };
};

/** etcd's KV service (the Put call only). */
export function kvService(): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS)) as any;
  return pkg.etcdserverpb.KV as grpc.ServiceClientConstructor;
}

/** The KV service's method definitions, typed for the framed transport. */
export function kvDefinition(): TypedServiceDefinition<KvTable> {
  return kvService().service as unknown as TypedServiceDefinition<KvTable>;
}

export interface KvClient {
  put(key: Buffer, value: Buffer): Promise<void>;
  close(): void;
}

/** A client of KV.Put at `address` (host:port) over `transport`; a failed Put rejects with the server's error. */
export function kvClient(address: string, transport: ControlTransportName = 'grpc'): KvClient {
  if (transport === 'framed') {
    const client = new FramedControlClient<KvTable>(address, { definition: kvDefinition() });
    return {
      put: async (key, value) => {
        await client.call('Put', { key, value }, { timeoutMs: PUT_TIMEOUT_MS });
      },
      close: () => client.close(),
    };
  }
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
