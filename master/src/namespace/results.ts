// Results of applied commands and their versioned binary encoding (what propose() resolves with on the leader).
import { type ErrorCode, ErrorCodes, isErrorCode, MoosengError } from '@mooseng/core';
import { BinaryReader, BinaryWriter } from './binary-codec';

/** Encoding version: first byte of every result. */
export const RESULT_CODEC_VERSION = 1;

/** The attributes of one inode, as getattr returns them. Times in ms since the epoch. */
export interface InodeAttr {
  ino: number;
  /** Type and permission bits (S_IFMT | 07777). */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Bytes for files, the target length for symlinks, the entry count for directories. */
  size: number;
  atime: number;
  mtime: number;
  ctime: number;
  /** Device number of block/char devices, else 0. */
  rdev: number;
  /** Replica count of the file's chunks (directories: inherited by new children). */
  goal: number;
  /** Whether the inode has any extended attribute (clients answer probes for absent ones without asking). */
  hasXattrs: boolean;
  /**
   * Files: the bytes their chunks cover (a hole of whole chunks counts nothing; a chunk counts up to the length),
   * what st_blocks shows; others: the size. Absent in results logged before it existed.
   */
  storedBytes?: number;
}

/** The chunk a client may now write: id, the version it must write as, and the chain (leader's placement). */
export interface ChunkWriteGrant {
  chunkId: number;
  version: number;
  /** True when the chunk was just allocated (the chain creates it) rather than version-bumped. */
  isNew: boolean;
  /** Chunkserver ids in chain order, as the leader chose them. */
  servers: string[];
  /** The file's length at the time of the grant. */
  fileSize: number;
  /** A truncate left this chunk to be cut: the chain cuts it to this many bytes before writing; -1 = no cut. */
  truncateTo: number;
}

/** Every result kind. An error is a result too: it is replicated and replayed like any other. */
export type CommandResult =
  | { kind: 'ok' }
  | { kind: 'attr'; attr: InodeAttr }
  | { kind: 'chunk'; grant: ChunkWriteGrant }
  | { kind: 'session'; sessionId: number }
  | { kind: 'count'; count: number }
  | { kind: 'error'; code: ErrorCode; message: string };

const KIND_CODES = { ok: 0, attr: 1, chunk: 2, session: 3, count: 4, error: 255 } as const;

/** Writes an attr record (shared with the snapshot-free query codec of the later wire layer). */
export function writeAttr(w: BinaryWriter, a: InodeAttr): void {
  w.uint(a.ino)
    .uint(a.mode)
    .uint(a.uid)
    .uint(a.gid)
    .uint(a.nlink)
    .uint(a.size)
    .int(a.atime)
    .int(a.mtime)
    .int(a.ctime)
    .uint(a.rdev)
    .uint(a.goal)
    .bool(a.hasXattrs);
}

export function readAttr(r: BinaryReader): InodeAttr {
  return {
    ino: r.uint(),
    mode: r.uint(),
    uid: r.uint(),
    gid: r.uint(),
    nlink: r.uint(),
    size: r.uint(),
    atime: r.int(),
    mtime: r.int(),
    ctime: r.int(),
    rdev: r.uint(),
    goal: r.uint(),
    hasXattrs: r.bool(),
  };
}

export function encodeResult(result: CommandResult): Uint8Array {
  const w = new BinaryWriter(128);
  w.u8(RESULT_CODEC_VERSION).u8(KIND_CODES[result.kind]);
  switch (result.kind) {
    case 'ok':
      break;
    case 'attr':
      writeAttr(w, result.attr);
      // Added later, and last: results remembered before it decode without it.
      if (result.attr.storedBytes !== undefined) w.uint(result.attr.storedBytes);
      break;
    case 'chunk': {
      const g = result.grant;
      w.uint(g.chunkId).uint(g.version).bool(g.isNew).strs(g.servers).uint(g.fileSize).int(g.truncateTo);
      break;
    }
    case 'session':
      w.uint(result.sessionId);
      break;
    case 'count':
      w.uint(result.count);
      break;
    case 'error':
      w.str(result.code).str(result.message);
      break;
  }
  return w.finish();
}

export function decodeResult(bytes: Uint8Array): CommandResult {
  const r = new BinaryReader(bytes);
  const version = r.u8();
  if (version !== RESULT_CODEC_VERSION)
    throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `result encoding version ${version} is not supported`);
  const kind = r.u8();
  let result: CommandResult;
  switch (kind) {
    case KIND_CODES.ok:
      result = { kind: 'ok' };
      break;
    case KIND_CODES.attr: {
      const attr = readAttr(r);
      if (r.remaining > 0) attr.storedBytes = r.uint();
      result = { kind: 'attr', attr };
      break;
    }
    case KIND_CODES.chunk:
      result = {
        kind: 'chunk',
        grant: { chunkId: r.uint(), version: r.uint(), isNew: r.bool(), servers: r.strs(), fileSize: r.uint(), truncateTo: r.int() },
      };
      break;
    case KIND_CODES.session:
      result = { kind: 'session', sessionId: r.uint() };
      break;
    case KIND_CODES.count:
      result = { kind: 'count', count: r.uint() };
      break;
    case KIND_CODES.error: {
      const code = r.str();
      const message = r.str();
      result = { kind: 'error', code: isErrorCode(code) ? code : ErrorCodes.INTERNAL, message };
      break;
    }
    default:
      throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `unknown result kind ${kind}`);
  }
  r.end();
  return result;
}

/** Decodes a result and throws its error as a MoosengError (what a proposer usually wants). */
export function unwrapResult(bytes: Uint8Array): Exclude<CommandResult, { kind: 'error' }> {
  const result = decodeResult(bytes);
  if (result.kind === 'error') throw new MoosengError(result.code, result.message);
  return result;
}
