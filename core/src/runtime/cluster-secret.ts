// The cluster secret: a file every master and chunkserver of a cluster shares (never clients), from which they
// derive the key of chunk permits (protocol/chunk-permits.ts). `mooseng cluster up` makes one.
import { readFile, stat } from 'node:fs/promises';
import { ErrorCodes, MoosengError } from '../errors';
import type { ILogger } from '../contracts/logger';
import { ChunkPermitKey, MIN_CLUSTER_SECRET_BYTES } from '../protocol/chunk-permits';
import { MemberProofKey } from '../protocol/member-proofs';

/**
 * What loading the secret found: the secret nodes sign with, the retiring ones they still accept (while a new secret
 * rolls out, docs/security.md) and, when other users may read the file, a warning to log.
 */
export interface LoadedClusterSecret {
  secret: Buffer;
  retired: Buffer[];
  warning: string | null;
}

/**
 * Reads the secrets from `path` (set by `setting`, named in errors): one per line, the first signs, every one is
 * accepted. Surrounding whitespace and empty lines are not part of them, so an editor's final newline changes nothing.
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
  const lines = text
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) lines.push('');
  const secrets = lines.map((line) => Buffer.from(line, 'utf8'));
  secrets.forEach((secret, i) => {
    if (secret.length < MIN_CLUSTER_SECRET_BYTES)
      throw new MoosengError(
        ErrorCodes.CONFIG_INVALID,
        `${setting}: the cluster secret on line ${i + 1} of ${path} has ${secret.length} bytes; it needs at least ${MIN_CLUSTER_SECRET_BYTES} (make one with: head -c 32 /dev/urandom | base64)`,
      );
  });
  const warning =
    (mode & 0o077) !== 0
      ? `the cluster secret ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it: whoever reads it can change any chunk`
      : null;
  return { secret: secrets[0]!, retired: secrets.slice(1), warning };
}

/** The keys a master or chunkserver derives from the cluster secret. */
export interface ClusterKeys {
  permits: ChunkPermitKey;
  memberProofs: MemberProofKey;
  /** The secret itself, for keys only one role derives (each under its own label, as the two above are). */
  secret: Buffer;
  /** Retiring secrets, still accepted while a new one rolls out. */
  retired: Buffer[];
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
  const { secret, retired, warning } = await loadClusterSecret(file, 'node.clusterSecretFile');
  if (warning) logger.warn(warning);
  if (retired.length > 0)
    logger.info(`cluster secret: signing with the first of ${retired.length + 1}, accepting all (a rotation under way)`);
  return { permits: new ChunkPermitKey(secret, retired), memberProofs: new MemberProofKey(secret, retired), secret, retired };
}
