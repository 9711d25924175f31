// OpenChunk: a chunk file a store holds open (handle, header in memory, what awaits a sync), and opening or creating one.
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, MoosengError, type ChunkRef } from '@mooseng/core';
import type { IBlockFile, IBlockFileIo } from './block-file-io';
import { CHUNK_HEADER_BYTES, ChunkHeader } from './chunk-file-format';
import { syncDirectory, type FsyncPolicy } from './fsync-policy';
import { HeaderWriter } from './header-writer';

/** One open chunk file. The store changes `header` in memory and has `headerWriter` put it in the file. */
export interface OpenChunk {
  readonly chunkId: number;
  /** Where the file is now: a version change renames it. */
  path: string;
  readonly file: IBlockFile;
  /** The header as the store last changed it; the file's copy catches up through `headerWriter`. */
  readonly header: ChunkHeader;
  readonly headerWriter: HeaderWriter;
  /** Written since the last sync. */
  dirty: boolean;
  /** Created or renamed since the directory was last synced. */
  dirDirty: boolean;
}

function openChunk(chunkId: number, path: string, file: IBlockFile, header: ChunkHeader, dirDirty: boolean): OpenChunk {
  return { chunkId, path, file, header, headerWriter: new HeaderWriter(file, header), dirty: false, dirDirty };
}

/**
 * Opens the existing file of chunk `ref` at `path` and reads its whole header. A header that does not parse, or
 * names another chunk or version (a misplaced or half-renamed file), is CHUNK_CORRUPT; the file is closed again then.
 * Errors from the file come back as the IBlockFileIo contract gives them.
 */
export async function openChunkFile(io: IBlockFileIo, path: string, ref: ChunkRef): Promise<OpenChunk> {
  const file = await io.open(path, 'open');
  try {
    const header = ChunkHeader.parse(await file.read(0, CHUNK_HEADER_BYTES), path);
    if (header.chunkId !== ref.chunkId || header.version !== ref.version) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `${path}: header names chunk ${header.chunkId} version ${header.version}`, {
        details: { path },
      });
    }
    return openChunk(ref.chunkId, path, file, header, false);
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Creates the file of a new, empty chunk `ref` at `path` (and its folder) with a fresh header. Under the "always"
 * policy the file and its directory are synced before this resolves; otherwise the directory is left to the next
 * flush. On failure nothing is left behind (the half-made file is removed) and the file system's error is rethrown.
 */
export async function createChunkFile(
  io: IBlockFileIo,
  path: string,
  ref: ChunkRef,
  fsync: FsyncPolicy,
  syncDir: (dir: string) => Promise<void> = syncDirectory,
): Promise<OpenChunk> {
  const header = ChunkHeader.fresh(ref, '');
  let file: IBlockFile | undefined;
  try {
    await mkdir(dirname(path), { recursive: true });
    file = await io.open(path, 'create');
    await file.writev(0, [header.bytes]);
    if (fsync === 'always') {
      await file.sync();
      await syncDir(dirname(path));
    }
  } catch (err) {
    await file?.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return openChunk(ref.chunkId, path, file, header, fsync !== 'always');
}
