// A node's TLS files (node.tls: the cluster CA, its certificate and key, from `mooseng certs`), read once at start.
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MoosengError } from '../errors';

/**
 * The first byte of a TLS connection (a handshake record): how a port that takes both TLS and plain connections (the
 * control port, a chunkserver's data port) tells them apart.
 */
export const TLS_HANDSHAKE_RECORD_TYPE = 0x16;

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
  const [ca, cert, key] = await readTlsFiles(
    [
      ['caFile', named.caFile],
      ['certFile', named.certFile],
      ['keyFile', named.keyFile],
    ],
    setting,
  );
  return { ca: ca!, cert: cert!, key: key! };
}

/**
 * What a node needs to dial a TLS listener of the cluster: the CA to check the listener's certificate against and,
 * when it has one, its own certificate and key to show (a client may have only the CA: it then shows none).
 */
export interface DialTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads the CA and, when both are set, the certificate and key (a client's node.tls may name the CA alone); null
 * when none is set. A certificate without its key (or the reverse), or files without the CA, is CONFIG_INVALID.
 */
export async function loadDialTls(
  files: { caFile: string; certFile: string; keyFile: string } | undefined,
  setting: string,
): Promise<DialTls | null> {
  if (!files || (files.caFile === '' && files.certFile === '' && files.keyFile === '')) return null;
  if (files.caFile === '')
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}.caFile is missing: a certificate is of no use without the cluster CA to check the masters' and chunkservers' (make it with mooseng certs init)`,
    );
  if (files.certFile === '' && files.keyFile === '') {
    const [ca] = await readTlsFiles([['caFile', files.caFile]], setting);
    return { ca: ca! };
  }
  return loadNodeTls(files, setting);
}

async function readTlsFiles(files: Array<[key: string, path: string]>, setting: string): Promise<Buffer[]> {
  // One after another, so the error names the first setting that is wrong (the CA before the certificate).
  const read: Buffer[] = [];
  for (const [key, path] of files) {
    try {
      read.push(await readFile(path));
    } catch (err) {
      throw new MoosengError(
        ErrorCodes.CONFIG_INVALID,
        `${setting}.${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }
  return read;
}
