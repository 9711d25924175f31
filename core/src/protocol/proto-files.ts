// Loads the control-plane .proto files shipped in core/src/protocol/ as gRPC service definitions.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Where the .proto files live, from both src/ (tests of sources) and dist/ (compiled code). */
export const PROTO_DIR = join(__dirname, '..', '..', 'src', 'protocol');

/**
 * How messages map to JS: 64-bit integers become numbers (ids, sizes and times stay below 2^53), enums strings,
 * missing fields their defaults, field names camelCase.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

const cache = new Map<string, grpc.GrpcObject>();

/** The gRPC package object of one .proto file in core/src/protocol/ (cached). */
export function loadProto(fileName: string): grpc.GrpcObject {
  let pkg = cache.get(fileName);
  if (!pkg) {
    pkg = grpc.loadPackageDefinition(protoLoader.loadSync(join(PROTO_DIR, fileName), PROTO_LOADER_OPTIONS));
    cache.set(fileName, pkg);
  }
  return pkg;
}

/** A service constructor (client class with `.service` definition) from a loaded package, by dotted name. */
export function serviceOf(fileName: string, dottedName: string): grpc.ServiceClientConstructor {
  let node: unknown = loadProto(fileName);
  for (const part of dottedName.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`invariant broken: ${dottedName} is not a service in ${fileName}`);
  return node as grpc.ServiceClientConstructor;
}
