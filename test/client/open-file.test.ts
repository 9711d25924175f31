// The client's OpenFile on a manual clock: when uncommitted writes fall due, how written ends and buffered writes
// merge, which size the client answers for, how long grants live, and when read-ahead is dropped.
import { expect } from 'chai';
import {
  type BufferedRange,
  COMMIT_INTERVAL_MS,
  type FetchRange,
  type FileHandle,
  OpenFile,
  READAHEAD_BYTES,
  WRITE_GRANT_REUSE_MS,
} from '@mooseng/client';
import { ManualClock } from '../support';

const KIB = 1024;
const MIB = 1024 * KIB;
/** The size of the kernel's reads on a mount (libfuse 2's 128 KiB request cap). */
const FUSE_READ_BYTES = 128 * KIB;
const OWNER = { uid: 1000, gids: [1000] };
const CHAIN = [{ serverId: 'cs1', address: '127.0.0.1:1' }];

/** A file's bytes on "the chunkservers", and every range fetched from them. */
class BackingFile {
  readonly fetches: Array<[offset: number, length: number]> = [];
  constructor(public content: Buffer) {}

  readonly fetch: FetchRange = async (offset, length) => {
    this.fetches.push([offset, length]);
    return Buffer.from(this.content.subarray(offset, offset + length));
  };
}

/** Bytes that say where they are: byte i is (i * 7 + seed) mod 251. */
function pattern(length: number, seed = 0): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

