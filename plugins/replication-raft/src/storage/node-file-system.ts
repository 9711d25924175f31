// RaftFileSystem on node:fs: what every real master uses (the simulation supplies its own disk instead).
import { mkdir, open, readdir, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import type { RaftFile, RaftFileSystem } from './file-system';

class NodeFile implements RaftFile {
  constructor(private readonly fh: FileHandle) {}

  async append(data: Uint8Array): Promise<void> {
    // A short write is legal POSIX; keep writing until every byte is in.
    let off = 0;
    while (off < data.byteLength) {
      const { bytesWritten } = await this.fh.write(data, off, data.byteLength - off);
      off += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.fh.datasync();
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  close(): Promise<void> {
    return this.fh.close();
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
    return new NodeFile(await open(path, 'a'));
  }

  async create(path: string): Promise<RaftFile> {
    return new NodeFile(await open(path, 'w'));
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
