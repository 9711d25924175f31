// Whole-state checker for tests: link counts, parents, chunk references and derived counters all agree.
import { expect } from 'chai';
import { ROOT_INODE, S_IFDIR, S_IFLNK, S_IFREG } from '@mooseng/core';
import type { NamespaceStateMachine } from '@mooseng/master';

/** Throws (with a description) at the first inconsistency in the state. */
export function checkInvariants(sm: NamespaceStateMachine): void {
  const tree = sm.tree;
  const names = new Map<number, number>(); // ino → names pointing at it
  const namingDirs = new Map<number, number[]>(); // non-directory → the directories of its names
  const subdirs = new Map<number, number>();
  const chunkRefs = new Map<number, number>();
  let fileBytes = 0;
  const types = new Map<number, number>();
  for (const inode of tree.inodes.values()) {
    types.set(inode.type, (types.get(inode.type) ?? 0) + 1);
    if (inode.isDir()) {
      for (const [name, child] of inode.entries) {
        const c = tree.inodes.get(child);
        expect(c, `entry ${name} of ${inode.ino} points at missing inode ${child}`).to.not.equal(undefined);
        names.set(child, (names.get(child) ?? 0) + 1);
        if (!c!.isDir()) namingDirs.set(child, [...(namingDirs.get(child) ?? []), inode.ino]);
        if (c!.isDir()) {
          expect(c!.parent, `parent of directory ${child}`).to.equal(inode.ino);
          subdirs.set(inode.ino, (subdirs.get(inode.ino) ?? 0) + 1);
        }
      }
    }
    if (inode.isFile()) {
      fileBytes += inode.size;
      for (const id of inode.chunks) if (id !== 0) chunkRefs.set(id, (chunkRefs.get(id) ?? 0) + 1);
      expect(inode.chunks.length, `slots of ${inode.ino} beyond its size`).to.be.at.most(
        Math.max(Math.ceil(inode.size / 2 ** 26), inode.chunks.length),
      );
    }
  }
  for (const inode of tree.inodes.values()) {
    const n = names.get(inode.ino) ?? 0;
    if (inode.ino === ROOT_INODE) {
      expect(n, 'root has no name').to.equal(0);
    } else if (inode.isDir()) {
      if (n === 0) {
        expect(inode.nlink, `unlinked directory ${inode.ino}`).to.equal(0);
      } else {
        expect(n, `directory ${inode.ino} has one name`).to.equal(1);
      }
    } else {
      expect(inode.nlink, `link count of ${inode.ino}`).to.equal(n);
      // The derived index subtree exports use (link-parents.ts) names the same directories as the entries.
      const byIndex = [...tree.directoriesNaming(inode.ino)].sort((x, y) => x - y);
      expect(byIndex, `directories naming ${inode.ino}`).to.deep.equal((namingDirs.get(inode.ino) ?? []).sort((x, y) => x - y));
    }
    if (inode.isDir() && inode.nlink > 0)
      expect(inode.nlink, `nlink of directory ${inode.ino}`).to.equal(2 + (subdirs.get(inode.ino) ?? 0));
    if (inode.nlink === 0) expect(tree.openCounts.has(inode.ino), `unnamed inode ${inode.ino} is held open`).to.equal(true);
  }
  // Open counts are the sum over sessions.
  const opens = new Map<number, number>();
  for (const s of sm.sessions.sessions.values()) for (const [ino, c] of s.opens) opens.set(ino, (opens.get(ino) ?? 0) + c);
  expect([...opens].sort()).to.deep.equal([...tree.openCounts].sort());
  for (const ino of opens.keys()) expect(tree.inodes.has(ino), `open inode ${ino} exists`).to.equal(true);
  // Chunk table: every referenced chunk exists with refs = references; nothing else is in it.
  expect(tree.chunkTable.chunks.size, 'chunk table size').to.equal(chunkRefs.size);
  for (const [id, refs] of chunkRefs) {
    const rec = tree.chunkTable.get(id);
    expect(rec, `chunk ${id}`).to.not.equal(undefined);
    expect(rec!.refs, `refs of chunk ${id}`).to.equal(refs);
    expect(tree.chunkTable.deletions.has(id), `live chunk ${id} queued for deletion`).to.equal(false);
    expect(id).to.be.below(tree.chunkTable.nextChunkId);
    // Versions: the base is never above the current version, and the reserved number never below it.
    expect(rec!.base, `base of chunk ${id}`).to.be.at.most(rec!.version);
    expect(rec!.top, `reserved version of chunk ${id}`).to.be.at.least(rec!.version);
  }
  for (const t of tree.chunkTable.truncations.values())
    expect(chunkRefs.has(t.chunkId), `truncation of dead chunk ${t.chunkId}`).to.equal(true);
  const stats = sm.statfs();
  expect(stats.fileBytes, 'fileBytes').to.equal(fileBytes);
  expect(stats.files).to.equal(types.get(S_IFREG) ?? 0);
  expect(stats.directories).to.equal(types.get(S_IFDIR) ?? 0);
  expect(stats.symlinks).to.equal(types.get(S_IFLNK) ?? 0);
  for (const ino of tree.inodes.keys()) expect(ino).to.be.below(tree.nextInode);
  // Locks: every lock belongs to a live session that holds its file open, and an inode without locks has no entry.
  for (const [ino, locks] of sm.locks.inodes) {
    expect(locks.empty, `empty lock entry of ${ino}`).to.equal(false);
    for (const l of [...locks.flocks, ...locks.ranges]) {
      const session = sm.sessions.get(l.sessionId);
      expect(session?.opens.has(ino), `lock of session ${l.sessionId} on ${ino} it does not hold open`).to.equal(true);
    }
    for (let i = 1; i < locks.ranges.length; i++) {
      const [a, b] = [locks.ranges[i - 1]!, locks.ranges[i]!];
      if (a.sessionId === b.sessionId && a.owner === b.owner)
        expect(
          a.end < b.start && !(a.type === b.type && a.end + 1 === b.start),
          `ranges of one owner on ${ino} overlap or are unmerged`,
        ).to.equal(true);
    }
  }
}
