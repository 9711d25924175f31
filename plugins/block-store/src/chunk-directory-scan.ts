// The start-up scan: indexes the chunk files found under a data directory from their names and header fields.
import { access, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ILogger } from '@mooseng/core';
import type { IBlockFileIo } from './block-file-io';
import { CHUNK_FIELDS_BYTES, ChunkHeader } from './chunk-file-format';
import { CHUNKS_FOLDER, chunkFilePath, isChunkSubfolderName, parseChunkFileName } from './chunk-file-path';

/** What the store knows of a chunk without opening it: the version it holds and its length. */
export interface IndexedChunk {
  version: number;
  length: number;
}

/**
 * Indexes the chunk files under `dir`'s chunks folder, by chunk id. Only the field page of each header is read and
 * checked (4 KiB, its CRC), not the block table: the index needs no more than version and length, and blocks are
 * checked when read. A file that cannot be opened or whose fields are damaged is logged and left alone (not deleted:
 * an operator may want it), so it is not registered as a replica. When two versions of one chunk are found, the
 * higher one is indexed and the other left in place.
 *
 * A file whose header names another version than its name is a version change a crash interrupted between the
 * header write and the rename (the store writes, and syncs, the header first): the header is what the data matches,
 * so the rename is completed here (and the directory synced) instead of leaving a replica every read finds corrupt.
 */
export async function scanChunkDirectory(
  dir: string,
  io: IBlockFileIo,
  logger?: ILogger,
  syncDir?: (dir: string) => Promise<void>,
): Promise<Map<number, IndexedChunk>> {
  const index = new Map<number, IndexedChunk>();
  const root = join(dir, CHUNKS_FOLDER);
  for (const sub of await readdir(root)) {
    if (!isChunkSubfolderName(sub)) continue;
    for (const name of await readdir(join(root, sub))) {
      const ref = parseChunkFileName(name);
      if (!ref) continue;
      const { chunkId, version } = ref;
      const path = join(root, sub, name);
      let header: ChunkHeader;
      try {
        const file = await io.open(path, 'open');
        try {
          header = ChunkHeader.parse(await file.read(0, CHUNK_FIELDS_BYTES), path);
        } finally {
          await file.close();
        }
      } catch (err) {
        logger?.warn(`skipping unreadable chunk file ${path}`, { err });
        continue;
      }
      let held = version;
      if (header.chunkId === chunkId && header.version !== version) {
        const completed = chunkFilePath(dir, chunkId, header.version);
        if (
          await access(completed).then(
            () => true,
            () => false,
          )
        ) {
          logger?.warn(`skipping ${path}: its header names version ${header.version}, whose file exists too`, { chunkId });
          continue;
        }
        try {
          await rename(path, completed);
          await syncDir?.(join(root, sub));
        } catch (err) {
          logger?.warn(`cannot complete the interrupted version change of ${path}`, { err });
          continue;
        }
        logger?.warn(`completed an interrupted version change: chunk ${chunkId} ${version} → ${header.version}`, {
          chunkId,
          from: version,
          to: header.version,
        });
        held = header.version;
      }
      const known = index.get(chunkId);
      if (known && known.version >= held) continue;
      index.set(chunkId, { version: held, length: header.length });
    }
  }
  return index;
}
