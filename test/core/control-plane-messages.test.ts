// Every control-plane request and reply (client.proto, chunkserver.proto) survives encode → decode with the
// serializers gRPC uses, decodes from nothing to exactly the fields its generated type names, and older peers' bytes
// (fields since reserved) still decode.
import { expect } from 'chai';
import type * as grpc from '@grpc/grpc-js';
import {
  changeFeedService,
  type ChangeFeedRpcs,
  chunkserverToMasterService,
  clientToMasterService,
  loadProto,
  OpenFlags,
  RenameFlags,
  S_IFDIR,
  S_IFREG,
  SetattrMask,
  XattrFlags,
  type ChunkserverRequestOf,
  type ChunkserverToMasterRpcs,
  type ClientMessage,
  type ClientToMasterRpcs,
  type Rpc,
  type RpcTable,
  type TypedServiceDefinition,
} from '@mooseng/core';

/** For every method, a request and a reply with every field set to something other than its default. */
type Samples<R extends RpcTable> = { [M in keyof R]: { request: R[M]['request']; reply: R[M]['reply'] } };

const sessionKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const h: ClientMessage<'RequestHeader'> = {
  sessionId: 2 ** 47 + 5,
  sessionKey,
  requestId: 2 ** 40 + 7,
  cred: { uid: 1000, gids: [1000, 4, 27] },
};
const attr: ClientMessage<'Attr'> = {
  ino: 2 ** 50 + 1,
  mode: S_IFREG | 0o644,
  nlink: 2,
  uid: 1000,
  gid: 1001,
  size: 2 ** 44 - 1,
  rdev: 0x0803,
  atimeMs: -86_400_000, // before 1970: int64 keeps its sign
  mtimeMs: 1_700_000_000_123,
  ctimeMs: 1_700_000_000_456,
  goal: 3,
  hasXattrs: true,
  storedBytes: 2 ** 40 + 3,
};
const dirAttr: ClientMessage<'Attr'> = { ...attr, ino: 7, mode: S_IFDIR | 0o755, hasXattrs: false, size: 4096 };
const chain = [
  { serverId: 'cs1', address: '10.0.0.1:9420' },
  { serverId: 'cs2', address: '[::1]:9420' },
];

