// Every error MooseNG raises on purpose: one base class, one stable code per failure, listed here and in docs/errors.md.

/**
 * Stable error codes. Callers match on `code`, never on message text. Wire status codes of both protocols map
 * one-to-one onto these (see protocol/status.ts); adding a code means adding it there and in docs/errors.md.
 */
export const ErrorCodes = {
  // configuration and plugins
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  PLUGIN_DUPLICATE: 'PLUGIN_DUPLICATE',
  PLUGIN_API_MISMATCH: 'PLUGIN_API_MISMATCH',
  PLUGIN_NOT_FOUND: 'PLUGIN_NOT_FOUND',
  PLUGIN_REQUIREMENT_UNMET: 'PLUGIN_REQUIREMENT_UNMET',
  // generic
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  IO_ERROR: 'IO_ERROR',
  NO_SPACE: 'NO_SPACE',
  // protocol
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  // chunks
  CHUNK_NOT_FOUND: 'CHUNK_NOT_FOUND',
  CHUNK_EXISTS: 'CHUNK_EXISTS',
  CHUNK_CORRUPT: 'CHUNK_CORRUPT',
  /** Chunk bytes failed their CRC32 on the wire (corrupted in transit): the receiver refused them. */
  CHUNK_CRC_MISMATCH: 'CHUNK_CRC_MISMATCH',
  CHUNK_STALE_VERSION: 'CHUNK_STALE_VERSION',
  CHUNK_OUT_OF_RANGE: 'CHUNK_OUT_OF_RANGE',
  DISK_UNUSABLE: 'DISK_UNUSABLE',
  REPLICA_FAILED: 'REPLICA_FAILED',
  NO_CHUNKSERVERS: 'NO_CHUNKSERVERS',
  /** A data-plane change without a valid permit from the leader (core/src/protocol/chunk-permits.ts). */
  PERMIT_REFUSED: 'PERMIT_REFUSED',
  // consensus
  NOT_LEADER: 'NOT_LEADER',
  QUORUM_LOST: 'QUORUM_LOST',
  PROPOSAL_DROPPED: 'PROPOSAL_DROPPED',
  // namespace (POSIX-shaped; each maps to one errno)
  ENOENT: 'ENOENT',
  EEXIST: 'EEXIST',
  ENOTDIR: 'ENOTDIR',
  EISDIR: 'EISDIR',
  ENOTEMPTY: 'ENOTEMPTY',
  EACCES: 'EACCES',
  EPERM: 'EPERM',
  EINVAL: 'EINVAL',
  EXDEV: 'EXDEV',
  ENAMETOOLONG: 'ENAMETOOLONG',
  ENODATA: 'ENODATA',
  ELOOP: 'ELOOP',
  EMLINK: 'EMLINK',
  EFBIG: 'EFBIG',
  EROFS: 'EROFS',
  EDQUOT: 'EDQUOT',
  // master sessions
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  EOPNOTSUPP: 'EOPNOTSUPP',
  // file locks
  EAGAIN: 'EAGAIN',
  ENOLCK: 'ENOLCK',
  ENXIO: 'ENXIO',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const BRAND = Symbol.for('mooseng.error');

export interface MoosengErrorOptions {
  cause?: unknown;
  /** Structured facts for logs and wire replies (a leader hint, a path, a chunk id). */
  details?: Record<string, unknown>;
}

/** The base of every deliberate MooseNG error. `code` is stable; `message` says what to do where an operator can act. */
export class MoosengError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: MoosengErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MoosengError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for a MooseNG error, optionally of one code. Uses a global brand, not instanceof, so an error raised by a
 * plugin that loaded its own copy of @mooseng/core is still recognised.
 */
export function isMoosengError(err: unknown, code?: ErrorCode): err is MoosengError {
  if (typeof err !== 'object' || err === null || (err as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (err as MoosengError).code === code;
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/** True when `code` is one of ErrorCodes (used when decoding codes off the wire). */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** Wraps an unexpected Node error (EIO, ENOSPC...) as a MoosengError, keeping MoosengErrors as they are. */
export function toMoosengError(err: unknown, context: string): MoosengError {
  if (isMoosengError(err)) return err;
  const sys = err as NodeJS.ErrnoException;
  const code: ErrorCode =
    sys?.code === 'ENOSPC'
      ? ErrorCodes.NO_SPACE
      : sys?.code === 'ABORT_ERR'
        ? ErrorCodes.ABORTED
        : sys?.code !== undefined && /^E[A-Z]+$/.test(sys.code)
          ? ErrorCodes.IO_ERROR
          : ErrorCodes.INTERNAL;
  return new MoosengError(code, `${context}: ${sys?.message ?? String(err)}`, { cause: err });
}

/** Asserts an invariant. A broken invariant is a bug: it throws a plain Error that nothing should catch. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant broken: ${message}`);
}
