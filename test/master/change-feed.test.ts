// ChangeFeed: which served requests become notices, who is told, and how a watcher that falls behind is resynced
// instead of being queued for without bound.
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { OpenFlags, type RequestOf, silentLogger } from '@mooseng/core';
import { ChangeFeed, LEADERSHIP_CHECK_MS, MAX_PENDING_NOTICES, noticeOf } from '@mooseng/master';
import { ManualClock } from '../support';

const header = (sessionId: number) => ({ sessionId, sessionKey: Buffer.alloc(0), requestId: 1, cred: { uid: 0, gids: [0] } });

/** A Watch call as the feed uses it: the request, written notices, and how many are still queued unsent. */
class FakeWatch extends EventEmitter {
  readonly written: unknown[] = [];
  writableLength = 0;
  ended = false;
  constructor(readonly request: { sessionId: number }) {
    super();
  }
  write(notice: unknown): boolean {
    this.written.push(notice);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

function watchOn(feed: ChangeFeed, sessionId: number): FakeWatch {
  const call = new FakeWatch({ sessionId });
  (feed.service() as { Watch: (c: unknown) => void }).Watch(call);
  return call;
}

describe('master ChangeFeed', () => {
  it('names the entries and inodes a request changed, and nothing for reads and plain opens', () => {
    const rename: RequestOf<'Rename'> = { h: header(1), parent: 1, name: 'a', newParent: 2, newName: 'b', flags: 0 };
    expect(noticeOf('Rename', rename)).to.deep.equal({
      inodes: [1, 2],
      entries: [
        { parent: 1, name: 'a' },
        { parent: 2, name: 'b' },
      ],
      resync: false,
    });
    expect(noticeOf('Unlink', { h: header(1), parent: 5, name: 'x' })?.entries).to.deep.equal([{ parent: 5, name: 'x' }]);
    expect(noticeOf('CommitWrite', { h: header(1), ino: 9, chunkIndex: 0, chunkId: 3, length: 10, version: 1 })?.inodes).to.deep.equal([9]);
    expect(noticeOf('Open', { h: header(1), ino: 9, flags: OpenFlags.READ })).to.equal(null);
    expect(noticeOf('Open', { h: header(1), ino: 9, flags: OpenFlags.WRITE | OpenFlags.TRUNCATE })?.inodes).to.deep.equal([9]);
    expect(noticeOf('GetAttr', { h: header(1), ino: 9 })).to.equal(null);
  });

  it('starts every stream with a resync and tells every session but the one that made the change', () => {
    const feed = new ChangeFeed(() => true, silentLogger);
    const maker = watchOn(feed, 1);
    const other = watchOn(feed, 2);
    feed.published('SetAttr', { h: header(1), ino: 7 } as RequestOf<'SetAttr'>);
    expect(maker.written).to.deep.equal([{ inodes: [], entries: [], resync: true }]);
    expect(other.written.slice(1)).to.deep.equal([{ inodes: [7], entries: [], resync: false }]);
    other.emit('cancelled');
    expect(feed.size).to.equal(1);
  });

  it('ends the streams of its watchers once it no longer leads', () => {
    let leading = true;
    const clock = new ManualClock();
    const feed = new ChangeFeed(() => leading, silentLogger, clock);
    const call = watchOn(feed, 2);
    clock.advance(LEADERSHIP_CHECK_MS);
    expect(call.ended, 'still the leader').to.equal(false);
    leading = false;
    clock.advance(LEADERSHIP_CHECK_MS);
    expect(call.ended).to.equal(true);
    expect(feed.size).to.equal(0);
  });

  it('refuses watchers on a follower', () => {
    const feed = new ChangeFeed(() => false, silentLogger);
    const call = new FakeWatch({ sessionId: 1 });
    let refused: { code?: number } | null = null;
    call.on('error', (err: { code?: number }) => (refused = err));
    (feed.service() as { Watch: (c: unknown) => void }).Watch(call);
    expect(refused, 'an error status').to.not.equal(null);
    expect(feed.size).to.equal(0);
  });

  it('stops writing to a watcher that fell behind, and resyncs it once its stream drains', () => {
    const feed = new ChangeFeed(() => true, silentLogger);
    const slow = watchOn(feed, 2);
    slow.writableLength = MAX_PENDING_NOTICES;
    for (let i = 0; i < 10; i++) feed.published('SetAttr', { h: header(1), ino: i } as RequestOf<'SetAttr'>);
    expect(slow.written.length, 'only the first resync').to.equal(1);
    slow.writableLength = 0;
    slow.emit('drain');
    expect(slow.written.slice(1)).to.deep.equal([{ inodes: [], entries: [], resync: true }]);
    feed.published('SetAttr', { h: header(1), ino: 42 } as RequestOf<'SetAttr'>);
    expect(slow.written.length).to.equal(3);
  });
});
