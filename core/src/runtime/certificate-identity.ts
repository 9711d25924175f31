// Who a peer's certificate says it is: `mooseng certs issue` names the node in the CN and its role in the OU. Raft
// (a master must show a master's certificate for its member id) and the data plane (a chunkserver a chunkserver's)
// check them with this one function.
import { ErrorCodes, MoosengError } from '../errors';

/** The subject fields we read, as node:tls and gRPC hand them over (a field repeated in the certificate is a list). */
export interface CertificateSubject {
  CN?: string | string[];
  OU?: string | string[];
}

/** The node id (CN) or role (OU) of a certificate; a repeated field joined with "+", '' when absent. */
export function certificateField(field: string | string[] | undefined): string {
  return Array.isArray(field) ? field.join('+') : (field ?? '');
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
  if (!subject) throw new MoosengError(ErrorCodes.PERMIT_REFUSED, `${peer} showed no certificate; a ${want.role}'s is required`);
  const role = certificateField(subject.OU);
  const id = certificateField(subject.CN);
  if (role !== want.role)
    throw new MoosengError(
      ErrorCodes.PERMIT_REFUSED,
      `${peer} showed the certificate of ${role || 'no role'} "${id}", not of a ${want.role} (OU=${want.role})`,
    );
  if (want.id !== undefined && id !== want.id)
    throw new MoosengError(ErrorCodes.PERMIT_REFUSED, `${peer} showed the certificate of ${want.role} "${id}", not of "${want.id}"`);
  return id;
}
