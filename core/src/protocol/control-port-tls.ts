// The TLS side of the master's control port: a connection whose first bytes were a TLS ClientHello is handed to a
// TLS server that never listens itself (the control port listens and sniffs), which runs the handshake with the
// master's certificate. A client certificate is asked for but not required: clients may have only the CA. One the
// cluster CA did not issue is refused here; what a certificate may do (a chunkserver's registration) is checked by
// the handler, from the identity the connection carries (certificate-identity.ts).
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { ILogger } from '../contracts/logger';
import type { NodeTls } from '../runtime/node-tls';
import { peerIdentityOf, type PeerIdentity } from '../runtime/certificate-identity';
import { SampledWarning } from '../runtime/sampled-warning';
import { CONTROL_PORT_ALPN_PROTOCOLS } from './control-tls';

export class ControlPortTls {
  private readonly server: Server;
  /** Connections in their handshake, by the peer's address and port (unique among a listener's open connections). */
  private readonly handshaking = new Map<string, (secure: TLSSocket) => void>();

  /** Connections refused for a certificate of another CA: a stranger repeats them at will. */
  private readonly refusals: SampledWarning;

  constructor(
    tls: NodeTls,
    handshakeTimeoutMs: number,
    refusalsLoggedEvery: number,
    private readonly logger: ILogger,
  ) {
    this.refusals = new SampledWarning(logger, refusalsLoggedEvery);
    this.server = createServer({
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      // Checked in accept(): a connection without a certificate is taken (a client with only the CA), one with a
      // certificate of another CA is not.
      rejectUnauthorized: false,
      ALPNProtocols: [...CONTROL_PORT_ALPN_PROTOCOLS],
      // A connection that has not finished its handshake by then is closed, as one that names no protocol is.
      handshakeTimeout: handshakeTimeoutMs,
    });
    this.server.on('tlsClientError', (err, socket) =>
      this.logger.debug('a TLS handshake on the control port failed', { peer: socket.remoteAddress, err: err.message }),
    );
    this.server.on('secureConnection', (secure: TLSSocket) => {
      const key = peerKey(secure);
      const secured = this.handshaking.get(key);
      this.handshaking.delete(key);
      if (!secured) return void secure.destroy();
      const shown = Object.keys(secure.getPeerCertificate()).length > 0;
      if (shown && !secure.authorized) {
        this.refusals.warn(
          `refused a TLS connection to the control port from ${secure.remoteAddress}: its certificate is not one the cluster CA issued (${String(secure.authorizationError)})`,
        );
        secure.destroy();
        return;
      }
      secured(secure);
    });
  }

  /**
   * Runs the handshake on `socket` (paused, `first` what was read of it already) and calls `secured` with the
   * TLS socket once it is done, unless the peer showed a certificate the CA did not issue.
   */
  accept(socket: Socket, first: Buffer, secured: (secure: TLSSocket) => void): void {
    const key = peerKey(socket);
    this.handshaking.set(key, secured);
    socket.once('close', () => {
      if (this.handshaking.get(key) === secured) this.handshaking.delete(key);
    });
    // The TLS socket reads what the sniff read first (node feeds a socket's buffered bytes to the handshake).
    socket.unshift(first);
    this.server.emit('connection', socket);
  }
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** The identity the CA vouched for on `socket` (TLS, with a certificate the CA issued), else null. */
export function identityOfSocket(socket: Socket): PeerIdentity | null {
  const secure = socket as Partial<TLSSocket>;
  if (typeof secure.getPeerCertificate !== 'function' || !secure.authorized) return null;
  return peerIdentityOf(secure.getPeerCertificate());
}
