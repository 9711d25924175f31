// Who is at the other end of a TLS connection, as the cluster CA vouched for it: `mooseng certs issue` puts the
// node's id in the certificate's CN and its role (master, chunkserver, client) in its OU. Every listener that checks
// a peer's certificate (the control port, Raft) reads the identity here, so they all read it the same way.
import type { PeerCertificate } from 'node:tls';
import { certificateField } from './certificate-identity';

/** The identity a CA-issued certificate names: `name` its CN (a node id), `role` its OU. */
export interface PeerIdentity {
  name: string;
  role: string;
}

/**
 * The identity in a peer certificate, or null when there is none (no certificate was shown: `getPeerCertificate()`
 * then gives an empty object). Only call it on a certificate the CA check passed: the names of any other are claims.
 */
export function peerIdentityOf(cert: Pick<PeerCertificate, 'subject'> | null | undefined): PeerIdentity | null {
  const subject = cert?.subject;
  if (!subject) return null;
  return { name: certificateField(subject.CN), role: certificateField(subject.OU) };
}

/** "chunkserver cs1", "a certificate of no role", for messages that say whose certificate was refused. */
export function describePeerIdentity(identity: PeerIdentity | null): string {
  if (!identity) return 'no certificate';
  return `the certificate of ${identity.role || 'no role'} "${identity.name}"`;
}
