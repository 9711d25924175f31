// The cluster secret: a file every master and chunkserver of a cluster shares (never clients), from which they
// derive the key of chunk permits (protocol/chunk-permits.ts). `mooseng cluster up` makes one.
import { readFile, stat } from 'node:fs/promises';
import { ErrorCodes, MoosengError } from '../errors';
import type { ILogger } from '../contracts/logger';
import { ChunkPermitKey, MIN_CLUSTER_SECRET_BYTES } from '../protocol/chunk-permits';
import { MemberProofKey } from '../protocol/member-proofs';

/** What loading the secret found: its bytes and, when other users may read the file, a warning to log. */
export interface LoadedClusterSecret {
  secret: Buffer;
  warning: string | null;
}

/**
 * Reads the secret from `path` (set by `setting`, named in errors). Surrounding whitespace is not part of it, so an
 * editor's final newline does not change the key.
 */
export async function loadClusterSecret(path: string, setting: string): Promise<LoadedClusterSecret> {
  let text: Buffer;
  let mode: number;
  try {
    [text, { mode }] = await Promise.all([readFile(path), stat(path)]);
  } catch (err) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}: cannot read the cluster secret ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); make one with: head -c 32 /dev/urandom | base64 > ${path}; chmod 600 ${path}`,
    );
  }
  const secret = Buffer.from(text.toString('utf8').trim(), 'utf8');
  if (secret.length < MIN_CLUSTER_SECRET_BYTES)
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}: the cluster secret in ${path} has ${secret.length} bytes; it needs at least ${MIN_CLUSTER_SECRET_BYTES} (make one with: head -c 32 /dev/urandom | base64)`,
    );
  const warning =
    (mode & 0o077) !== 0
      ? `the cluster secret ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it: whoever reads it can change any chunk`
      : null;
  return { secret, warning };
}

/** The keys a master or chunkserver derives from the cluster secret. */
export interface ClusterKeys {
  permits: ChunkPermitKey;
  memberProofs: MemberProofKey;
  /** The secret itself, for keys only one role derives (each under its own label, as the two above are). */
  secret: Buffer;
}

/**
 * The keys of node.clusterSecretFile, or null without one. Either way the node says so in its log: a readable secret
 * file, or what running without a secret leaves open (`withoutSecret`, for this role).
 */
export async function loadClusterKeys(file: string, logger: ILogger, withoutSecret: string): Promise<ClusterKeys | null> {
  if (!file) {
    logger.warn(`no cluster secret (node.clusterSecretFile): ${withoutSecret}`);
    return null;
  }
  const { secret, warning } = await loadClusterSecret(file, 'node.clusterSecretFile');
  if (warning) logger.warn(warning);
  return { permits: new ChunkPermitKey(secret), memberProofs: new MemberProofKey(secret), secret };
}
