// The master's replicated commands: their types and their versioned binary encoding (the Raft log entry payload).
import { ErrorCodes, MoosengError } from '@mooseng/core';
import { BinaryReader, BinaryWriter } from './binary-codec';

/** Encoding version: first byte of every command; a master refuses versions it does not know. */
export const COMMAND_CODEC_VERSION = 1;

/** Who asks: the caller's uid and groups, as the leader saw them (gids[0] is the primary group). */
export interface Credentials {
  uid: number;
  gids: number[];
}

/** Fields every command carries. The leader fills them; nothing in apply() reads a clock or a random source. */
export interface CommandHeader {
  /** The session the command belongs to; 0 = no session (not deduplicated: only for harmless retries). */
  sessionId: number;
  /** Per-session request id; a retried (sessionId, requestId) returns the first result instead of applying twice. */
  requestId: number;
  /** Wall-clock time in ms chosen by the leader: every timestamp the command sets. */
  now: number;
}

interface WithCred {
  cred: Credentials;
}

/**
 * Every replicated command. `op` names it; the codec numbers it. Bit fields carry the protocol's bits from
 * @mooseng/core: setattr `mask` SetattrMask, rename `flags` RenameFlags, open `flags` OpenFlags, setxattr `flags`
 * XattrFlags.
 */
export type CommandBody =
  /** `root`: the directory the session sees as its root (a subtree export); absent or 0 is the file system's root. */
  | { op: 'openSession'; info: string; root?: number }
  | { op: 'closeSession' }
  /**
   * `chunkId` (with `chunkVersion` and `chunkServers`): a new chunk the leader created for the file (its pool of new
   * chunks), recorded as chunk 0 of the regular file created and opened, as a grantChunkWrite would record it.
   */
  | ({
      op: 'mknod';
      parent: number;
      name: string;
      mode: number;
      rdev: number;
      open: boolean;
      umask?: number;
      chunkId?: number;
      chunkVersion?: number;
      chunkServers?: string[];
    } & WithCred)
  | ({ op: 'mkdir'; parent: number; name: string; mode: number; umask?: number } & WithCred)
  | ({ op: 'symlink'; parent: number; name: string; target: string } & WithCred)
  | ({ op: 'link'; ino: number; parent: number; name: string } & WithCred)
  | ({ op: 'unlink'; parent: number; name: string } & WithCred)
  | ({ op: 'rmdir'; parent: number; name: string } & WithCred)
  | ({ op: 'rename'; parent: number; name: string; newParent: number; newName: string; flags: number } & WithCred)
  | ({
      op: 'setattr';
      ino: number;
      mask: number;
      mode: number;
      uid: number;
      gid: number;
      size: number;
      atime: number;
      mtime: number;
    } & WithCred)
  | ({ op: 'open'; ino: number; flags: number } & WithCred)
  | { op: 'release'; ino: number }
  /** Several releases in one command (a client's batch); inodes the session does not hold open are skipped. */
  /** `unwritten`: files among `inos` the session created with chunk 0 granted (mknod's chunkId) and never wrote. */
  | { op: 'releaseFiles'; inos: number[]; unwritten?: number[] }
  | ({ op: 'setxattr'; ino: number; name: string; value: Uint8Array; flags: number } & WithCred)
  | ({ op: 'removexattr'; ino: number; name: string } & WithCred)
  | ({ op: 'setGoal'; ino: number; goal: number; recursive: boolean } & WithCred)
  /** Legacy (logs written before versions were reserved): bumps the version in apply(), before any replica has it. */
  | ({ op: 'openChunkForWrite'; ino: number; chunkIndex: number; servers: string[] } & WithCred)
  /** Legacy: checks the chunk id only. */
  | ({ op: 'commitWrite'; ino: number; chunkIndex: number; chunkId: number; length: number } & WithCred)
  | { op: 'chunkOpsDone'; deleted: number[]; truncated: number[] }
  /**
   * A write grant; `servers` already hold `version`. Into an empty slot: `chunkId` is a reserved id the leader created
   * at version 1 on them. Otherwise the slot's chunk, whose live replicas the leader moved to `version` (the reserved
   * number); `servers` are the ones that confirmed.
   */
  | ({ op: 'grantChunkWrite'; ino: number; chunkIndex: number; chunkId: number; version: number; servers: string[] } & WithCred)
  /** A finished write made under `version`: refused (CHUNK_STALE_VERSION) when the chunk lost bytes since, or has a cut pending. */
  | ({ op: 'commitChunkWrite'; ino: number; chunkIndex: number; chunkId: number; version: number; length: number } & WithCred)
  /** Reserves the chunk's next version number for a change the leader is about to make on chunkservers. */
  | { op: 'reserveChunkVersion'; chunkId: number }
  /** Reserves `count` chunk ids for new chunks the leader creates on chunkservers before recording them. */
  | { op: 'reserveChunkIds'; count: number }
  /** Replicas moved to `version` (a repair copy made there among them); nothing is lost, no grant names it yet. */
  | { op: 'moveReplicas'; chunkId: number; fromVersion: number; version: number; servers: string[] }
  /** A replica failed a write mid-chain: `servers`, the ones that took it, moved from `fromVersion` to `version`. */
  | { op: 'excludeReplicas'; chunkId: number; fromVersion: number; version: number; servers: string[] }
  /** The pending cut to `length` bytes was carried out: `servers` are cut and at `version`. */
  | { op: 'cutChunk'; chunkId: number; fromVersion: number; version: number; length: number; servers: string[] }
  /** No live replica has the current version: surviving replicas' `version` becomes current. */
  | { op: 'promoteChunk'; chunkId: number; fromVersion: number; version: number }
  /**
   * Sets or clears a lock of (session, owner) on the inode: `kind` LockKind (flock or POSIX range), `type` LockType,
   * inclusive range start..end (flock: 0..LOCK_TO_EOF). EAGAIN when another owner's lock is in the way.
   */
  | { op: 'setLock'; ino: number; kind: number; type: number; owner: string; start: number; end: number; pid: number }
  /** Drops the owner's locks of `kinds` (LockKinds bits) on the inode: a close (POSIX), a release (flock, OFD). */
  | { op: 'releaseLocks'; ino: number; owner: string; kinds: number };

