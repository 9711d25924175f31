// Who is calling: the uid, gid and supplementary groups of the process behind each FUSE request. The operations
// table reads them when a request arrives and passes them down explicitly, so every master call acts as that caller.
import { readFileSync } from 'node:fs';
import type { CallerCredentials } from './master-client';

/** How long a process's supplementary groups are remembered (they rarely change while it runs). */
export const GROUPS_CACHE_MS = 2_000;
/** Processes remembered at once. */
export const GROUPS_CACHE_ENTRIES = 1_024;

/** Reads callers' supplementary groups from /proc, with a short cache per pid. */
export class CallerGroups {
  private readonly cache = new Map<number, { gids: number[]; expires: number }>();

  /** `now`: monotonic milliseconds (the role's clock), for the cache's ages. */
  constructor(private readonly now: () => number) {}

  /** The credentials of a caller: its uid, its primary group first, then its supplementary groups. */
  credentials(uid: number, gid: number, pid: number): CallerCredentials {
    return { uid, gids: [gid, ...this.supplementary(pid).filter((g) => g !== gid)] };
  }

  private supplementary(pid: number): number[] {
    if (pid <= 0) return [];
    const hit = this.cache.get(pid);
    const now = this.now();
    if (hit && hit.expires > now) return hit.gids;
    let gids: number[] = [];
    try {
      const line = /^Groups:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      gids = line?.[1]?.trim() ? line[1].trim().split(/\s+/).map(Number) : [];
    } catch {
      // The process is gone already: its primary group is all we know.
    }
    if (this.cache.size >= GROUPS_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(pid, { gids, expires: now + GROUPS_CACHE_MS });
    return gids;
  }
}
