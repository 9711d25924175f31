// Session keys (master/src/session-keys.ts): a key is good for its own session, opened by its own caller under its
// own export binding, and for nothing else; every master derives the same key from the same secret.
import { expect } from 'chai';
import { ErrorCodes } from '@mooseng/core';
import { SESSION_KEY_BYTES, SessionKeys } from '@mooseng/master';
import { errorCodeOfCall } from '../support';

const SECRET = Buffer.from('a cluster secret of thirty-two b');

describe('master session keys', () => {
  it('derives the same key on every master, and another for another session, binding or secret', () => {
    const a = new SessionKeys(SECRET);
    const b = new SessionKeys(Buffer.from(SECRET));
    expect(a.keyOf(42, '')).to.have.length(SESSION_KEY_BYTES);
    expect(a.keyOf(42, '').equals(b.keyOf(42, ''))).to.equal(true);
    const others = [
      a.keyOf(43, ''),
      a.keyOf(42, 'export master.exports.1 abcd'),
      new SessionKeys(Buffer.from('another secret, thirty-two bytes')).keyOf(42, ''),
    ];
    for (const other of others) expect(other.equals(a.keyOf(42, ''))).to.equal(false);
  });

  it('accepts only the key of the session and binding a call names', () => {
    const keys = new SessionKeys(SECRET);
    const binding = 'export master.exports.0 0123456789abcdef';
    const key = keys.keyOf(7, binding);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 7, key, binding))).to.equal('OK');
    expect(errorCodeOfCall(() => keys.check('GetAttr', 8, key, binding))).to.equal(ErrorCodes.SESSION_EXPIRED);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 7, key, ''))).to.equal(ErrorCodes.SESSION_EXPIRED);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 7, key.subarray(0, 8), binding))).to.equal(ErrorCodes.SESSION_EXPIRED);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 7, Buffer.alloc(0), binding))).to.equal(ErrorCodes.EPERM);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 0, key, binding))).to.equal(ErrorCodes.EPERM);
  });

  it('during a rotation, hands out keys under the new secret and still takes those of the retiring one', () => {
    const old = new SessionKeys(SECRET);
    const rotating = new SessionKeys(Buffer.from('the new secret, thirty-two bytes'), [SECRET]);
    expect(errorCodeOfCall(() => rotating.check('GetAttr', 7, old.keyOf(7, ''), ''))).to.equal('OK');
    expect(errorCodeOfCall(() => old.check('GetAttr', 7, rotating.keyOf(7, ''), ''))).to.equal(ErrorCodes.SESSION_EXPIRED);
  });

  it('asks for no key in a cluster without a secret', () => {
    const keys = new SessionKeys(null);
    expect(keys.required).to.equal(false);
    expect(keys.keyOf(7, '')).to.have.length(0);
    expect(errorCodeOfCall(() => keys.check('GetAttr', 0, undefined, ''))).to.equal('OK');
  });
});
