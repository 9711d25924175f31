// Session ids: the handle a client or a chunkserver presents with every call. Drawn from the operating system's
// cryptographic generator, so one session cannot act as another by counting up from its own id or by working out
// Math.random's generator state from the ids it has seen.
import { randomInt } from 'node:crypto';

/** Session ids stay below 2^47: exact in a JS number and in every protobuf integer type they travel as. */
export const SESSION_ID_LIMIT = 2 ** 47;

/** A fresh unguessable session id in [1, SESSION_ID_LIMIT). */
export function newSessionId(): number {
  return randomInt(1, SESSION_ID_LIMIT);
}
