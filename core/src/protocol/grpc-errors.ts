// MooseNG errors across gRPC: the error code and its details ride in trailing metadata, so they map one-to-one.
import * as grpc from '@grpc/grpc-js';
import { ErrorCodes, isErrorCode, isMoosengError, MoosengError, type ErrorCode } from '../errors';

/** Trailing-metadata key carrying the MoosengError code. */
export const ERROR_CODE_METADATA_KEY = 'mooseng-code';
/** Trailing-metadata key carrying JSON details (a leader hint, a path). */
export const ERROR_DETAILS_METADATA_KEY = 'mooseng-details';

/** The nearest gRPC status for each error code, for generic gRPC tooling; MooseNG peers read the exact code. */
function grpcStatusOf(code: ErrorCode): grpc.status {
  switch (code) {
    case ErrorCodes.ENOENT:
    case ErrorCodes.CHUNK_NOT_FOUND:
    case ErrorCodes.ENODATA:
      return grpc.status.NOT_FOUND;
    case ErrorCodes.EEXIST:
    case ErrorCodes.CHUNK_EXISTS:
      return grpc.status.ALREADY_EXISTS;
    case ErrorCodes.EACCES:
    case ErrorCodes.EPERM:
    case ErrorCodes.EROFS:
      return grpc.status.PERMISSION_DENIED;
    case ErrorCodes.NOT_LEADER:
    case ErrorCodes.UNAVAILABLE:
    case ErrorCodes.QUORUM_LOST:
      return grpc.status.UNAVAILABLE;
    case ErrorCodes.TIMEOUT:
      return grpc.status.DEADLINE_EXCEEDED;
    case ErrorCodes.ABORTED:
    case ErrorCodes.PROPOSAL_DROPPED:
      return grpc.status.ABORTED;
    case ErrorCodes.NO_SPACE:
    case ErrorCodes.EDQUOT:
    case ErrorCodes.NO_CHUNKSERVERS:
      return grpc.status.RESOURCE_EXHAUSTED;
    case ErrorCodes.INTERNAL:
      return grpc.status.INTERNAL;
    default:
      return grpc.status.FAILED_PRECONDITION;
  }
}

/** Turns any error thrown by a handler into a gRPC error carrying its MooseNG code and details. */
export function toGrpcError(err: unknown): Partial<grpc.ServiceError> {
  const e = isMoosengError(err) ? err : new MoosengError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { cause: err });
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, e.code);
  if (Object.keys(e.details).length > 0) metadata.set(ERROR_DETAILS_METADATA_KEY, JSON.stringify(e.details));
  return { code: grpcStatusOf(e.code), details: e.message, metadata };
}

/** Turns an error from a gRPC call back into the MoosengError the server raised (UNAVAILABLE when none arrived). */
export function fromGrpcError(err: unknown, context: string): MoosengError {
  if (isMoosengError(err)) return err;
  const se = err as grpc.ServiceError;
  const code = se?.metadata?.get(ERROR_CODE_METADATA_KEY)?.[0]?.toString();
  if (code && isErrorCode(code)) {
    const raw = se.metadata.get(ERROR_DETAILS_METADATA_KEY)?.[0]?.toString();
    let details: Record<string, unknown>;
    try {
      details = raw ? JSON.parse(raw) : {};
    } catch {
      details = {};
    }
    return new MoosengError(code, se.details || se.message, { details, cause: err });
  }
  const transport: ErrorCode =
    se?.code === grpc.status.DEADLINE_EXCEEDED
      ? ErrorCodes.TIMEOUT
      : se?.code === grpc.status.CANCELLED
        ? ErrorCodes.ABORTED
        : se?.code === grpc.status.UNAVAILABLE
          ? ErrorCodes.UNAVAILABLE
          : ErrorCodes.INTERNAL;
  return new MoosengError(transport, `${context}: ${se?.details || se?.message || String(err)}`, { cause: err });
}
