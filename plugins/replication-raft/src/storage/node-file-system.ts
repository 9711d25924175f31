// RaftFileSystem on node:fs: what every real master uses (the simulation supplies its own disk instead).
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import type { RaftFile, RaftFileSystem } from './file-system';

/** Appends through `fh` until every byte is in (a short write is legal POSIX). */
async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) {
    const { bytesWritten } = await fh.write(data, off, data.byteLength - off);
    off += bytesWritten;
  }
}

class NodeFile implements RaftFile {
  /** A second descriptor of the file opened O_DSYNC, for appendSynced (opened at its first use). */
  private synced: FileHandle | null = null;
  /** Appended through `fh` since its last sync: an O_DSYNC write makes only its own bytes durable. */
  private unsynced = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
  ) {}

  async append(data: Uint8Array): Promise<void> {
    this.unsynced = true;
    await writeAll(this.fh, data);
  }

  async sync(): Promise<void> {
    this.unsynced = false;
    await this.fh.datasync();
  }

  async appendSynced(data: Uint8Array): Promise<void> {
    if (this.unsynced) await this.sync();
    this.synced ??= await open(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_DSYNC);
    await writeAll(this.synced, data);
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  async close(): Promise<void> {
    await this.synced?.close();
    await this.fh.close();
  }
}

/** The real disk, through node:fs/promises. */
export class NodeFileSystem implements RaftFileSystem {
  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  list(dir: string): Promise<string[]> {
    return readdir(dir);
  }

  async read(path: string): Promise<Buffer | null> {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async openAppend(path: string): Promise<RaftFile> {
    return new NodeFile(await open(path, 'a'), path);
  }

  async create(path: string): Promise<RaftFile> {
    return new NodeFile(await open(path, 'w'), path);
  }

  truncate(path: string, length: number): Promise<void> {
    return truncate(path, length);
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  remove(path: string): Promise<void> {
    return rm(path, { force: true });
  }

  async syncDir(dir: string): Promise<void> {
    // fsync on a directory's descriptor is how POSIX makes its entry changes durable.
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
