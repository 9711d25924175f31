// Resolves the PATH argument of admin commands: a path on a MooseNG mount, or a file-system path with --master.
import { hostname } from 'node:os';
import { controlTransportOf, MasterClient } from '@mooseng/client';
import { silentLogger, SystemClock } from '@mooseng/core';
import { locateOnMount } from './mount-table';

export interface AdminTarget {
  client: MasterClient;
  fsPath: string;
}

/**
 * Finds the masters for `path` and opens a session with them (every call names one; close the client when done);
 * throws a message for the user when neither a mount nor --master tells.
 */
export async function adminTarget(path: string, master: string | undefined): Promise<AdminTarget> {
  let masters: string[];
  let fsPath: string;
  if (master) {
    masters = master.split(',').map((m) => m.trim());
    fsPath = path.startsWith('/') ? path : `/${path}`;
  } else {
    const found = locateOnMount(path);
    if (!found) throw new Error(`${path} is not on a MooseNG mount; give the path inside the file system with --master host:port`);
    masters = found.mount.masters;
    fsPath = found.fsPath;
  }
  const client = new MasterClient({
    masters,
    logger: silentLogger,
    clock: new SystemClock(),
    sessionInfo: 'mooseng admin',
    host: hostname(),
    retryBudgetMs: 10_000,
    password: process.env.MOOSENG_PASSWORD,
    // Admin commands read no config file: the environment chooses, as it does for a mount.
    transport: controlTransportOf(process.env.MOOSENG_CONTROL_TRANSPORT),
  });
  await client.connect();
  return { client, fsPath };
}

/** The credentials admin commands act with: the invoking user's. */
export function callerCredentials(): { uid: number; gids: number[] } {
  return { uid: process.getuid?.() ?? 0, gids: [process.getgid?.() ?? 0, ...(process.getgroups?.() ?? [])] };
}
