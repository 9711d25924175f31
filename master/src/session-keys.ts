// Session keys: what makes a session id useless to anyone but the client it was opened for. A session id travels in
// every request and operators see it (`/status`, logs), so it cannot be the secret. The leader answers OpenSession
// with a key, an HMAC of the session id under a key derived from the cluster secret, and every later request of the
// session must carry it. Every master derives the same key from the same secret, so a new leader checks the keys of
// sessions opened under the old one without any key in the replicated state. A cluster without a secret has no
// keys: its sessions are as good as their ids are hard to guess (docs/security.md). A key is also bound to who opened
// the session when the transport knows it (the client's certificate over TLS): another client that learns the key
// still cannot use it. It is not bound to the client's address, which a multi-homed host changes between masters.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** Bytes of a session key: 128 bits of an HMAC-SHA256. */
export const SESSION_KEY_BYTES = 16;
/** Keys already derived, kept so a request costs a compare rather than an HMAC (sessions beyond this are derived again). */
const DERIVED_KEYS_KEPT = 16_384;

const NO_KEY = Buffer.alloc(0);

export class SessionKeys {
  private readonly key: Buffer | null;
  /** Keys of retiring secrets: sessions keyed under them still work until their next KeepAlive hands them a new key. */
  private readonly retired: Buffer[];
  private readonly derived = new Map<string, Buffer>();

  /**
   * `secret`: the cluster secret (node.clusterSecretFile), or null in a cluster without one (no keys then);
   * `retired`: older secrets still accepted while a new one rolls out.
   */
  constructor(secret: Buffer | null, retired: readonly Buffer[] = []) {
    const root = (s: Buffer): Buffer => createHmac('sha256', s).update('mooseng session key v1').digest();
    this.key = secret && root(secret);
    this.retired = secret ? retired.map(root) : [];
  }

  /** Whether requests must carry their session's key. */
  get required(): boolean {
    return this.key !== null;
  }

  /** The key of session `sessionId` opened by `identity` ('' when the transport names nobody); empty without a secret. */
  keyOf(sessionId: number, identity: string): Buffer {
    if (!this.key) return NO_KEY;
    // The NUL cannot occur in a number, so no (id, identity) pair derives another's key.
    const name = `${sessionId}\0${identity}`;
    let key = this.derived.get(name);
    if (!key) {
      key = derive(this.key, name);
      if (this.derived.size >= DERIVED_KEYS_KEPT) this.derived.delete(this.derived.keys().next().value as string);
      this.derived.set(name, key);
    }
    return key;
  }

  /**
   * Refuses a request of `method` naming `sessionId` unless it carries the session's key: none at all is
   * EPERM (a client that predates keys, or a hand-made request), a wrong one SESSION_EXPIRED, which
   * makes a real client open a session of its own (the secret changed, say) and tells anyone else nothing.
   */
  check(method: string, sessionId: number, presented: Uint8Array | undefined, identity: string): void {
    if (!this.key) return;
    if (sessionId === 0) throw new MoosengError(ErrorCodes.EPERM, `${method}: the request names no session; call OpenSession first`);
    if (!presented || presented.length === 0)
      throw new MoosengError(
        ErrorCodes.EPERM,
        `${method}: the request carries no session key; this cluster needs the key OpenSession returns in every request (a client older than the masters?)`,
      );
    const expected = this.keyOf(sessionId, identity);
    const matches = (key: Buffer): boolean => presented.length === key.length && timingSafeEqual(key, presented);
    if (!matches(expected) && !this.retired.some((root) => matches(derive(root, `${sessionId}\0${identity}`))))
      throw new MoosengError(
        ErrorCodes.SESSION_EXPIRED,
        `${method}: session ${sessionId} is not this caller's (its key does not match the session and the caller); open a new session`,
      );
  }
}

function derive(root: Buffer, name: string): Buffer {
  return createHmac('sha256', root).update(name).digest().subarray(0, SESSION_KEY_BYTES);
}
