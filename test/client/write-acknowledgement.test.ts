// A write is acknowledged only when the master took its commit: close and fsync fail with EIO when the master
// refuses it (another client's truncate cut or dropped the chunk since the write's grant), never success.
import { expect } from 'chai';
import { type DataPlaneClient, ErrorCodes, MoosengError, ROOT_INODE, silentLogger } from '@mooseng/core';
import { FileIo, FileSystemClient, type MasterClient, OpenFile } from '@mooseng/client';
import { ManualClock, errorCodeOf } from '../support';
import { fileAttr } from './file-attr';

const CRED = { uid: 0, gids: [0] };
const INO = 5;

const attr = (size: number) => fileAttr(INO, size);

const CHAIN = [
  { serverId: 'cs1', address: '127.0.0.1:1' },
  { serverId: 'cs2', address: '127.0.0.1:2' },
  { serverId: 'cs3', address: '127.0.0.1:3' },
];

/** A master that grants chunk 9 (a new version each time) and answers CommitWrite with `commitError` when set. */
class FakeMaster {
  commitError: MoosengError | null = null;
  readonly commits: Array<Record<string, unknown>> = [];
  readonly reports: Array<Record<string, unknown>> = [];
  /** Every call's method, in the order they came. */
  readonly calls: string[] = [];
  grants = 0;
  /** What the leader said in OpenSession: it acknowledges only what a majority has on disk (sync: commit). */
  durableWhenAcknowledged = false;

  async call(method: string, body: Record<string, unknown>): Promise<unknown> {
    this.calls.push(method);
    switch (method) {
      case 'GetAttr':
        return { attr: { ...attr(0), ino: 1, mode: 0o40755 } };
      case 'Mknod':
        return { attr: attr(0) };
      case 'WriteChunk':
        this.grants++;
        return { chunkId: 9, version: 2 + this.grants, fileLength: 0, chain: CHAIN, isNew: this.grants === 1, truncateTo: -1 };
      case 'SetAttr':
        return { attr: attr(Number(body.size)) };
      case 'ReportReplica':
        this.reports.push(body);
        return {};
      case 'Sync':
        // The masters' durability barrier (fsync's last step): nothing to wait for here.
        return {};
      case 'CommitWrite':
        this.commits.push(body);
        if (this.commitError) throw this.commitError;
        return { attr: attr(Number(body.length)) };
      default:
        throw new Error(`unexpected call ${method}`);
    }
  }
}

/** Chunkservers whose writes and flushes run `onWrite` / `onFlush` (everything succeeds by default). */
class FakeChunkservers {
  onWrite: (address: string, version: number) => void = () => undefined;
  onFlush: (address: string, chain: readonly string[]) => void = () => undefined;
  readonly flushes: string[] = [];
  async create(): Promise<void> {}
  async write(address: string, ref: { version: number }): Promise<void> {
    this.onWrite(address, ref.version);
  }
  async flush(address: string, _ref: unknown, options: { chain?: readonly string[] } = {}): Promise<void> {
    this.flushes.push([address, ...(options.chain ?? [])].join(' > '));
    this.onFlush(address, options.chain ?? []);
  }
}

