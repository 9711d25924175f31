// Test harness: drives a NamespaceStateMachine through encoded commands exactly as consensus would.
import { MoosengError, ROOT_INODE } from '@mooseng/core';
import {
  decodeResult,
  encodeCommand,
  NamespaceStateMachine,
  type CommandBody,
  type CommandResult,
  type Credentials,
  type InodeAttr,
  type ChunkWriteGrant,
} from '@mooseng/master';

export const ROOT: Credentials = { uid: 0, gids: [0] };
export const ALICE: Credentials = { uid: 1000, gids: [1000, 50] };
export const BOB: Credentials = { uid: 1001, gids: [1001, 50] };
export const CAROL: Credentials = { uid: 1002, gids: [1002] };
export { ROOT_INODE };

/** Applies commands one by one with increasing log index, time and request id, decoding every result. */
export class Harness {
  readonly sm: NamespaceStateMachine;
  index = 0;
  now = 1_700_000_000_000;
  requestId = 0;
  sessionId = 0;

  constructor(sm = new NamespaceStateMachine({ defaultGoal: 2 })) {
    this.sm = sm;
  }

  /** Opens a session (id chosen like a leader would) and uses it for later commands. */
  openSession(id = 77): number {
    this.sessionId = id;
    const r = this.raw({ op: 'openSession', info: 'test' });
    if (r.kind !== 'session') throw new Error('no session');
    return r.sessionId;
  }

  /** Applies a body with the next header; returns the decoded result, errors included. */
  raw(body: CommandBody, header: { sessionId?: number; requestId?: number; now?: number } = {}): CommandResult {
    this.now += 1000;
    const cmd = {
      sessionId: header.sessionId ?? this.sessionId,
      requestId: header.requestId ?? ++this.requestId,
      now: header.now ?? this.now,
      ...body,
    };
    return decodeResult(this.sm.apply(encodeCommand(cmd), ++this.index));
  }

  /** Applies a body and throws its error as a MoosengError. */
  ok(body: CommandBody): CommandResult {
    const r = this.raw(body);
    if (r.kind === 'error') throw new MoosengError(r.code, r.message);
    return r;
  }

  /** The error code a command fails with, or 'OK'. */
  code(body: CommandBody): string {
    const r = this.raw(body);
    return r.kind === 'error' ? r.code : 'OK';
  }

  attr(body: CommandBody): InodeAttr {
    const r = this.ok(body);
    if (r.kind !== 'attr') throw new Error(`expected attr, got ${r.kind}`);
    return r.attr;
  }

  grant(body: CommandBody): ChunkWriteGrant {
    const r = this.ok(body);
    if (r.kind !== 'chunk') throw new Error(`expected chunk, got ${r.kind}`);
    return r.grant;
  }

  // Shorthands.
  mkdir(parent: number, name: string, mode = 0o755, cred = ROOT): InodeAttr {
    return this.attr({ op: 'mkdir', parent, name, mode, cred });
  }

  create(parent: number, name: string, mode = 0o644, cred = ROOT, open = false): InodeAttr {
    return this.attr({ op: 'mknod', parent, name, mode: 0o100000 | mode, rdev: 0, open, cred });
  }

  lookup(parent: number, name: string, cred = ROOT): InodeAttr {
    return this.sm.lookup(parent, name, cred);
  }

  /** The error code a synchronous query throws, or 'OK'. */
  static queryCode(fn: () => unknown): string {
    try {
      fn();
      return 'OK';
    } catch (err) {
      if (err instanceof MoosengError) return err.code;
      throw err;
    }
  }
}