/** A whole command: header plus body. */
export type Command = CommandHeader & CommandBody;
export type CommandOp = CommandBody['op'];

type FieldType = 'uint' | 'int' | 'str' | 'bytes' | 'bool' | 'uints' | 'strs' | 'cred';
type Schema = ReadonlyArray<readonly [string, FieldType]>;

/**
 * Wire number and field layout per op. Numbers are forever: append new ops, never renumber. `appended` fields were
 * added to an op later, optional, at the end: written up to the last one the command has (any before it that it
 * lacks as 0 or empty), read as far as the entry has them (an older entry, or one without, decodes without them).
 */
const SCHEMAS: Record<CommandOp, { code: number; fields: Schema; appended?: Schema }> = {
  openSession: { code: 1, fields: [['info', 'str']], appended: [['root', 'uint']] },
  closeSession: { code: 2, fields: [] },
  mknod: {
    code: 3,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
      ['mode', 'uint'],
      ['rdev', 'uint'],
      ['open', 'bool'],
    ],
    // The creator's umask, applied by the master (where no default ACL applies instead); 0 from older clients,
    // whose kernel applied it. Then the new chunk recorded as chunk 0 (0: none).
    appended: [
      ['umask', 'uint'],
      ['chunkId', 'uint'],
      ['chunkVersion', 'uint'],
      ['chunkServers', 'strs'],
    ],
  },
  mkdir: {
    code: 4,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
      ['mode', 'uint'],
    ],
    appended: [['umask', 'uint']],
  },
  symlink: {
    code: 5,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
      ['target', 'str'],
    ],
  },
  link: {
    code: 6,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['parent', 'uint'],
      ['name', 'str'],
    ],
  },
  unlink: {
    code: 7,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
    ],
  },
  rmdir: {
    code: 8,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
    ],
  },
  rename: {
    code: 9,
    fields: [
      ['cred', 'cred'],
      ['parent', 'uint'],
      ['name', 'str'],
      ['newParent', 'uint'],
      ['newName', 'str'],
      ['flags', 'uint'],
    ],
  },
  setattr: {
    code: 10,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['mask', 'uint'],
      ['mode', 'uint'],
      ['uid', 'uint'],
      ['gid', 'uint'],
      ['size', 'uint'],
      ['atime', 'int'],
      ['mtime', 'int'],
    ],
  },
  open: {
    code: 11,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['flags', 'uint'],
    ],
  },
  release: { code: 12, fields: [['ino', 'uint']] },
  setxattr: {
    code: 13,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['name', 'str'],
      ['value', 'bytes'],
      ['flags', 'uint'],
    ],
  },
  removexattr: {
    code: 14,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['name', 'str'],
    ],
  },
  setGoal: {
    code: 15,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['goal', 'uint'],
      ['recursive', 'bool'],
    ],
  },
  openChunkForWrite: {
    code: 16,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['chunkIndex', 'uint'],
      ['servers', 'strs'],
    ],
  },
  commitWrite: {
    code: 17,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['chunkIndex', 'uint'],
      ['chunkId', 'uint'],
      ['length', 'uint'],
    ],
  },
  chunkOpsDone: {
    code: 18,
    fields: [
      ['deleted', 'uints'],
      ['truncated', 'uints'],
    ],
  },
  grantChunkWrite: {
    code: 19,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['chunkIndex', 'uint'],
      ['chunkId', 'uint'],
      ['version', 'uint'],
      ['servers', 'strs'],
    ],
  },
  commitChunkWrite: {
    code: 20,
    fields: [
      ['cred', 'cred'],
      ['ino', 'uint'],
      ['chunkIndex', 'uint'],
      ['chunkId', 'uint'],
      ['version', 'uint'],
      ['length', 'uint'],
    ],
  },
  reserveChunkVersion: { code: 21, fields: [['chunkId', 'uint']] },
  excludeReplicas: {
    code: 22,
    fields: [
      ['chunkId', 'uint'],
      ['fromVersion', 'uint'],
      ['version', 'uint'],
      ['servers', 'strs'],
    ],
  },
  cutChunk: {
    code: 23,
    fields: [
      ['chunkId', 'uint'],
      ['fromVersion', 'uint'],
      ['version', 'uint'],
      ['length', 'uint'],
      ['servers', 'strs'],
    ],
  },
  promoteChunk: {
    code: 24,
    fields: [
      ['chunkId', 'uint'],
      ['fromVersion', 'uint'],
      ['version', 'uint'],
    ],
  },
  reserveChunkIds: { code: 25, fields: [['count', 'uint']] },
  releaseFiles: { code: 29, fields: [['inos', 'uints']], appended: [['unwritten', 'uints']] },
  moveReplicas: {
    code: 26,
    fields: [
      ['chunkId', 'uint'],
      ['fromVersion', 'uint'],
      ['version', 'uint'],
      ['servers', 'strs'],
    ],
  },
  setLock: {
    code: 27,
    fields: [
      ['ino', 'uint'],
      ['kind', 'uint'],
      ['type', 'uint'],
      ['owner', 'str'],
      ['start', 'uint'],
      ['end', 'uint'],
      ['pid', 'uint'],
    ],
  },
  releaseLocks: {
    code: 28,
    fields: [
      ['ino', 'uint'],
      ['owner', 'str'],
      ['kinds', 'uint'],
    ],
  },
};

