// Durability: when a store's writes reach the disk, and the directory sync that makes a created or renamed file stay.
import { open } from 'node:fs/promises';

/** When a write reaches the disk: before it resolves, by flush()/close, or when the kernel decides. */
export type FsyncPolicy = 'always' | 'on-close' | 'never';
/** Every policy, for the storage plugins' config schemas. */
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'on-close', 'never'];

/**
 * fsyncs a directory. A file's own fdatasync does not make its name durable: after a create, rename or unlink the
 * directory holding it must be synced too, or a crash can bring back the old name (or none).
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
