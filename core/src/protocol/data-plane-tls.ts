// Data-plane TLS: what a chunkserver serves its port with, and how a client, a master or another chunkserver dials it
// and checks it reached a chunkserver of the cluster's CA (docs/security.md, "Data-plane TLS").
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type TlsOptions } from 'node:tls';
import { checkCertificateIdentity } from '../runtime/certificate-identity';
import type { DialTls, NodeTls } from '../runtime/node-tls';

/**
 * TLS 1.3 suites, most wanted first. AES-128-GCM leads: with AES-NI it is the cheapest per byte (`openssl speed -evp
 * aes-128-gcm`: about 4.4 GB/s a core at 16 KiB records here, against 3.8 for AES-256-GCM and ChaCha20), and the data
 * plane is where the bytes are. Node's default puts AES-256-GCM first.
 */
export const DATA_PLANE_CIPHER_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

/**
 * Options of the tls.Server a chunkserver hands its TLS connections to: TLS 1.3 only (one round trip, no
 * renegotiation), AES-128-GCM preferred. A certificate is asked of every peer but not required (clients are
 * authorised by permits); one that is shown must be of the CA (DataPlaneServer refuses the connection otherwise).
 */
export function dataPlaneServerOptions(tls: NodeTls): TlsOptions {
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.3',
    ciphers: DATA_PLANE_CIPHER_SUITES,
    honorCipherOrder: true,
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/**
 * How to dial the chunkserver at `host`: the CA's signature, then the name, then what the certificate was issued for.
 * With `serverId` (the client knows it from the master's locations) the certificate must be that chunkserver's: its
 * id is the TLS server name (`certs issue` puts it among the names) and its CN. Without one (a chain forward or a
 * repair source, named by address only) the certificate must name `host` among its addresses, as any TLS client
 * checks, and be a chunkserver's (OU); which chunkserver is not known there. An IP is never sent as the server name
 * (node's DEP0123, and RFC 6066 forbids it): node then checks the address against the certificate's IP names.
 */
export function dataPlaneDialOptions(tls: DialTls, host: string, port: number, serverId?: string): ConnectionOptions {
  const peer = serverId === undefined ? `chunkserver ${host}:${port}` : `chunkserver "${serverId}" at ${host}:${port}`;
  const servername = serverId ?? (isIP(host) ? undefined : host);
  return {
    host,
    port,
    ...(servername === undefined ? {} : { servername }),
    ca: tls.ca,
    ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
    minVersion: 'TLSv1.3',
    ciphers: DATA_PLANE_CIPHER_SUITES,
    checkServerIdentity: (name: string, cert: PeerCertificate) => checkChunkserverCertificate(name, cert, peer, serverId),
  };
}

/**
 * node:tls's own name check, then that the certificate is a chunkserver's (and `serverId`'s when given). Returns the
 * error node:tls fails the connection with, or undefined.
 */
export function checkChunkserverCertificate(name: string, cert: PeerCertificate, peer: string, serverId?: string): Error | undefined {
  const nameError = checkServerIdentity(name, cert);
  if (nameError) return nameError;
  try {
    checkCertificateIdentity(cert.subject, { role: 'chunkserver', id: serverId }, peer);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}
