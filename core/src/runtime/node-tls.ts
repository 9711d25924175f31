// A node's TLS files (node.tls: the cluster CA, its certificate and key, from `mooseng certs`), read once at start.
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MoosengError } from '../errors';

/** What TLS needs in memory: PEM bytes of the CA certificate, this node's certificate and its key. */
export interface NodeTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads the three files, or returns null when none is set; some but not all set, or a file that cannot be read, is
 * CONFIG_INVALID naming the setting (`setting` is where they came from, e.g. "node.tls").
 */
export async function loadNodeTls(
  files: { caFile: string; certFile: string; keyFile: string } | undefined,
  setting: string,
): Promise<NodeTls | null> {
  if (!files) return null;
  const named = { caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile };
  const set = Object.entries(named).filter(([, v]) => v !== '');
  if (set.length === 0) return null;
  if (set.length < 3) {
    const missing = Object.entries(named)
      .filter(([, v]) => v === '')
      .map(([k]) => `${setting}.${k}`);
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting} needs all of caFile, certFile and keyFile; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (make them with mooseng certs init / certs issue)`,
    );
  }
  return {
    ca: await readTlsFile(named.caFile, `${setting}.caFile`),
    cert: await readTlsFile(named.certFile, `${setting}.certFile`),
    key: await readTlsFile(named.keyFile, `${setting}.keyFile`),
  };
}

/** One TLS file; CONFIG_INVALID naming the setting when it cannot be read. */
async function readTlsFile(path: string, setting: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/**
 * What a client dials TLS with (node.tls on a client): the CA alone is enough, since clients are authorised by
 * permits, not certificates; a certificate, when given, needs its key. Null when no file is set; CONFIG_INVALID for a
 * certificate without a key (or the reverse), a certificate without the CA, or a file that cannot be read.
 */
export async function loadDialTls(
  files: { caFile: string; certFile: string; keyFile: string } | undefined,
  setting: string,
): Promise<{ ca: Buffer; cert?: Buffer; key?: Buffer } | null> {
  if (!files || (files.caFile === '' && files.certFile === '' && files.keyFile === '')) return null;
  if (files.caFile === '')
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}.caFile is missing: a certificate is of no use without the cluster CA to check the chunkservers' (make it with mooseng certs init)`,
    );
  if (files.certFile !== '' || files.keyFile !== '') return loadNodeTls(files, setting);
  return { ca: await readTlsFile(files.caFile, `${setting}.caFile`) };
}