const OPS_BY_CODE = new Map<number, CommandOp>((Object.keys(SCHEMAS) as CommandOp[]).map((op) => [SCHEMAS[op].code, op]));

const JS_TYPES: Record<FieldType, (v: unknown) => boolean> = {
  uint: (v) => typeof v === 'number',
  int: (v) => typeof v === 'number',
  str: (v) => typeof v === 'string',
  bytes: (v) => v instanceof Uint8Array,
  bool: (v) => typeof v === 'boolean',
  uints: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  strs: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  cred: (v) => typeof v === 'object' && v !== null && typeof (v as Credentials).uid === 'number' && Array.isArray((v as Credentials).gids),
};

function writeField(w: BinaryWriter, type: FieldType, value: unknown, name: string): void {
  if (!JS_TYPES[type](value)) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `field ${name} must be of type ${type}`);
  switch (type) {
    case 'uint':
      w.uint(value as number);
      break;
    case 'int':
      w.int(value as number);
      break;
    case 'str':
      w.str(value as string);
      break;
    case 'bytes':
      w.bytes(value as Uint8Array);
      break;
    case 'bool':
      w.bool(value as boolean);
      break;
    case 'uints':
      w.uints(value as number[]);
      break;
    case 'strs':
      w.strs(value as string[]);
      break;
    case 'cred': {
      const cred = value as Credentials;
      w.uint(cred.uid).uints(cred.gids);
      break;
    }
    default:
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `field ${name}: unknown type`);
  }
}