const clientSamples: Samples<ClientToMasterRpcs> = {
  OpenSession: {
    request: { info: '/mnt/mooseng', host: 'laptop', passwordProof: Buffer.from('0102', 'hex'), subdir: '/projects/a' },
    reply: {
      sessionId: 2 ** 47 + 5,
      clusterId: 'mooseng',
      rootIno: 1,
      sessionTimeoutMs: 300_000,
      sessionKey,
      durableWhenAcknowledged: true,
    },
  },
  CloseSession: { request: { sessionId: 2 ** 47 + 5, sessionKey }, reply: {} },
  KeepAlive: {
    request: { sessionId: 2 ** 47 + 5, sessionKey },
    reply: { sessionTimeoutMs: 15_000, sessionKey, durableWhenAcknowledged: true },
  },
  Lookup: { request: { h, parent: 1, name: 'b.txt' }, reply: { attr } },
  GetAttr: { request: { h, ino: 2 ** 50 + 1 }, reply: { attr } },
  ResolvePath: { request: { h, path: '/a/b/ü.txt', follow: true }, reply: { attr } },
  ReadDir: {
    request: { h, ino: 7, after: 'a', limit: 1000 },
    reply: {
      entries: [
        { name: 'b.txt', attr },
        { name: 'sub', attr: dirAttr },
      ],
      more: true,
    },
  },
  Mknod: {
    request: { h, parent: 7, name: 'fifo', mode: 0o010644, rdev: 0x0803, open: true, umask: 0o022, wantGrant: true },
    reply: {
      attr,
      grant: { chunkId: 2 ** 40 + 1, version: 1, fileLength: 0, chain, isNew: false, truncateTo: -1, permit: Buffer.from('create permit') },
    },
  },
  Mkdir: { request: { h, parent: 7, name: 'sub', mode: S_IFDIR | 0o755, umask: 0o027 }, reply: { attr: dirAttr } },
  Symlink: { request: { h, parent: 7, name: 'ln', target: '../b.txt' }, reply: { attr } },
  Link: { request: { h, ino: 9, parent: 7, name: 'hard' }, reply: { attr } },
  Unlink: { request: { h, parent: 7, name: 'b.txt' }, reply: {} },
  Rmdir: { request: { h, parent: 1, name: 'sub' }, reply: {} },
  Rename: { request: { h, parent: 7, name: 'a', newParent: 8, newName: 'b', flags: RenameFlags.NOREPLACE }, reply: {} },
  ReadLink: { request: { h, ino: 9 }, reply: { target: '../b.txt' } },
  SetAttr: {
    request: {
      h,
      ino: 9,
      mask: SetattrMask.MODE | SetattrMask.SIZE | SetattrMask.MTIME,
      mode: 0o600,
      uid: 5,
      gid: 6,
      size: 2 ** 40,
      atimeMs: -1,
      mtimeMs: 1_700_000_000_000,
    },
    reply: { attr },
  },
  Open: { request: { h, ino: 9, flags: OpenFlags.READ | OpenFlags.WRITE | OpenFlags.TRUNCATE }, reply: { attr } },
  Release: { request: { h, ino: 9 }, reply: {} },
  ReleaseFiles: { request: { h, inos: [9, 9, 12], unwritten: [12] }, reply: { released: 3 } },
  SetXattr: { request: { h, ino: 9, name: 'user.note', value: Buffer.from([0, 1, 255, 0]), flags: XattrFlags.CREATE }, reply: {} },
  GetXattr: { request: { h, ino: 9, name: 'user.note' }, reply: { value: Buffer.from('hello\0world') } },
  ListXattr: { request: { h, ino: 9 }, reply: { names: ['user.a', 'user.b'] } },
  RemoveXattr: { request: { h, ino: 9, name: 'user.a' }, reply: {} },
  Seek: { request: { h, ino: 9, offset: 2 ** 40 + 1, whence: 4 }, reply: { offset: 2 ** 41 } },
  StatFs: {
    request: { h },
    reply: {
      totalBytes: 2 ** 52,
      freeBytes: 2 ** 51 + 3,
      files: 1_000_001,
      freeFiles: 2 ** 32 - 1_000_001,
      blockSize: 65_536,
      nameMax: 255,
    },
  },
  Sync: { request: { h }, reply: {} },
  SetGoal: { request: { h, ino: 7, goal: 3, recursive: true }, reply: { changed: 12_345 } },
  ReadChunk: {
    request: { h, ino: 9, chunkIndex: 262_143, knownLength: 2 ** 44 + 5 },
    reply: { chunkId: 2 ** 52 + 3, version: 2 ** 31 + 1, fileLength: 2 ** 44 - 1, locations: chain, permit: Buffer.from('read permit') },
  },
  WriteChunk: {
    request: { h, ino: 9, chunkIndex: 2 },
    reply: {
      chunkId: 2 ** 52 + 3,
      version: 7,
      fileLength: 2 ** 27,
      chain,
      isNew: true,
      truncateTo: 5_000_000,
      permit: Buffer.from('signed permit'),
    },
  },
  CommitWrite: { request: { h, ino: 9, chunkIndex: 2, chunkId: 2 ** 52 + 3, length: 67_108_864, version: 4_000_000_000 }, reply: { attr } },
  ReportReplica: {
    request: {
      h,
      chunkId: 2 ** 52 + 3,
      serverId: 'cs2',
      code: 'REPLICA_FAILED',
      version: 7,
      acknowledged: ['cs1', 'cs4'],
      ino: 2 ** 50 + 9,
    },
    reply: {},
  },
  SetLock: {
    request: { h, ino: 9, kind: 2, type: 2, owner: 'ffffffff80001234', start: 2 ** 40, end: Number.MAX_SAFE_INTEGER, pid: 4_194_303 },
    reply: {},
  },
  GetLock: {
    request: { h, ino: 9, kind: 2, type: 1, owner: '1', start: 0, end: 99 },
    reply: { type: 2, start: 10, end: Number.MAX_SAFE_INTEGER, pid: 77 },
  },
  ReleaseLocks: { request: { h, ino: 9, owner: 'ab', kinds: 3 }, reply: {} },
};

