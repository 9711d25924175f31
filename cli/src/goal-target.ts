// Resolves the PATH argument of admin commands: a path on a MooseNG mount, or a file-system path with --master.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Flags } from '@oclif/core';
import { controlTransportOf, MasterClient } from '@mooseng/client';
import { silentLogger, SystemClock } from '@mooseng/core';
import { locateOnMount } from './mount-table';

export interface AdminTarget {
  client: MasterClient;
  fsPath: string;
}

/** The flag naming the cluster CA, for masters with node.tls (admin commands read no config file). */
export const caFileFlag = Flags.string({
  description: 'The cluster CA certificate (ca.crt), to call masters that take TLS only (env MOOSENG_CA_FILE)',
  env: 'MOOSENG_CA_FILE',
});

/** The CA admin commands check the masters' certificates against; null: they call the masters without TLS. */
function adminTls(caFile: string | undefined): { ca: Buffer } | null {
  if (!caFile) return null;
  try {
    return { ca: readFileSync(caFile) };
  } catch (err) {
    throw new Error(`--ca-file ${caFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Finds the masters for `path` and opens a session with them (every call names one; close the client when done);
 * throws a message for the user when neither a mount nor --master tells. With `caFile` the masters are called over
 * TLS, this command showing no certificate (as a client with only the CA).
 */
export async function adminTarget(path: string, master: string | undefined, caFile?: string): Promise<AdminTarget> {
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
    tls: adminTls(caFile),
  });
  await client.connect();
  return { client, fsPath };
}

/** The credentials admin commands act with: the invoking user's. */
export function callerCredentials(): { uid: number; gids: number[] } {
  return { uid: process.getuid?.() ?? 0, gids: [process.getgid?.() ?? 0, ...(process.getgroups?.() ?? [])] };
}