function readField(r: BinaryReader, type: FieldType): unknown {
  switch (type) {
    case 'uint':
      return r.uint();
    case 'int':
      return r.int();
    case 'str':
      return r.str();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.bool();
    case 'uints':
      return r.uints();
    case 'strs':
      return r.strs();
    case 'cred':
      return { uid: r.uint(), gids: r.uints() };
  }
}

/** What an appended field absent from a command is written as, when a later one is present. */
const APPENDED_ABSENT: Record<FieldType, unknown> = {
  uint: 0,
  int: 0,
  str: '',
  bytes: new Uint8Array(0),
  bool: false,
  uints: [],
  strs: [],
  cred: null,
};

/** Encodes a command for proposal. Throws INVALID_ARGUMENT when a field is missing or of the wrong shape. */
export function encodeCommand(command: Command): Uint8Array {
  const schema = SCHEMAS[command.op];
  if (schema === undefined) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `unknown command op ${String(command.op)}`);
  const w = new BinaryWriter(256);
  w.u8(COMMAND_CODEC_VERSION).u8(schema.code).uint(command.sessionId).uint(command.requestId).int(command.now);
  const record = command as unknown as Record<string, unknown>;
  for (const [name, type] of schema.fields) {
    const value = record[name];
    if (value === undefined || value === null) {
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `command ${command.op}: field ${name} is missing`);
    }
    writeField(w, type, value, name);
  }
  // Up to the last appended field the command has (those before it that it lacks, as their absent value).
  const appended = schema.appended ?? [];
  let last = appended.length - 1;
  while (last >= 0 && record[appended[last]![0]] === undefined) last--;
  for (const [name, type] of appended.slice(0, last + 1)) writeField(w, type, record[name] ?? APPENDED_ABSENT[type], name);
  return w.finish();
}

/** Decodes a command; PROTOCOL_ERROR on an unknown version or op, or on malformed bytes. */
export function decodeCommand(bytes: Uint8Array): Command {
  const r = new BinaryReader(bytes);
  const version = r.u8();
  if (version !== COMMAND_CODEC_VERSION) {
    throw new MoosengError(
      ErrorCodes.PROTOCOL_ERROR,
      `command encoding version ${version} is not supported (expected ${COMMAND_CODEC_VERSION}); upgrade this master`,
    );
  }
  const code = r.u8();
  const op = OPS_BY_CODE.get(code);
  if (op === undefined) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `unknown command code ${code}`);
  const out: Record<string, unknown> = { op, sessionId: r.uint(), requestId: r.uint(), now: r.int() };
  for (const [name, type] of SCHEMAS[op].fields) out[name] = readField(r, type);
  // Appended fields are read as far as the entry has them: an entry written before a field was appended stops short.
  for (const [name, type] of SCHEMAS[op].appended ?? []) if (r.remaining > 0) out[name] = readField(r, type);
  r.end();
  return out as unknown as Command;
}
