// Wire status codes of the data plane: 0 is success, every other value is exactly one core ErrorCode and back.
import { ErrorCodes, MoosengError, isErrorCode, type ErrorCode } from '../errors';

/** Status of a successful reply. */
export const STATUS_OK = 0;

/**
 * ErrorCode → wire status. Numbers are part of the wire format: never renumber, only append. Every ErrorCode has a
 * number (test/chunkserver/protocol-status.test.ts checks the table is total and one-to-one).
 */
export const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  CONFIG_INVALID: 1,
  CONFIG_NOT_FOUND: 2,
  PLUGIN_INVALID: 3,
  PLUGIN_DUPLICATE: 4,
  PLUGIN_API_MISMATCH: 5,
  PLUGIN_NOT_FOUND: 6,
  PLUGIN_REQUIREMENT_UNMET: 7,
  INVALID_ARGUMENT: 8,
  TIMEOUT: 9,
  ABORTED: 10,
  UNAVAILABLE: 11,
  INTERNAL: 12,
  IO_ERROR: 13,
  NO_SPACE: 14,
  PROTOCOL_ERROR: 15,
  FRAME_TOO_LARGE: 16,
  CHUNK_NOT_FOUND: 17,
  CHUNK_EXISTS: 18,
  CHUNK_CORRUPT: 19,
  CHUNK_STALE_VERSION: 20,
  CHUNK_OUT_OF_RANGE: 21,
  DISK_UNUSABLE: 22,
  REPLICA_FAILED: 23,
  NO_CHUNKSERVERS: 24,
  NOT_LEADER: 25,
  QUORUM_LOST: 26,
  PROPOSAL_DROPPED: 27,
  ENOENT: 28,
  EEXIST: 29,
  ENOTDIR: 30,
  EISDIR: 31,
  ENOTEMPTY: 32,
  EACCES: 33,
  EPERM: 34,
  EINVAL: 35,
  EXDEV: 36,
  ENAMETOOLONG: 37,
  ENODATA: 38,
  ELOOP: 39,
  EMLINK: 40,
  EFBIG: 41,
  EROFS: 42,
  EDQUOT: 43,
  SESSION_EXPIRED: 44,
  EOPNOTSUPP: 45,
  EAGAIN: 46,
  ENOLCK: 47,
  ENXIO: 48,
  CHUNK_CRC_MISMATCH: 49,
  PERMIT_REFUSED: 50,
};

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(STATUS_BY_CODE).map(([code, status]) => [status as number, code as ErrorCode]),
);

/**
 * The wire status for an error code. A code missing from the table is a bug in this file (the protocol test fails
 * on it); until it is added, such an error goes out as INTERNAL rather than taking the chunkserver down.
 */
export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? STATUS_BY_CODE.INTERNAL!;
}

/** The error code for a wire status; an unknown number (a newer peer) reads as PROTOCOL_ERROR. */
export function codeOfStatus(status: number): ErrorCode {
  return CODE_BY_STATUS.get(status) ?? ErrorCodes.PROTOCOL_ERROR;
}

/** The error a non-OK reply stands for. */
export function errorFromStatus(status: number, message: string, details: Record<string, unknown> = {}): MoosengError {
  const code = codeOfStatus(status);
  const text = CODE_BY_STATUS.has(status) ? message : `unknown wire status ${status}: ${message}`;
  return new MoosengError(code, text, { details });
}

/** True when `code` names an ErrorCode that has a wire status. */
export function hasWireStatus(code: string): boolean {
  return isErrorCode(code) && STATUS_BY_CODE[code] !== undefined;
}
