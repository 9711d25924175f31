// The command and result codecs: every op round-trips, versions are checked, bad input is a PROTOCOL_ERROR.
import { expect } from 'chai';
import {
  BinaryReader,
  BinaryWriter,
  decodeCommand,
  decodeResult,
  encodeCommand,
  encodeResult,
  unwrapResult,
  type Command,
  type CommandResult,
} from '@mooseng/master';

const cred = { uid: 1000, gids: [1000, 27, 4_000_000_000] };
const header = { sessionId: 2 ** 52 + 7, requestId: 123456789, now: -5 };

const commands: Command[] = [
  { ...header, op: 'openSession', info: 'host:/mnt ✓' },
  { ...header, op: 'openSession', info: 'a subtree export', root: 4321 },
  { ...header, op: 'closeSession' },
  { ...header, op: 'mknod', parent: 1, name: 'f', mode: 0o100644, rdev: 0x0801, open: true, cred },
  { ...header, op: 'mkdir', parent: 1, name: 'd', mode: 0o755, cred },
  { ...header, op: 'mknod', parent: 1, name: 'g', mode: 0o100666, rdev: 0, open: false, umask: 0o022, cred },
  { ...header, op: 'mkdir', parent: 1, name: 'e', mode: 0o777, umask: 0o077, cred },
  { ...header, op: 'symlink', parent: 1, name: 'l', target: '/a/b', cred },
  { ...header, op: 'link', ino: 5, parent: 1, name: 'h', cred },
  { ...header, op: 'unlink', parent: 1, name: 'f', cred },
  { ...header, op: 'rmdir', parent: 1, name: 'd', cred },
  { ...header, op: 'rename', parent: 1, name: 'a', newParent: 2, newName: 'b', flags: 2, cred },
  { ...header, op: 'setattr', ino: 3, mask: 255, mode: 0o4755, uid: 1, gid: 2, size: 2 ** 44, atime: -1, mtime: 1_700_000_000_123, cred },
  { ...header, op: 'open', ino: 3, flags: 7, cred },
  { ...header, op: 'release', ino: 3 },
  { ...header, op: 'releaseFiles', inos: [3, 3, 2 ** 40] },
  { ...header, op: 'setxattr', ino: 3, name: 'user.x', value: new Uint8Array([0, 1, 255]), flags: 1, cred },
  { ...header, op: 'removexattr', ino: 3, name: 'user.x', cred },
  { ...header, op: 'setGoal', ino: 3, goal: 9, recursive: true, cred },
  { ...header, op: 'openChunkForWrite', ino: 3, chunkIndex: 17, servers: ['cs-1', 'cs-2'], cred },
  { ...header, op: 'commitWrite', ino: 3, chunkIndex: 17, chunkId: 2 ** 40, length: 5, cred },
  { ...header, op: 'chunkOpsDone', deleted: [1, 2, 3], truncated: [4, 5] },
  { ...header, op: 'grantChunkWrite', ino: 3, chunkIndex: 17, chunkId: 2 ** 40, version: 2 ** 33 + 1, servers: ['cs-1', 'cs-2'], cred },
  { ...header, op: 'reserveChunkIds', count: 64 },
  { ...header, op: 'moveReplicas', chunkId: 9, fromVersion: 8, version: 10, servers: ['cs-2', 'cs-9'] },
  { ...header, op: 'commitChunkWrite', ino: 3, chunkIndex: 17, chunkId: 2 ** 40, version: 7, length: 2 ** 36, cred },
  { ...header, op: 'reserveChunkVersion', chunkId: 2 ** 52 },
  { ...header, op: 'excludeReplicas', chunkId: 9, fromVersion: 4, version: 6, servers: ['cs-1'] },
  { ...header, op: 'cutChunk', chunkId: 9, fromVersion: 6, version: 8, length: 67_108_863, servers: ['cs-1', 'cs-3'] },
  { ...header, op: 'promoteChunk', chunkId: 9, fromVersion: 8, version: 5 },
  {
    ...header,
    op: 'setLock',
    ino: 3,
    kind: 2,
    type: 2,
    owner: '8000ffff00001234',
    start: 2 ** 40,
    end: Number.MAX_SAFE_INTEGER,
    pid: 4_000_000,
  },
  { ...header, op: 'releaseLocks', ino: 3, owner: 'é', kinds: 3 },
];

