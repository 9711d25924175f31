// Binds a node server (HTTP or raw TCP) to host:port, turning "port in use" into an error that says what to do.
import type { Server } from 'node:net';
import { ErrorCodes, MoosengError } from '../errors';

/**
 * Listens on host:port; `what` names the port for the operator ("HTTP port", "data-plane port") and `setting` the
 * config setting that moves it. Resolves once listening; rejects with UNAVAILABLE otherwise.
 */
export function listenOrExplain(server: Server, host: string, port: number, what: string, setting: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new MoosengError(
          ErrorCodes.UNAVAILABLE,
          err.code === 'EADDRINUSE'
            ? `${what} ${port} on ${host} is already in use; stop the other process or choose another ${setting}`
            : `cannot listen on ${host}:${port} (${what}): ${err.message}`,
          { cause: err },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}