const dirs = [
  { dir: '/data/a', totalBytes: 2 ** 43, freeBytes: 2 ** 42, usedBytes: 2 ** 30 + 7, chunks: 17, usable: true, error: 'none' },
  { dir: '/data/b', totalBytes: 1, freeBytes: 1, usedBytes: 1, chunks: 1, usable: false, error: 'EIO: i/o error' },
];
const chunks = [
  { chunkId: 2 ** 52 + 3, version: 2 ** 40 + 1, length: 67_108_864 },
  { chunkId: 1, version: 1, length: 1 },
];

const chunkserverSamples: Samples<ChunkserverToMasterRpcs> = {
  Register: {
    request: {
      identity: {
        nodeId: 'cs1',
        clusterId: 'mooseng',
        dataAddress: '10.0.0.1:9420',
        httpPort: 9425,
        labels: { rack: 'r1', zone: 'z2' },
        memberProof: Buffer.alloc(24, 7),
      },
      dirs,
      chunks,
    },
    reply: { masterId: 'm1', clusterId: 'mooseng', session: 2 ** 40 + 9 },
  },
  Heartbeat: {
    request: {
      nodeId: 'cs1',
      session: 2 ** 40 + 9,
      dirs,
      totalBytes: 2 ** 43 + 1,
      freeBytes: 2 ** 42,
      usedBytes: 2 ** 30 + 7,
      chunks: 17,
      lostChunks: chunks,
    },
    reply: {},
  },
  ReportCorrupt: {
    request: {
      nodeId: 'cs1',
      session: 2 ** 40 + 9,
      chunkId: 2 ** 52 + 3,
      version: 2 ** 40 + 1,
      blocks: [0, 7, 1023],
      dir: '/data/a',
      foundBy: 'scrub',
    },
    reply: {},
  },
};

const changeFeedSamples: Samples<ChangeFeedRpcs> = {
  Watch: {
    request: { sessionId: 2 ** 47 + 5, sessionKey },
    reply: { inodes: [1, 2 ** 50 + 1], entries: [{ parent: 2 ** 50 + 1, name: 'a name' }], resync: true },
  },
};

/** Map fields: they decode to {} when absent, where other object fields (sub-messages) decode to null. */
const MAP_FIELDS = new Set(['labels']);

/** What a message decodes to when nothing of it was sent: the zero of every field of `full`. */
function zeroOf(full: Record<string, unknown>): Record<string, unknown> {
  const zero = (key: string, v: unknown): unknown => {
    if (typeof v === 'number') return 0;
    if (typeof v === 'string') return '';
    if (typeof v === 'boolean') return false;
    if (Buffer.isBuffer(v)) return Buffer.alloc(0);
    if (Array.isArray(v)) return [];
    return MAP_FIELDS.has(key) ? {} : null;
  };
  return Object.fromEntries(Object.entries(full).map(([k, v]) => [k, zero(k, v)]));
}

/** Runs the round trips of every method of one service. */
function roundTrips<R extends RpcTable>(service: string, definition: TypedServiceDefinition<R>, samples: Samples<R>): void {
  describe(service, () => {
    it('has a sample for every method of the service', () => {
      expect(Object.keys(samples).sort()).to.deep.equal(Object.keys(definition).sort());
    });

    for (const method of Object.keys(samples) as Array<keyof R & string>) {
      const m = definition[method];
      const { request, reply } = samples[method] as Rpc<Record<string, unknown>, Record<string, unknown>>;
      it(`${method}: request and reply survive encode → decode, and decode from nothing to their zero fields`, () => {
        expect(m.requestDeserialize(m.requestSerialize(request as R[typeof method]['request']))).to.deep.equal(request);
        expect(m.responseDeserialize(m.responseSerialize(reply as R[typeof method]['reply']))).to.deep.equal(reply);
        expect(m.requestDeserialize(Buffer.alloc(0))).to.deep.equal(zeroOf(request));
        expect(m.responseDeserialize(Buffer.alloc(0))).to.deep.equal(zeroOf(reply));
      });
    }
  });
}

