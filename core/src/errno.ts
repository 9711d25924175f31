// The errno a mount answers for each MooseNG error code (positive, as the kernel numbers them on this platform).
import { constants } from 'node:os';
import { type ErrorCode, ErrorCodes, isMoosengError } from './errors';

const E = constants.errno;

const ERRNO_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.ENOENT]: E.ENOENT,
  [ErrorCodes.EEXIST]: E.EEXIST,
  [ErrorCodes.ENOTDIR]: E.ENOTDIR,
  [ErrorCodes.EISDIR]: E.EISDIR,
  [ErrorCodes.ENOTEMPTY]: E.ENOTEMPTY,
  [ErrorCodes.EACCES]: E.EACCES,
  [ErrorCodes.EPERM]: E.EPERM,
  [ErrorCodes.EINVAL]: E.EINVAL,
  [ErrorCodes.INVALID_ARGUMENT]: E.EINVAL,
  [ErrorCodes.EXDEV]: E.EXDEV,
  [ErrorCodes.ENAMETOOLONG]: E.ENAMETOOLONG,
  [ErrorCodes.ENODATA]: E.ENODATA,
  [ErrorCodes.ELOOP]: E.ELOOP,
  [ErrorCodes.EMLINK]: E.EMLINK,
  [ErrorCodes.EFBIG]: E.EFBIG,
  [ErrorCodes.EROFS]: E.EROFS,
  [ErrorCodes.EDQUOT]: E.EDQUOT,
  [ErrorCodes.EOPNOTSUPP]: E.EOPNOTSUPP,
  [ErrorCodes.ENXIO]: E.ENXIO,
  [ErrorCodes.EAGAIN]: E.EAGAIN,
  [ErrorCodes.ENOLCK]: E.ENOLCK,
  [ErrorCodes.NO_SPACE]: E.ENOSPC,
  [ErrorCodes.NO_CHUNKSERVERS]: E.ENOSPC,
  [ErrorCodes.TIMEOUT]: E.ETIMEDOUT,
  [ErrorCodes.ABORTED]: E.EINTR,
  [ErrorCodes.UNAVAILABLE]: E.EIO,
  [ErrorCodes.QUORUM_LOST]: E.EIO,
};

/** The errno for an error thrown while serving a file-system request; EIO for anything unexpected. */
export function errnoOfError(err: unknown): number {
  if (isMoosengError(err)) return ERRNO_BY_CODE[err.code] ?? E.EIO;
  return E.EIO;
}

/** Codes that are answers, not faults (a mount logs the others). */
export const EXPECTED_FS_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.ENOENT,
  ErrorCodes.EEXIST,
  ErrorCodes.ENODATA,
  ErrorCodes.ENOTEMPTY,
  ErrorCodes.EACCES,
  ErrorCodes.EPERM,
  ErrorCodes.ENXIO,
  // A lock held elsewhere (F_SETLK, flock -n) and an interrupted wait for one are answers too.
  ErrorCodes.EAGAIN,
  ErrorCodes.ABORTED,
]);
