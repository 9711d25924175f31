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
  const read = async (key: keyof typeof named): Promise<Buffer> => {
    try {
      return await readFile(named[key]);
    } catch (err) {
      throw new MoosengError(
        ErrorCodes.CONFIG_INVALID,
        `${setting}.${key}: cannot read ${named[key]} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  return { ca: await read('caFile'), cert: await read('certFile'), key: await read('keyFile') };
}
