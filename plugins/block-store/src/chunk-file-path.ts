// Where chunk files live under a data directory, and how their names are read back.
import { join } from 'node:path';
import type { ChunkRef } from '@mooseng/core';

/** Name of the folder under a data directory that holds chunk files. */
export const CHUNKS_FOLDER = 'chunks';

/**
 * Where a chunk version's file lives under a data directory: chunks/XX/<chunkId>_<version>, XX = id mod 256 in hex.
 * The 256 subfolders keep any one directory small enough for the file system to look names up quickly.
 */
export function chunkFilePath(dir: string, chunkId: number, version: number): string {
  return join(dir, CHUNKS_FOLDER, (chunkId % 256).toString(16).padStart(2, '0'), `${chunkId}_${version}`);
}

const SUBFOLDER_NAME = /^[0-9a-f]{2}$/;
const FILE_NAME = /^(\d+)_(\d+)$/;

/** True for the name of one of the chunks folder's XX subfolders (anything else there is not ours). */
export function isChunkSubfolderName(name: string): boolean {
  return SUBFOLDER_NAME.test(name);
}

/** The chunk and version a chunk file's name stands for, or null when the name is not a chunk file's. */
export function parseChunkFileName(name: string): ChunkRef | null {
  const m = FILE_NAME.exec(name);
  return m ? { chunkId: Number(m[1]), version: Number(m[2]) } : null;
}