describe('client OpenFile', () => {
  let clock: ManualClock;
  let file: OpenFile;
  let handle: FileHandle;

  beforeEach(() => {
    clock = new ManualClock();
    file = new OpenFile(42, clock);
    handle = file.open(1, false, OWNER);
  });

  describe('commit deadline', () => {
    it('falls due only once the oldest uncommitted write is more than COMMIT_INTERVAL_MS old', () => {
      expect(file.commitDue(), 'nothing written').to.equal(false);
      file.wrote(0, 7, 100, 1);
      clock.advance(COMMIT_INTERVAL_MS);
      expect(file.commitDue()).to.equal(false);
      clock.advance(1);
      expect(file.commitDue()).to.equal(true);
    });

    it('runs from the oldest uncommitted write, so a steady writer still commits about once a second', () => {
      file.wrote(0, 7, 100, 1);
      for (let t = 0; t < COMMIT_INTERVAL_MS; t += 100) {
        clock.advance(100);
        file.wrote(0, 7, 100 + t, 1);
      }
      clock.advance(1);
      expect(file.commitDue()).to.equal(true);
    });

    it('stays due while part of the writes is still uncommitted', () => {
      file.wrote(0, 7, 100, 1);
      file.wrote(1, 8, 64 * MIB + 5, 1);
      clock.advance(COMMIT_INTERVAL_MS + 1);
      file.committed(0, file.toCommit()[0]![1]);
      expect(file.commitDue()).to.equal(true);
    });

    it('starts over from the first write after everything was committed', () => {
      file.wrote(0, 7, 100, 1);
      clock.advance(COMMIT_INTERVAL_MS + 1);
      file.committed(0, file.toCommit()[0]![1]);
      expect(file.commitDue()).to.equal(false);
      clock.advance(10 * COMMIT_INTERVAL_MS);
      expect(file.commitDue(), 'idle with nothing uncommitted').to.equal(false);
      file.wrote(0, 7, 200, 1);
      clock.advance(COMMIT_INTERVAL_MS);
      expect(file.commitDue()).to.equal(false);
      clock.advance(1);
      expect(file.commitDue()).to.equal(true);
    });
  });

  describe('uncommitted ends', () => {
    it('keeps the furthest end written in each chunk, whatever order the writes came in', () => {
      file.wrote(0, 7, 4096, 1);
      file.wrote(0, 7, 100, 1);
      file.wrote(1, 8, 64 * MIB + 10, 1);
      file.wrote(1, 8, 64 * MIB + 9_000, 1);
      expect(file.toCommit()).to.deep.equal([
        [0, { chunkId: 7, version: 1, end: 4096 }],
        [1, { chunkId: 8, version: 1, end: 64 * MIB + 9_000 }],
      ]);
      expect(file.uncommittedEnd()).to.equal(64 * MIB + 9_000);
    });

    it('keeps to be committed what a write added while the commit of that chunk was on its way', () => {
      file.wrote(0, 7, 4096, 1);
      const [[index, told]] = file.toCommit() as [[number, { chunkId: number; version: number; end: number }]];
      file.wrote(0, 7, 8192, 1); // lands while CommitWrite(end 4096) is in flight
      file.wrote(1, 8, 64 * MIB + 1, 1);
      file.committed(index, told);
      file.committed(1, { chunkId: 8, version: 1, end: 64 * MIB + 1 });
      expect(file.toCommit()).to.deep.equal([[0, { chunkId: 7, version: 1, end: 8192 }]]);
      expect(file.uncommittedEnd()).to.equal(8192);
      file.committed(0, { chunkId: 7, version: 1, end: 8192 });
      expect(file.toCommit()).to.deep.equal([]);
    });

    it('starts a slot over when its chunk was replaced (cut and written anew)', () => {
      file.wrote(0, 7, 4096, 1);
      file.wrote(0, 9, 100, 1);
      expect(file.toCommit()).to.deep.equal([[0, { chunkId: 9, version: 1, end: 100 }]]);
    });

    it("answers for the longest of the master's size, its uncommitted end and every handle's buffered writes", () => {
      const other = file.open(2, false, OWNER);
      expect(file.knownSize(500)).to.equal(500);
      file.wrote(0, 7, 800, 1);
      expect(file.knownSize(500)).to.equal(800);
      other.buffer(800, Buffer.alloc(300));
      expect(file.knownSize(500)).to.equal(1100);
      expect(file.knownSize(5000)).to.equal(5000);
    });
  });

  describe('write-back buffer', () => {
    it('merges contiguous writes into one range, in order', () => {
      expect(handle.buffer(10, Buffer.from('ab'))).to.equal(true);
      expect(handle.buffer(12, Buffer.from('cd'))).to.equal(true);
      expect(handle.buffer(14, Buffer.from('e'))).to.equal(true);
      expect(handle.bufferedBytes).to.equal(5);
      expect(handle.bufferedEnd()).to.equal(15);
      const [range, ...more] = handle.takeBuffered();
      expect(more).to.deep.equal([]);
      expect(range!.offset).to.equal(10);
      expect(range!.data.toString()).to.equal('abcde');
      expect(handle.takeBuffered(), 'taken').to.deep.equal([]);
    });

    it('refuses a write that does not continue the range, keeping what it holds to be sent first', () => {
      handle.buffer(0, Buffer.from('ab'));
      expect(handle.buffer(10, Buffer.from('x')), 'a gap').to.equal(false);
      expect(handle.buffer(1, Buffer.from('z')), 'an overlap').to.equal(false);
      expect(handle.takeBuffered()[0]!.data.toString()).to.equal('ab');
      expect(handle.buffer(10, Buffer.from('x'))).to.equal(true);
      expect(handle.takeBuffered()[0]).to.deep.include({ offset: 10 });
    });

    it('with merging (the write-back cache) takes writes anywhere: gaps stay separate ranges, overlaps take the newer bytes', () => {
      expect(handle.buffer(100, Buffer.from('cccc'), true)).to.equal(true);
      expect(handle.buffer(0, Buffer.from('aaaa'), true)).to.equal(true);
      expect(handle.buffer(50, Buffer.from('bb'), true)).to.equal(true);
      expect(handle.bufferedBytes).to.equal(10);
      expect(handle.bufferOverlaps(4, 50), 'the gap between two ranges').to.equal(false);
      expect(handle.bufferOverlaps(51, 52)).to.equal(true);
      // Over the end of one range and the start of the next, and touching: one range, the newer bytes on top.
      handle.buffer(2, Buffer.from('XX'), true);
      handle.buffer(4, Buffer.from('YY'), true);
      handle.buffer(99, Buffer.from('ZZ'), true);
      expect(handle.bufferedBytes).to.equal(4 + 2 + 2 + 5);
      expect(handle.bufferedEnd()).to.equal(104);
      expect(handle.takeBuffered().map((r) => [r.offset, r.data.toString()])).to.deep.equal([
        [0, 'aaXXYY'],
        [50, 'bb'],
        [99, 'ZZccc'],
      ]);
      expect(handle.bufferedBytes).to.equal(0);
    });

    it('with merging, a write across several ranges and the gaps between them joins them into one', () => {
      for (let i = 0; i < 10; i++) handle.buffer(i * 10, Buffer.from('ab'), true);
      expect(handle.takeBuffered().length).to.equal(10);
      for (let i = 0; i < 10; i++) handle.buffer(i * 10, Buffer.from('ab'), true);
      // [2, 90) touches the first range's end and the last one's start and covers the eight between.
      handle.buffer(2, Buffer.alloc(88, 'z'), true);
      expect(handle.bufferedBytes).to.equal(92);
      const ranges = handle.takeBuffered();
      expect(ranges.map((r) => [r.offset, r.data.length])).to.deep.equal([[0, 92]]);
      expect(ranges[0]!.data.toString()).to.equal(`ab${'z'.repeat(88)}ab`);
    });

    it('keeps its own copy of the bytes (FUSE reuses its request buffer)', () => {
      const request = Buffer.from('hello');
      handle.buffer(0, request);
      request.fill(0);
      expect(handle.takeBuffered()[0]!.data.toString()).to.equal('hello');
    });
  });

  describe('write grants', () => {
    it('reuses a grant for WRITE_GRANT_REUSE_MS, then asks the master again', () => {
      file.holdGrant(3, { chunkId: 7, version: 2, chain: CHAIN });
      clock.advance(WRITE_GRANT_REUSE_MS - 1);
      expect(file.grant(3)).to.deep.include({ chunkId: 7, version: 2 });
      clock.advance(1);
      expect(file.grant(3)).to.equal(undefined);
    });

    it('forgets a refused grant, and every grant when the file is cut', () => {
      file.holdGrant(0, { chunkId: 7, version: 1, chain: CHAIN });
      file.holdGrant(1, { chunkId: 8, version: 1, chain: CHAIN });
      file.dropGrant(0, { chunkId: 7, version: 1 });
      expect(file.grant(0)).to.equal(undefined);
      expect(file.grant(1)).to.not.equal(undefined);
      file.cut();
      expect(file.grant(1)).to.equal(undefined);
    });

    it('keeps a newer grant when an older one is refused (concurrent writes of one chunk must not void each other)', () => {
      file.holdGrant(0, { chunkId: 7, version: 2, chain: CHAIN });
      file.dropGrant(0, { chunkId: 7, version: 1 });
      expect(file.grant(0)).to.deep.include({ version: 2 });
      file.dropGrant(0, { chunkId: 7, version: 2 });
      expect(file.grant(0)).to.equal(undefined);
    });

    it('gives its grants up with the last handle, not before', () => {
      const other = file.open(2, false, OWNER);
      file.holdGrant(0, { chunkId: 7, version: 1, chain: CHAIN });
      file.close(handle);
      expect(file.grant(0), 'one handle still open').to.not.equal(undefined);
      file.close(other);
      expect(file.isOpen).to.equal(false);
      expect(file.grant(0)).to.equal(undefined);
    });
  });

  describe('fsync', () => {
    const chain = ['a', 'b', 'c'].map((n) => ({ serverId: n, address: `${n}:1` }));

    it('flushes a chunk on its whole chain, once', () => {
      const grant = file.holdGrant(0, { chunkId: 7, version: 3, chain });
      file.mustSync(0, grant);
      expect(file.takeUnsynced()).to.deep.equal([grant]);
      expect(file.takeUnsynced()).to.deep.equal([]);
    });

    it('has nothing to flush of chunks a truncate dropped whole, and keeps the cut one', () => {
      const first = file.holdGrant(0, { chunkId: 7, version: 3, chain });
      const second = file.holdGrant(1, { chunkId: 8, version: 1, chain });
      file.mustSync(0, first);
      file.mustSync(1, second);
      file.truncated(64 * MIB + 1);
      expect(file.takeUnsynced().map((g) => g.chunkId)).to.deep.equal([7, 8]);
      file.mustSync(0, first);
      file.mustSync(1, second);
      file.truncated(10);
      expect(file.takeUnsynced().map((g) => g.chunkId)).to.deep.equal([7]);
      file.mustSync(0, first);
      file.truncated(0);
      expect(file.takeUnsynced()).to.deep.equal([]);
    });

    it('still flushes a write whose chain broke on the replicas before the one that failed it', () => {
      const grant = file.holdGrant(0, { chunkId: 7, version: 3, chain });
      file.mustSync(0, grant, 'c:1');
      expect(file.takeUnsynced().map((g) => g.chain.map((c) => c.serverId))).to.deep.equal([['a', 'b']]);
      file.mustSync(0, grant, 'b:1');
      expect(file.takeUnsynced().map((g) => g.chain.map((c) => c.serverId))).to.deep.equal([['a']]);
      file.mustSync(0, grant, 'unknown:1');
      expect(
        file.takeUnsynced().map((g) => g.chain.map((c) => c.serverId)),
        'the head has it at least',
      ).to.deep.equal([['a']]);
    });
  });

  describe('sends on their way', () => {
    const range = (offset: number, length: number): BufferedRange => ({ offset, data: Buffer.alloc(length) });

    it('settle for a reader once every send started before it settled, failed ones too, and not later ones', async () => {
      let finishFirst!: () => void;
      let failSecond!: (err: Error) => void;
      const first = file.sending(range(0, 10), new Promise<void>((resolve) => (finishFirst = resolve)));
      const second = file.sending(range(10, 10), new Promise<void>((_, reject) => (failSecond = reject)));
      second.catch(() => undefined); // the sender's failure, not the reader's
      let settled = false;
      const reader = file.sendsSettled().then(() => (settled = true));
      const later = file.sending(range(20, 10), new Promise<void>(() => undefined)); // never settles
      void later;
      finishFirst();
      await first;
      await Promise.resolve();
      expect(settled, 'one send still on its way').to.equal(false);
      failSecond(new Error('refused'));
      await reader;
      expect(settled).to.equal(true);
    });

    it("finds a write overlapping another handle's buffered bytes, or bytes on their way, but not its own handle's", async () => {
      const other = file.open(2, false, OWNER);
      handle.buffer(0, Buffer.alloc(100));
      expect(file.olderWritesOverlap(handle, 50, 10), 'its own buffer').to.equal(false);
      expect(file.olderWritesOverlap(other, 50, 10)).to.equal(true);
      expect(file.olderWritesOverlap(other, 100, 10), 'right after it').to.equal(false);
      expect(file.olderWritesOverlap(other, 90, 10), 'its last byte').to.equal(true);
      let finish!: () => void;
      const send = file.sending(handle.takeBuffered()[0]!, new Promise<void>((resolve) => (finish = resolve)));
      expect(file.olderWritesOverlap(handle, 50, 10), 'its own bytes, on their way').to.equal(true);
      finish();
      await send;
      await Promise.resolve();
      expect(file.olderWritesOverlap(handle, 50, 10), 'sent').to.equal(false);
    });
  });

  describe('lifetime', () => {
    it('holds writes past the last close until they are committed and synced', () => {
      const grant = file.holdGrant(0, { chunkId: 7, version: 1, chain: CHAIN });
      file.wrote(0, 7, 100, 1);
      file.mustSync(0, grant);
      file.close(handle);
      expect(file.holdsWrites()).to.equal(true);
      file.committed(0, file.toCommit()[0]![1]);
      expect(file.holdsWrites(), 'committed, not synced').to.equal(true);
      expect(file.takeUnsynced()).to.deep.equal([grant]);
      expect(file.holdsWrites()).to.equal(false);
      expect(file.takeUnsynced(), 'synced once').to.deep.equal([]);
    });
  });

  describe('read-ahead', () => {
    let disk: BackingFile;

    beforeEach(() => {
      disk = new BackingFile(pattern(3 * READAHEAD_BYTES));
    });

    async function readAt(h: FileHandle, position: number, length = FUSE_READ_BYTES): Promise<Buffer> {
      return h.read(position, length, disk.fetch);
    }

    it('serves sequential reads from one window, fetching the next one past the middle of it', async () => {
      const hits: boolean[] = [];
      for (let pos = 0; pos < READAHEAD_BYTES / 2; pos += FUSE_READ_BYTES) {
        const got = await handle.read(pos, FUSE_READ_BYTES, disk.fetch, (hit) => hits.push(hit));
        expect(got.equals(disk.content.subarray(pos, pos + FUSE_READ_BYTES)), `bytes at ${pos}`).to.equal(true);
      }
      expect(disk.fetches).to.deep.equal([[0, READAHEAD_BYTES]]);
      expect(hits[0], 'the first read starts the window').to.equal(false);
      expect(hits.slice(1).every((h) => h)).to.equal(true);
      await readAt(handle, READAHEAD_BYTES / 2);
      expect(disk.fetches).to.deep.equal([
        [0, READAHEAD_BYTES],
        [READAHEAD_BYTES, READAHEAD_BYTES],
      ]);
    });

    it('reads straight through for reads that are not sequential', async () => {
      const got = await readAt(handle, 5 * MIB, 4 * KIB);
      expect(got.equals(disk.content.subarray(5 * MIB, 5 * MIB + 4 * KIB))).to.equal(true);
      await readAt(handle, 1 * MIB, 4 * KIB);
      expect(disk.fetches).to.deep.equal([
        [5 * MIB, 4 * KIB],
        [1 * MIB, 4 * KIB],
      ]);
    });

    it('answers reads inside a window still in flight from that one fetch (the kernel sends several at once)', async () => {
      const reads = [0, 1, 2, 3].map((i) => readAt(handle, i * FUSE_READ_BYTES));
      const got = await Promise.all(reads);
      expect(disk.fetches).to.deep.equal([[0, READAHEAD_BYTES]]);
      got.forEach((b, i) => expect(b.equals(disk.content.subarray(i * FUSE_READ_BYTES, (i + 1) * FUSE_READ_BYTES))).to.equal(true));
    });

    it('short-reads at the end of the file', async () => {
      disk.content = pattern(FUSE_READ_BYTES + 10);
      expect((await readAt(handle, 0)).length).to.equal(FUSE_READ_BYTES);
      expect((await readAt(handle, FUSE_READ_BYTES)).length).to.equal(10);
      expect((await readAt(handle, FUSE_READ_BYTES + 10)).length).to.equal(0);
    });

    it("drops every handle's windows when any handle of the file buffers a write, so reads see the new bytes", async () => {
      const writer = file.open(2, false, OWNER);
      await readAt(handle, 0);
      expect((await readAt(handle, FUSE_READ_BYTES)).equals(disk.content.subarray(FUSE_READ_BYTES, 2 * FUSE_READ_BYTES))).to.equal(true);
      // Another handle writes over the second read's range; once sent, the chunkservers hold the new bytes.
      const fresh = pattern(FUSE_READ_BYTES, 99);
      expect(writer.buffer(FUSE_READ_BYTES, fresh)).to.equal(true);
      fresh.copy(disk.content, FUSE_READ_BYTES);
      const again = await readAt(handle, FUSE_READ_BYTES);
      expect(again.equals(fresh), 'the read after the write sees it, not the old window').to.equal(true);
      expect(disk.fetches.length).to.equal(2);
    });

    it('drops the windows when the file is cut', async () => {
      await readAt(handle, 0);
      disk.content = Buffer.alloc(0);
      file.cut();
      expect((await readAt(handle, FUSE_READ_BYTES)).length).to.equal(0);
    });

    it("keeps other files' windows when one file is written", async () => {
      const otherFile = new OpenFile(43, clock);
      const otherHandle = otherFile.open(3, false, OWNER);
      await readAt(handle, 0);
      otherHandle.buffer(0, Buffer.from('x'));
      await readAt(handle, FUSE_READ_BYTES);
      expect(disk.fetches).to.deep.equal([[0, READAHEAD_BYTES]]);
    });

    it('forgets a window whose fetch failed, and fetches again at the next read', async () => {
      let fail = true;
      const flaky: FetchRange = (offset, length) => (fail ? Promise.reject(new Error('replica down')) : disk.fetch(offset, length));
      let error: unknown;
      await handle.read(0, FUSE_READ_BYTES, flaky).catch((err: unknown) => (error = err));
      expect((error as Error).message).to.equal('replica down');
      fail = false;
      const got = await handle.read(0, FUSE_READ_BYTES, flaky);
      expect(got.equals(disk.content.subarray(0, FUSE_READ_BYTES))).to.equal(true);
    });
  });
});