describe('master namespace: codecs', () => {
  for (const cmd of commands) {
    it(`round-trips ${cmd.op}`, () => {
      expect(decodeCommand(encodeCommand(cmd))).to.deep.equal(cmd);
    });
  }

  it('round-trips every result kind and throws errors through unwrapResult', () => {
    const results: CommandResult[] = [
      { kind: 'ok' },
      {
        kind: 'attr',
        attr: {
          ino: 1,
          mode: 0o40755,
          uid: 0,
          gid: 0,
          nlink: 2,
          size: 0,
          atime: -3,
          mtime: 4,
          ctime: 5,
          rdev: 0,
          goal: 2,
          hasXattrs: true,
        },
      },
      {
        kind: 'attr',
        attr: {
          ino: 8,
          mode: 0o100644,
          uid: 1,
          gid: 1,
          nlink: 1,
          size: 2 ** 40,
          atime: 0,
          mtime: 0,
          ctime: 0,
          rdev: 0,
          goal: 2,
          hasXattrs: false,
          storedBytes: 65536,
        },
      },
      { kind: 'chunk', grant: { chunkId: 9, version: 3, isNew: false, servers: ['a'], fileSize: 77, truncateTo: -1 } },
      { kind: 'session', sessionId: 42 },
      { kind: 'count', count: 3 },
      { kind: 'error', code: 'ENOENT', message: 'no such entry' },
    ];
    for (const r of results) expect(decodeResult(encodeResult(r))).to.deep.equal(r);
    expect(() => unwrapResult(encodeResult({ kind: 'error', code: 'EEXIST', message: 'x' })))
      .to.throw(/x/)
      .with.property('code', 'EEXIST');
  });

  it('reads an entry logged before a field was appended to its op, and one with it', () => {
    const mkdir = { ...header, op: 'mkdir', parent: 1, name: 'd', mode: 0o755, cred } as const;
    const older = Buffer.from(encodeCommand(mkdir)); // what a master logged before mkdir had umask
    expect(decodeCommand(older)).to.deep.equal(mkdir);
    const newer = Buffer.from(encodeCommand({ ...mkdir, umask: 0o022 }));
    expect(newer.length).to.equal(older.length + 1);
    expect(decodeCommand(newer)).to.deep.equal({ ...mkdir, umask: 0o022 });
    expect(() => decodeCommand(Buffer.concat([newer, Buffer.from([0])])))
      .to.throw(/trailing/)
      .with.property('code', 'PROTOCOL_ERROR');
  });

  it('refuses unknown versions, missing fields and trailing bytes', () => {
    const bytes = Buffer.from(encodeCommand(commands[6]));
    bytes[0] = 2;
    expect(() => decodeCommand(bytes))
      .to.throw(/version 2/)
      .with.property('code', 'PROTOCOL_ERROR');
    expect(() => decodeCommand(Buffer.concat([Buffer.from(encodeCommand(commands[6])), Buffer.from([0])])))
      .to.throw()
      .with.property('code', 'PROTOCOL_ERROR');
    expect(() => encodeCommand({ ...header, op: 'mkdir', parent: 1, name: 'd', cred } as unknown as Command))
      .to.throw(/mode/)
      .with.property('code', 'INVALID_ARGUMENT');
    expect(() => encodeCommand({ ...header, op: 'mkdir', parent: 1, name: 7, mode: 0o755, cred } as unknown as Command))
      .to.throw(/name/)
      .with.property('code', 'INVALID_ARGUMENT');
    expect(() => encodeCommand({ ...header, op: 'mkdir', parent: -1, name: 'd', mode: 0o755, cred }))
      .to.throw()
      .with.property('code', 'INVALID_ARGUMENT');
  });

  it('encodes varints up to 2^53 - 1 and zigzag negatives exactly', () => {
    const values = [0, 1, 127, 128, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const w = new BinaryWriter(4);
    for (const v of values) w.uint(v).int(-Math.floor(v / 2));
    const r = new BinaryReader(w.finish());
    for (const v of values) {
      expect(r.uint()).to.equal(v);
      expect(r.int()).to.equal(-Math.floor(v / 2));
    }
    r.end();
    expect(() => new BinaryWriter().uint(-1))
      .to.throw()
      .with.property('code', 'INVALID_ARGUMENT');
    expect(() => new BinaryWriter().uint(1.5))
      .to.throw()
      .with.property('code', 'INVALID_ARGUMENT');
  });
});