describe('control-plane messages', () => {
  roundTrips('ClientToMaster', clientToMasterService().service, clientSamples);
  roundTrips('ChunkserverToMaster', chunkserverToMasterService().service, chunkserverSamples);
  roundTrips('ChangeFeed', changeFeedService().service, changeFeedSamples);

  it('leave no message of client.proto or chunkserver.proto out of these round trips', () => {
    // Every message is a method's request or reply, or a field of one (transitively).
    for (const [file, pkg, services] of [
      ['client.proto', 'client', [clientToMasterService().service, changeFeedService().service]],
      ['chunkserver.proto', 'chunkserver', [chunkserverToMasterService().service]],
    ] as const) {
      const messages = (loadProto(file).mooseng as grpc.GrpcObject)[pkg] as Record<string, { format?: string; type?: DescriptorProto }>;
      const byName = new Map(Object.entries(messages).filter(([, d]) => d.format === 'Protocol Buffer 3 DescriptorProto'));
      const reached = new Set<string>();
      const visit = (name: string): void => {
        if (reached.has(name) || !byName.has(name)) return;
        reached.add(name);
        for (const f of byName.get(name)!.type!.field) if (f.typeName) visit(f.typeName.split('.').pop()!);
      };
      for (const m of services.flatMap((service) => Object.values(service)) as Array<{
        requestType: { type: DescriptorProto };
        responseType: { type: DescriptorProto };
      }>) {
        visit(m.requestType.type.name);
        visit(m.responseType.type.name);
      }
      // Map fields are nested entry types, not package messages: nothing to reach there.
      expect(
        [...byName.keys()].filter((n) => !reached.has(n)),
        `${file}: messages no method uses`,
      ).to.deep.equal([]);
    }
  });

  describe('bytes of older peers', () => {
    const hb = chunkserverToMasterService().service.Heartbeat;

    it('a heartbeat with the reserved results field (9) decodes, the field skipped', () => {
      // node_id = "cs1" (field 1), then field 9 = CommandResult { command_id = 7 }, as a chunkserver before its removal sent it.
      const old = Buffer.from([0x0a, 0x03, 0x63, 0x73, 0x31, 0x4a, 0x02, 0x08, 0x07]);
      const decoded = hb.requestDeserialize(old);
      expect(decoded.nodeId).to.equal('cs1');
      expect(decoded).to.not.have.property('results');
    });

    it('a heartbeat reply with the reserved commands field (1) decodes to the empty reply', () => {
      // commands = [{ command_id = 5 }], as an older master could have sent (none ever did).
      expect(hb.responseDeserialize(Buffer.from([0x0a, 0x02, 0x08, 0x05]))).to.deep.equal({});
    });

    it('a later registration batch encodes identity: null exactly as one without identity', () => {
      const register = chunkserverToMasterService().service.Register;
      const withNull = register.requestSerialize({ identity: null, dirs: [], chunks });
      // What an older chunkserver sent: no identity key at all (the typed form insists on naming it).
      const without = register.requestSerialize({ dirs: [], chunks } as unknown as ChunkserverRequestOf<'Register'>);
      expect(withNull.equals(without)).to.equal(true);
      expect(register.requestDeserialize(withNull).identity).to.equal(null);
    });
  });
});

/** The part of protobuf's DescriptorProto (as proto-loader hands it) this test walks. */
interface DescriptorProto {
  name: string;
  field: Array<{ name: string; typeName?: string }>;
}