describe('client: write acknowledgement', () => {
  let master: FakeMaster;
  let chunkservers: FakeChunkservers;
  let fs: FileSystemClient;
  let io: FileIo;
  let clock: ManualClock;

  beforeEach(() => {
    master = new FakeMaster();
    chunkservers = new FakeChunkservers();
    clock = new ManualClock();
    io = new FileIo(master as unknown as MasterClient, chunkservers as unknown as DataPlaneClient, clock, silentLogger);
    fs = new FileSystemClient(master as unknown as MasterClient, io, {
      attrTtlMs: 1_000,
      writeBufferBytes: 1 << 20,
      clock,
      logger: silentLogger,
    });
  });

  it('close fails with EIO when the master refuses the commit (the chunk was cut or dropped by another client)', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('acknowledged?'), 0, CRED);
    master.commitError = new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, 'chunk 9 is no longer slot 0 of inode 5 (truncated meanwhile?)');
    expect(await errorCodeOf(fs.flush(fh, CRED))).to.equal(ErrorCodes.IO_ERROR);
  });

  it('fsync fails with EIO too, and the commit it sent names the version the bytes were written under', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('acknowledged?'), 0, CRED);
    master.commitError = new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, 'chunk 9 moved to version 4 by a truncate');
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal(ErrorCodes.IO_ERROR);
    expect(master.commits[0]).to.include({ chunkId: 9, version: 3, length: 13 });
  });

  it('a chain broken at its second replica is reported with the version and the replica that took the write; the next write takes a new grant', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    chunkservers.onWrite = (address, version) => {
      if (version === 3)
        throw new MoosengError(ErrorCodes.REPLICA_FAILED, 'replica 127.0.0.1:2 failed: IO_ERROR: disk', {
          details: { failedReplica: '127.0.0.1:2' },
        });
    };
    await fs.write(fh, Buffer.from('first'), 0, CRED);
    expect(await errorCodeOf(fs.flush(fh, CRED))).to.equal('OK');
    expect(master.reports).to.deep.equal([
      { ino: INO, chunkId: 9, serverId: 'cs2', code: ErrorCodes.REPLICA_FAILED, version: 3, acknowledged: ['cs1'] },
    ]);
    await fs.write(fh, Buffer.from('second'), 5, CRED);
    expect(await errorCodeOf(fs.flush(fh, CRED))).to.equal('OK');
    expect(master.grants).to.equal(2);
    // The write that stood is committed under the version it was written at.
    expect(master.commits.map((c) => c.version)).to.deep.equal([3, 4]);
  });

  it('a chain whose head has no space left is reported (and the report answered) before the write is tried again under a new grant, and the write is acknowledged', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    chunkservers.onWrite = (address, version) => {
      if (address === '127.0.0.1:1' && version === 3)
        throw new MoosengError(ErrorCodes.NO_SPACE, 'write to chunk 9: data directory /disk1 is full; free space or add a directory');
    };
    await fs.write(fh, Buffer.from('lands elsewhere'), 0, CRED);
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(master.reports).to.deep.equal([
      { ino: INO, chunkId: 9, serverId: 'cs1', code: ErrorCodes.NO_SPACE, version: 3, acknowledged: [] },
    ]);
    // The master leaves the full replica out of the chain before the second grant: the report must come first.
    expect(master.calls.filter((c) => c === 'WriteChunk' || c === 'ReportReplica')).to.deep.equal([
      'WriteChunk',
      'ReportReplica',
      'WriteChunk',
    ]);
    expect(master.commits.map((c) => c.version)).to.deep.equal([4]);
  });

  it('fsync after the replicas moved to a newer version flushes each replica on its own (the move made the write durable)', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('bytes'), 0, CRED);
    chunkservers.onFlush = (address, chain) => {
      if (address === '127.0.0.1:1') throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, 'chunk 9 is at version 4, not 3');
      if (chain.length > 0) throw new Error('no chain expected');
    };
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(chunkservers.flushes).to.deep.equal(['127.0.0.1:1 > 127.0.0.1:2 > 127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    chunkservers.onFlush = () => {
      throw new MoosengError(ErrorCodes.IO_ERROR, 'the disk failed');
    };
    await fs.write(fh, Buffer.from('more'), 5, CRED);
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal(ErrorCodes.IO_ERROR);
  });

  // Found by the model checker (seed 12, 3/3/3): a repair copy moved the replicas and the chunk, over its goal then,
  // lost the copy on one server of the writer's chain; fsync answered EIO although the others held every byte.
  it('fsync after the master deleted one replica of the chain (a copy over the goal) flushes the others and succeeds', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('bytes'), 0, CRED);
    const notHere = (): MoosengError => new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, 'chunk 9 is not on this chunkserver');
    chunkservers.onFlush = (address, chain) => {
      if (address === '127.0.0.1:1') throw notHere();
      if (address === '127.0.0.1:2') throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, 'chunk 9 is at version 4, not 3');
      if (chain.length > 0) throw new Error('no chain expected');
    };
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(chunkservers.flushes).to.deep.equal(['127.0.0.1:1 > 127.0.0.1:2 > 127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    // No replica of the chain has the chunk any more: the bytes are nowhere they were written.
    chunkservers.onFlush = () => {
      throw notHere();
    };
    await fs.write(fh, Buffer.from('more'), 5, CRED);
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal(ErrorCodes.IO_ERROR);
  });

  it("concurrent writes of one chunk share one grant request instead of voiding each other's grants", async () => {
    const file = new OpenFile(INO, clock);
    file.open(1, false, CRED);
    await Promise.all([0, 1, 2, 3].map((i) => io.write(file, i * 100_000, Buffer.alloc(1000, i), CRED)));
    expect(master.grants).to.equal(1);
    // A write refused as stale because another write's grant moved the chunk meanwhile takes that newer grant.
    chunkservers.onWrite = (_address, version) => {
      if (version !== 3) return;
      file.holdGrant(0, { chunkId: 9, version: 4, chain: CHAIN });
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, 'chunk 9 is at version 4, not 3');
    };
    await io.write(file, 0, Buffer.alloc(10), CRED);
    expect(master.grants).to.equal(1);
    expect(file.grant(0)).to.deep.include({ version: 4 });
  });

  it('fsync after a truncate dropped a chunk written since the last fsync does not flush the dropped chunk', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('gone soon'), 0, CRED);
    await fs.setattr(INO, { size: 0 }, fh, CRED);
    chunkservers.onFlush = () => {
      throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, 'chunk 9 is not on this chunkserver');
    };
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(chunkservers.flushes).to.deep.equal([]);
  });

  it("fsync ends with the masters' Sync barrier, unless the leader acknowledges only what is on a majority's disks", async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('durable'), 0, CRED);
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(master.calls.filter((c) => c === 'Sync')).to.have.length(1);
    master.durableWhenAcknowledged = true;
    await fs.write(fh, Buffer.from('durable again'), 0, CRED);
    expect(await errorCodeOf(fs.fsync(fh, CRED))).to.equal('OK');
    expect(
      master.calls.filter((c) => c === 'Sync'),
      'Sync calls',
    ).to.have.length(1);
    expect(master.commits).to.have.length(2);
  });

  it('a commit the master takes makes close succeed', async () => {
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    await fs.write(fh, Buffer.from('acknowledged'), 0, CRED);
    expect(await errorCodeOf(fs.flush(fh, CRED))).to.equal('OK');
    expect(master.commits).to.have.length(1);
  });
});
