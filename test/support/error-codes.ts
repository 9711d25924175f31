// What a call that should be refused was refused with: tests compare the error code, not the message text.
import { isMoosengError } from '@mooseng/core';

/** The MoosengError code `p` rejects with, or 'OK' when it resolves; any other error is rethrown. */
export async function errorCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (isMoosengError(err)) return err.code;
    throw err;
  }
}

/** errorCodeOf for a synchronous call. */
export function errorCodeOfCall(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    if (isMoosengError(err)) return err.code;
    throw err;
  }
}
