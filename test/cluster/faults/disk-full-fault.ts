// The disk-full fault: a chunkserver's data directory (a small tmpfs the test cluster mounted) filled to the last
// byte by a filler file, then freed. The chunkserver must call the directory full and take no new chunk there while
// it is, and call it usable again once the space is back.
import { statfsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestCluster } from '../harness';
import type { AppliedFault } from './partition-fault';

/** The file that fills the directory; outside the chunks folder, so the chunkserver never takes it for a chunk. */
export const FILLER_NAME = 'fault-filler';
/** How long the chunkserver may take to call a filled directory full, and a freed one usable again. */
export const DIRECTORY_STATE_DEADLINE_MS = 10_000;
/** statfs f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;
/** Sizes the filler is written in, largest first, so the last bytes of the file system are taken too. */
const FILL_STEPS_BYTES = [8 * 1024 * 1024, 64 * 1024, 4 * 1024];

interface DirectoryHealth {
  dir: string;
  state: string;
  chunks: number;
}

async function directoryHealth(cluster: TestCluster, id: string, dir: string): Promise<DirectoryHealth | null> {
  const h = await cluster.http(id, '/health').catch(() => null);
  return ((h?.json as { dirs?: DirectoryHealth[] } | null)?.dirs ?? []).find((d) => d.dir === dir) ?? null;
}

async function waitForState(cluster: TestCluster, id: string, dir: string, state: string): Promise<DirectoryHealth | null> {
  const deadline = Date.now() + DIRECTORY_STATE_DEADLINE_MS;
  let last: DirectoryHealth | null = null;
  while (Date.now() < deadline) {
    last = await directoryHealth(cluster, id, dir);
    if (last?.state === state) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

/** Writes the filler until the file system refuses every size; returns its length. */
async function fill(path: string): Promise<number> {
  const fh = await open(path, 'w');
  let length = 0;
  try {
    for (const step of FILL_STEPS_BYTES) {
      const block = Buffer.alloc(step, 0xa5);
      for (;;) {
        try {
          const { bytesWritten } = await fh.write(block, 0, step, length);
          length += bytesWritten;
          if (bytesWritten < step) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return length;
}

/**
 * Fills the chunkserver's first data directory. Problems recorded: the directory not called full in time; chunks
 * added to it while full; not usable again in time after the filler is removed.
 */
export async function fillDisk(cluster: TestCluster, id: string, problems: string[]): Promise<AppliedFault> {
  const dir = cluster.node(id).disks[0];
  if (!dir || statfsSync(dir).type !== TMPFS_MAGIC)
    throw new Error(`disk-full needs the chunkservers' data directories on tmpfs (TestCluster.start({ tmpfsDisks })); ${id}'s is not`);
  const filler = join(dir, FILLER_NAME);
  const bytes = await fill(filler);
  const full = await waitForState(cluster, id, dir, 'full');
  if (full?.state !== 'full')
    problems.push(
      `${id}: ${dir} filled (${bytes} bytes of filler) but not called full within ${DIRECTORY_STATE_DEADLINE_MS} ms (${full?.state ?? 'no answer'})`,
    );
  return {
    victim: `${id} (${bytes} bytes of filler)`,
    undo: async () => {
      const during = await directoryHealth(cluster, id, dir);
      if (full && during && during.chunks > full.chunks)
        problems.push(`${id}: ${dir} took ${during.chunks - full.chunks} new chunks while full`);
      await rm(filler, { force: true });
      const again = await waitForState(cluster, id, dir, 'ok');
      if (again?.state !== 'ok')
        problems.push(
          `${id}: ${dir} not usable again within ${DIRECTORY_STATE_DEADLINE_MS} ms of the space coming back (${again?.state ?? 'no answer'})`,
        );
    },
  };
}
