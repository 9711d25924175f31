// Who a peer's certificate says it is: `mooseng certs issue` names the node in the CN and its role (master,
// chunkserver, client) in the OU. Every listener that reads or checks a peer's certificate (the control port, Raft,
// the data plane, the chunkserver registry) does it here, so they all read it the same way.
import type { PeerCertificate } from 'node:tls';
import { ErrorCodes, MoosengError } from '../errors';

/** The subject fields we read, as node:tls and gRPC hand them over (a field repeated in the certificate is a list). */
export interface CertificateSubject {
  CN?: string | string[];
  OU?: string | string[];
}

/** The identity a CA-issued certificate names: `name` its CN (a node id), `role` its OU. */
export interface PeerIdentity {
  name: string;
  role: string;
}

/** The node id (CN) or role (OU) of a certificate; a repeated field joined with "+", '' when absent. */
export function certificateField(field: string | string[] | undefined): string {
  return Array.isArray(field) ? field.join('+') : (field ?? '');
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

/**
 * Checks that a peer's certificate was issued for `role` (its OU) and, when `id` is given, for that node (its CN).
 * The CA signature is the handshake's business; this is what the certificate was issued *for*. Throws
 * PERMIT_REFUSED naming what was shown and what was wanted; returns the certificate's node id.
 */
export function checkCertificateIdentity(
  subject: CertificateSubject | undefined,
  want: { role: string; id?: string },
  peer: string,
): string {
  const identity = subject ? { name: certificateField(subject.CN), role: certificateField(subject.OU) } : null;
  return checkPeerIdentity(identity, want, peer);
}

/**
 * checkCertificateIdentity for an identity already read from the certificate (peerIdentityOf); `hint`, when given,
 * ends the refusal with what the peer should do.
 */
export function checkPeerIdentity(identity: PeerIdentity | null, want: { role: string; id?: string }, peer: string, hint?: string): string {
  const refuse = (what: string): MoosengError =>
    new MoosengError(ErrorCodes.PERMIT_REFUSED, hint ? `${peer} ${what}; ${hint}` : `${peer} ${what}`);
  if (!identity) throw refuse(`showed no certificate; a ${want.role}'s is required`);
  if (identity.role !== want.role) throw refuse(`showed ${describePeerIdentity(identity)}, not of a ${want.role} (OU=${want.role})`);
  if (want.id !== undefined && identity.name !== want.id) throw refuse(`showed ${describePeerIdentity(identity)}, not of "${want.id}"`);
  return identity.name;
}
