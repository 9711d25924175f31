// How clients and chunkservers dial the master's control port over TLS (node.tls): the master's certificate is
// checked against the cluster CA and against the host dialled (`mooseng certs issue --host` puts the master's
// hosts among its names), and the dialler shows its own certificate when it has one.
import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import type { DialTls } from '../runtime/node-tls';

/** The ALPN name the framed control transport asks for over TLS (gRPC asks for "h2"); the port offers both. */
export const FRAMED_CONTROL_ALPN = 'mooseng-control';
/** What the control port offers in ALPN. */
export const CONTROL_PORT_ALPN_PROTOCOLS: readonly string[] = ['h2', FRAMED_CONTROL_ALPN];

/**
 * The TLS server name gRPC sends when the master is dialled at an IP address: a server name may not be an IP
 * (RFC 6066; node warns with DEP0123), and gRPC always sends one, so this label stands in, and the master's
 * certificate is checked against the IP itself. The master ignores the name it is sent.
 */
const IP_TARGET_SERVER_NAME = 'mooseng-master';

/** tls.connect options for a framed connection to a master at host:port. */
export function framedControlTlsOptions(host: string, port: number, tls: DialTls): ConnectionOptions {
  return {
    host,
    port,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ALPNProtocols: [FRAMED_CONTROL_ALPN],
    // Without a server name, node checks the certificate against `host`, an IP address included.
    ...(isIP(host) ? {} : { servername: host }),
  };
}

/**
 * How a control channel retries a master it cannot reach: every second at most. gRPC's default backoff grows to
 * 120 s, so a chunkserver or client whose master was down for minutes came back to it up to two minutes after the
 * master did (its chunks counted missing meanwhile); a try a second costs a refused connection.
 */
export const CONTROL_CHANNEL_RECONNECT: Partial<grpc.ChannelOptions> = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
};

/** The credentials and channel options of a gRPC channel to the master at `host` (plain when `tls` is null). */
export function grpcControlChannel(
  host: string,
  tls: DialTls | null,
): { credentials: grpc.ChannelCredentials; options: Partial<grpc.ChannelOptions> } {
  if (!tls) return { credentials: grpc.credentials.createInsecure(), options: { ...CONTROL_CHANNEL_RECONNECT } };
  const key = tls.key ?? null;
  const cert = tls.cert ?? null;
  if (!isIP(host)) return { credentials: grpc.credentials.createSsl(tls.ca, key, cert), options: { ...CONTROL_CHANNEL_RECONNECT } };
  return {
    credentials: grpc.credentials.createSsl(tls.ca, key, cert, { checkServerIdentity: (_name, peer) => checkServerIdentity(host, peer) }),
    options: { ...CONTROL_CHANNEL_RECONNECT, 'grpc.ssl_target_name_override': IP_TARGET_SERVER_NAME },
  };
}

/** The host part of "host:port" ("[::1]:9421" → "::1"). */
export function hostOfAddress(address: string): string {
  const m = /^\[?([^\]]+?)\]?:\d+$/.exec(address);
  return m ? m[1]! : address;
}
