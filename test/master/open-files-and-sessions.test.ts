// Sessions and open files: unlink of an open file keeps the inode until the last close; closing a session releases all.
import { expect } from 'chai';
import { OpenFlags } from '@mooseng/core';
import { ALICE, Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: open files and sessions', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('keeps an unlinked file while a session holds it open and frees it (and its chunks) on the last release', () => {
    h.openSession(5);
    const f = h.create(ROOT_INODE, 'f', 0o644, ROOT, true);
    h.ok({ op: 'open', ino: f.ino, flags: OpenFlags.READ, cred: ROOT }); // opened twice now
    const g = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT });
    h.ok({ op: 'unlink', parent: ROOT_INODE, name: 'f', cred: ROOT });
    expect(Harness.queryCode(() => h.lookup(ROOT_INODE, 'f'))).to.equal('ENOENT');
    const orphan = h.sm.getattr(f.ino);
    expect(orphan.nlink).to.equal(0);
    expect(h.sm.statfs().orphans).to.equal(1);
    // Still usable through the handle: writes commit, attributes change.
    h.ok({ op: 'commitWrite', ino: f.ino, chunkIndex: 0, chunkId: g.chunkId, length: 100, cred: ROOT });
    expect(h.sm.getattr(f.ino).size).to.equal(100);
    // A hard link to an unlinked file is refused.
    expect(h.code({ op: 'link', ino: f.ino, parent: ROOT_INODE, name: 'back', cred: ROOT })).to.equal('ENOENT');
    h.ok({ op: 'release', ino: f.ino });
    expect(h.sm.getattr(f.ino).nlink).to.equal(0);
    h.ok({ op: 'release', ino: f.ino });
    expect(Harness.queryCode(() => h.sm.getattr(f.ino))).to.equal('ENOENT');
    expect(h.sm.chunkInfo(g.chunkId)).to.equal(undefined);
    expect(h.sm.pendingDeletions(10)).to.deep.equal([{ chunkId: g.chunkId, version: 1 }]);
    expect(h.code({ op: 'release', ino: f.ino })).to.equal('EINVAL');
  });

  it('releases a batch in one command: each listed open once, inodes not held open skipped, orphans freed', () => {
    h.openSession(6);
    const f = h.create(ROOT_INODE, 'f', 0o644, ROOT, true);
    h.ok({ op: 'open', ino: f.ino, flags: OpenFlags.READ, cred: ROOT }); // opened twice now
    const g = h.create(ROOT_INODE, 'g', 0o644, ROOT, true);
    h.ok({ op: 'unlink', parent: ROOT_INODE, name: 'f', cred: ROOT });
    const r = h.ok({ op: 'releaseFiles', inos: [f.ino, g.ino, 999_999, f.ino] });
    expect(r).to.deep.include({ kind: 'count', count: 3 });
    expect(Harness.queryCode(() => h.sm.getattr(f.ino))).to.equal('ENOENT');
    expect(h.sm.listSessions()[0]!.openInodes).to.equal(0);
    // Nothing left open: another batch releases nothing and fails nothing.
    expect(h.ok({ op: 'releaseFiles', inos: [g.ino] })).to.deep.include({ kind: 'count', count: 0 });
  });

  it('frees every orphan a session held when the session closes, but not files another session holds', () => {
    h.openSession(1);
    const a = h.create(ROOT_INODE, 'a', 0o644, ROOT, true);
    const b = h.create(ROOT_INODE, 'b', 0o644, ROOT, true);
    h.openSession(2);
    h.ok({ op: 'open', ino: b.ino, flags: OpenFlags.READ, cred: ROOT });
    h.ok({ op: 'unlink', parent: ROOT_INODE, name: 'a', cred: ROOT });
    h.ok({ op: 'unlink', parent: ROOT_INODE, name: 'b', cred: ROOT });
    h.sessionId = 1;
    h.ok({ op: 'closeSession' });
    expect(Harness.queryCode(() => h.sm.getattr(a.ino))).to.equal('ENOENT');
    expect(h.sm.getattr(b.ino).nlink).to.equal(0);
    expect(h.sm.listSessions().map((s) => s.id)).to.deep.equal([2]);
    h.sessionId = 2;
    h.ok({ op: 'closeSession' });
    expect(Harness.queryCode(() => h.sm.getattr(b.ino))).to.equal('ENOENT');
  });

  it('answers SESSION_EXPIRED for commands of a closed or unknown session', () => {
    h.openSession(9);
    h.ok({ op: 'closeSession' });
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'd', mode: 0o755, cred: ROOT })).to.equal('SESSION_EXPIRED');
    h.sessionId = 12345;
    expect(h.code({ op: 'open', ino: ROOT_INODE, flags: OpenFlags.READ, cred: ROOT })).to.equal('SESSION_EXPIRED');
  });

  it('openSession is idempotent for the id the leader chose', () => {
    h.openSession(3);
    h.create(ROOT_INODE, 'f', 0o644, ROOT, true);
    h.openSession(3);
    expect(h.sm.listSessions()).to.have.length(1);
    expect(h.sm.listSessions()[0].openInodes).to.equal(1);
  });

  it('O_TRUNC empties the file and refuses read-only opens; writing a directory is EISDIR', () => {
    h.openSession(4);
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777);
    const f = h.create(pub.ino, 'f', 0o644, ALICE);
    h.ok({ op: 'setattr', ino: f.ino, mask: 8, mode: 0, uid: 0, gid: 0, size: 5000, atime: 0, mtime: 0, cred: ALICE });
    expect(h.code({ op: 'open', ino: f.ino, flags: OpenFlags.READ | OpenFlags.TRUNCATE, cred: ALICE })).to.equal('EINVAL');
    const a = h.attr({ op: 'open', ino: f.ino, flags: OpenFlags.WRITE | OpenFlags.TRUNCATE, cred: ALICE });
    expect(a.size).to.equal(0);
    expect(h.code({ op: 'open', ino: pub.ino, flags: OpenFlags.WRITE, cred: ROOT })).to.equal('EISDIR');
  });
});
