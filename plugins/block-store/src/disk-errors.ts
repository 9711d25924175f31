// Disk errors: which file system errors mean a data directory failed, and the MoosengError each one becomes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, MoosengError, isMoosengError, toMoosengError } from '@mooseng/core';
import { CHUNKS_FOLDER } from './chunk-file-path';

/** What a file system error means for the store. */
export interface DiskErrorVerdict {
  /** The error to report for the operation. */
  error: MoosengError;
  /** Why the whole directory can no longer be used, when the error says so; null when only this operation failed. */
  unusable: string | null;
  /** Why the directory is full, when the error says so: it takes no new chunk until space comes back. */
  full: string | null;
}

/**
 * Maps an error from file I/O (as IBlockFileIo or node:fs gave it) during `what` on data directory `dir`.
 * A full file system (ENOSPC, EDQUOT) is NO_SPACE and makes the directory full: what it holds is still good, so it
 * keeps serving it (re-replicating a full disk's chunks would only fill the next one). A failing disk (EIO) is
 * IO_ERROR; a read-only one (EROFS) or a directory that vanished (ENOENT/ENOTDIR with the chunks folder gone: an
 * unmounted disk) is DISK_UNUSABLE. Those take the directory out of service, because every later operation there
 * would fail the same way and the masters should re-replicate its chunks from elsewhere. Anything else fails the
 * operation alone; a MoosengError is kept as it is.
 */
export function classifyDiskError(err: unknown, dir: string, what: string): DiskErrorVerdict {
  if (isMoosengError(err)) return { error: err, unusable: null, full: null };
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = (err as Error)?.message ?? String(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return {
      error: new MoosengError(ErrorCodes.NO_SPACE, `${what}: data directory ${dir} is full; free space or add a directory`, {
        cause: err,
        details: { dir },
      }),
      unusable: null,
      full: `file system full (${code})`,
    };
  }
  // A missing file is an ordinary ENOENT; only the chunks folder itself missing says the directory went away.
  if (code === 'EIO' || code === 'EROFS' || ((code === 'ENOENT' || code === 'ENOTDIR') && !existsSync(join(dir, CHUNKS_FOLDER)))) {
    return {
      error: new MoosengError(
        code === 'EIO' ? ErrorCodes.IO_ERROR : ErrorCodes.DISK_UNUSABLE,
        `${what}: data directory ${dir} failed: ${message}`,
        { cause: err, details: { dir } },
      ),
      unusable: code === 'EIO' ? `I/O error: ${message}` : code === 'EROFS' ? 'file system is read-only' : 'directory vanished',
      full: null,
    };
  }
  return { error: toMoosengError(err, `${what} in ${dir}`), unusable: null, full: null };
}
