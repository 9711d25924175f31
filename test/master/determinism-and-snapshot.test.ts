// Determinism: the same commands give byte-identical state and results on two masters, across a snapshot/restore.
import { expect } from 'chai';
import { decodeCommand, decodeResult, encodeCommand, NamespaceStateMachine, type CommandBody, type Credentials } from '@mooseng/master';
import { LOCK_TO_EOF } from '@mooseng/core';
import { ALICE, BOB, ROOT } from './harness';
import { checkInvariants } from './invariants';

/** mulberry32: a small seeded PRNG so a failure replays from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates random, often failing, commands over the inodes seen so far. */
class CommandGenerator {
  readonly inodes: number[] = [1];
  /** Inodes seen as directories: most commands target one, so that most of them can succeed. */
  readonly dirs: number[] = [1];
  readonly chunks: Array<{ ino: number; index: number; chunkId: number }> = [];
  /** Files some session opened (by open or create-and-open), for lock commands. */
  readonly opened: Array<{ ino: number; sessionId: number }> = [];
  private readonly sent: Uint8Array[] = [];
  private now = 1_000_000;
  private requestId = 0;
  private sessions = [0, 11, 12];

  constructor(private readonly rand: () => number) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)];
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  next(): Uint8Array {
    // Sometimes retry an earlier command verbatim, as a client would after PROPOSAL_DROPPED.
    if (this.sent.length > 0 && this.rand() < 0.05) return this.pick(this.sent.slice(-50));
    if (this.rand() < 0.08) {
      // Mostly on a file the session opened, where a lock can be granted.
      const target =
        this.opened.length > 0 && this.rand() < 0.8
          ? this.pick(this.opened)
          : { ino: this.pick(this.inodes), sessionId: this.pick(this.sessions) };
      return this.encode(this.lockCommand(target.ino), target.sessionId);
    }
    const cred: Credentials = this.pick([ROOT, ROOT, ALICE, BOB]);
    const ino = this.pick(this.inodes);
    const parent = this.rand() < 0.85 ? this.pick(this.dirs) : this.pick(this.inodes);
    const name = this.pick(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const r = this.int(100);
    let body: CommandBody;
    if (r < 14) body = { op: 'mkdir', parent, name, mode: this.pick([0o755, 0o777, 0o1777, 0o2775]), cred };
    else if (r < 30)
      body = { op: 'mknod', parent, name, mode: 0o100000 | this.pick([0o644, 0o666, 0o4755]), rdev: 0, open: this.rand() < 0.3, cred };
    else if (r < 34) body = { op: 'symlink', parent, name, target: this.pick(['a', '../b', '/c/d']), cred };
    else if (r < 38) body = { op: 'link', ino, parent, name, cred };
    else if (r < 46) body = { op: 'unlink', parent, name, cred };
    else if (r < 50) body = { op: 'rmdir', parent, name, cred };
    else if (r < 58)
      body = {
        op: 'rename',
        parent,
        name,
        newParent: this.pick(this.dirs),
        newName: this.pick(['a', 'b', 'x', 'y']),
        flags: this.pick([0, 0, 1, 2]),
        cred,
      };
    else if (r < 66) {
      body = {
        op: 'setattr',
        ino,
        mask: 1 + this.int(255),
        mode: this.int(0o7777),
        uid: this.pick([0, 1000, 1001]),
        gid: this.pick([0, 50, 1000]),
        size: this.pick([0, 10, 70_000_000, 200_000_000]),
        atime: this.int(1e9) - 5e8,
        mtime: this.int(1e9),
        cred,
      };
    } else if (r < 72) body = { op: 'open', ino, flags: 1 + this.int(7), cred };
    else if (r < 76) body = { op: 'release', ino };
    else if (r < 80)
      body = {
        op: 'setxattr',
        ino,
        name: this.pick(['user.a', 'user.b', 'trusted.t']),
        value: new Uint8Array([this.int(256), this.int(256)]),
        flags: this.int(3),
        cred,
      };
    else if (r < 82) body = { op: 'removexattr', ino, name: this.pick(['user.a', 'user.b']), cred };
    else if (r < 84) body = { op: 'setGoal', ino, goal: 1 + this.int(9), recursive: this.rand() < 0.5, cred };
    else if (r < 90) body = { op: 'openChunkForWrite', ino, chunkIndex: this.int(4), servers: [this.pick(['cs1', 'cs2', 'cs3'])], cred };
    else if (r < 95 && this.chunks.length > 0) {
      const c = this.pick(this.chunks);
      body = {
        op: 'commitWrite',
        ino: c.ino,
        chunkIndex: c.index,
        chunkId: c.chunkId,
        length: c.index * 67_108_864 + this.int(67_108_864),
        cred,
      };
    } else if (r < 96) body = { op: 'chunkOpsDone', deleted: [this.int(40)], truncated: [this.int(40), 1 + this.int(3)] };
    else if (r < 97 && this.chunks.length > 0) body = this.versionChange(this.pick(this.chunks), cred);
    else if (r < 99) body = { op: 'openSession', info: 'x' };
    else body = { op: 'closeSession' };
    let sessionId = this.pick(this.sessions);
    if (body.op === 'openSession' || body.op === 'closeSession') sessionId = this.pick([11, 12, 13]);
    return this.encode(body, sessionId);
  }

  private encode(body: CommandBody, sessionId: number): Uint8Array {
    this.now += this.int(5000);
    const bytes = encodeCommand({ sessionId, requestId: ++this.requestId, now: this.now, ...body });
    this.sent.push(bytes);
    return bytes;
  }

  /** A flock or byte-range request, or a release, of two owners over small overlapping ranges. */
  private lockCommand(ino: number): CommandBody {
    const owner = this.pick(['o1', 'o2']);
    if (this.rand() < 0.15) return { op: 'releaseLocks', ino, owner, kinds: 1 + this.int(3) };
    const start = this.int(20);
    const end = this.rand() < 0.2 ? LOCK_TO_EOF : start + this.int(10);
    return { op: 'setLock', ino, kind: 1 + this.int(2), type: this.int(3), owner, start, end, pid: this.int(1000) };
  }

  /** One of the version-lifecycle commands on a known chunk, its versions near the chunk's (some apply, some are refused). */
  private versionChange(c: { ino: number; index: number; chunkId: number }, cred: Credentials): CommandBody {
    const near = 1 + this.int(8);
    const servers = [this.pick(['cs1', 'cs2', 'cs3'])];
    switch (this.int(7)) {
      case 0:
        return { op: 'grantChunkWrite', ino: c.ino, chunkIndex: c.index, chunkId: c.chunkId, version: near, servers, cred };
      case 1:
        if (this.rand() < 0.3) return { op: 'moveReplicas', chunkId: c.chunkId, fromVersion: near, version: near + this.int(3), servers };
        return this.rand() < 0.5
          ? { op: 'reserveChunkIds', count: 1 + this.int(3) }
          : { op: 'grantChunkWrite', ino: c.ino, chunkIndex: this.int(4), chunkId: 1 + this.int(60), version: 1, servers, cred };
      case 2:
        return {
          op: 'commitChunkWrite',
          ino: c.ino,
          chunkIndex: c.index,
          chunkId: c.chunkId,
          version: near,
          length: c.index * 67_108_864 + this.int(67_108_864),
          cred,
        };
      case 3:
        return { op: 'reserveChunkVersion', chunkId: c.chunkId };
      case 4:
        return { op: 'excludeReplicas', chunkId: c.chunkId, fromVersion: near, version: near + this.int(3), servers };
      case 5:
        return { op: 'cutChunk', chunkId: c.chunkId, fromVersion: near, version: near + this.int(3), length: this.int(1000), servers };
      default:
        return { op: 'promoteChunk', chunkId: c.chunkId, fromVersion: near, version: 1 + this.int(8) };
    }
  }

  /** Learns inode numbers and chunk grants from results, so later commands hit real objects. */
  learn(command: Uint8Array, result: Uint8Array): void {
    const r = decodeResult(result);
    if (r.kind === 'attr' && !this.inodes.includes(r.attr.ino)) {
      this.inodes.push(r.attr.ino);
      if ((r.attr.mode & 0o170000) === 0o040000) this.dirs.push(r.attr.ino);
    }
    if (r.kind === 'attr') {
      const cmd = decodeCommand(command);
      if (cmd.op === 'open' || (cmd.op === 'mknod' && cmd.open)) this.opened.push({ ino: r.attr.ino, sessionId: cmd.sessionId });
    }
    if (r.kind === 'chunk') {
      const cmd = decodeCommand(command);
      if (cmd.op === 'openChunkForWrite' || cmd.op === 'grantChunkWrite')
        this.chunks.push({ ino: cmd.ino, index: cmd.chunkIndex, chunkId: r.grant.chunkId });
    }
  }
}

async function sameBytes(a: NamespaceStateMachine, b: NamespaceStateMachine): Promise<boolean> {
  return Buffer.from(await a.snapshot()).equals(Buffer.from(await b.snapshot()));
}

describe('master namespace: determinism and snapshots', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`two masters agree on every result and on the final state (seed ${seed}), one of them restored halfway`, async () => {
      const gen = new CommandGenerator(prng(seed));
      const a = new NamespaceStateMachine({ defaultGoal: 2 });
      let b = new NamespaceStateMachine({ defaultGoal: 2 });
      const steps = 3000;
      let errors = 0;
      let mostLocks = 0;
      for (let i = 1; i <= steps; i++) {
        const cmd = gen.next();
        const ra = a.apply(cmd, i);
        const rb = b.apply(cmd, i);
        if (!Buffer.from(ra).equals(Buffer.from(rb))) {
          expect.fail(
            `seed ${seed}: results differ at step ${i}: ${JSON.stringify(decodeResult(ra))} vs ${JSON.stringify(decodeResult(rb))}`,
          );
        }
        if (decodeResult(ra).kind === 'error') errors++;
        mostLocks = Math.max(mostLocks, a.locks.size);
        gen.learn(cmd, ra);
        if (i % 250 === 0) checkInvariants(a);
        if (i === steps / 2) {
          const snap = await b.snapshot();
          expect(Buffer.from(snap).equals(Buffer.from(await a.snapshot()))).to.equal(true, 'same state at halfway');
          b = new NamespaceStateMachine({ defaultGoal: 2 });
          await b.restore(snap);
          expect(b.lastAppliedIndex).to.equal(i);
        }
      }
      expect(await sameBytes(a, b)).to.equal(true, `seed ${seed}: final state differs`);
      checkInvariants(a);
      checkInvariants(b);
      expect(a.statfs()).to.deep.equal(b.statfs());
      // The run exercised both outcomes.
      expect(errors).to.be.greaterThan(steps / 10);
      expect(errors).to.be.lessThan(steps);
      expect(a.statfs().inodes).to.be.greaterThan(5);
      expect(mostLocks, 'locks were taken').to.be.greaterThan(1);
    });
  }

  it('a snapshot round trip keeps xattrs, symlinks, chunk queues, sessions and remembered results', async () => {
    const a = new NamespaceStateMachine({ defaultGoal: 3 });
    let i = 0;
    const run = (sm: NamespaceStateMachine, body: CommandBody, sessionId = 4, requestId = ++i) =>
      decodeResult(sm.apply(encodeCommand({ sessionId, requestId, now: 1000 + i, ...body }), i));
    run(a, { op: 'openSession', info: 'host1:/mnt' });
    const f = run(a, { op: 'mknod', parent: 1, name: 'f', mode: 0o100640, rdev: 0, open: true, cred: ALICE });
    expect(f.kind).to.equal('error'); // root dir is not writable by Alice
    const g = run(a, { op: 'mknod', parent: 1, name: 'g', mode: 0o100640, rdev: 0, open: true, cred: ROOT });
    if (g.kind !== 'attr') throw new Error('create failed');
    run(a, { op: 'setxattr', ino: g.attr.ino, name: 'user.k', value: new Uint8Array([1, 2, 3]), flags: 0, cred: ROOT });
    run(a, { op: 'symlink', parent: 1, name: 'l', target: '/g', cred: ROOT });
    run(a, { op: 'openChunkForWrite', ino: g.attr.ino, chunkIndex: 0, servers: ['cs'], cred: ROOT });
    const g1 = run(a, { op: 'openChunkForWrite', ino: g.attr.ino, chunkIndex: 1, servers: ['cs'], cred: ROOT });
    if (g1.kind !== 'chunk') throw new Error('no grant');
    run(a, { op: 'commitWrite', ino: g.attr.ino, chunkIndex: 1, chunkId: g1.grant.chunkId, length: 67_108_864 + 10, cred: ROOT });
    run(a, { op: 'setattr', ino: g.attr.ino, mask: 8, mode: 0, uid: 0, gid: 0, size: 5, atime: 0, mtime: 0, cred: ROOT });
    run(a, { op: 'unlink', parent: 1, name: 'g', cred: ROOT });
    const b = new NamespaceStateMachine({ defaultGoal: 3 });
    await b.restore(await a.snapshot());
    expect(await sameBytes(a, b)).to.equal(true);
    expect(b.getxattr(g.attr.ino, 'user.k', ROOT)).to.deep.equal(new Uint8Array([1, 2, 3]));
    expect(b.resolve('/l', ROOT, { followFinal: false }).size).to.equal(2);
    expect(b.pendingDeletions(10)).to.have.length(1);
    expect(b.pendingTruncations(10)).to.have.length(1);
    expect(b.statfs()).to.deep.equal(a.statfs());
    expect(b.statfs().orphans).to.equal(1);
    expect(b.listSessions()).to.deep.equal(a.listSessions());
    // The remembered result of request 3 answers a retry on the restored master too.
    const retried = decodeResult(
      b.apply(
        encodeCommand({
          sessionId: 4,
          requestId: 3,
          now: 99,
          op: 'mknod',
          parent: 1,
          name: 'g',
          mode: 0o100640,
          rdev: 0,
          open: true,
          cred: ROOT,
        }),
        100,
      ),
    );
    expect(retried).to.deep.equal(g);
    // Closing the session frees the orphan on both alike.
    for (const sm of [a, b]) run(sm, { op: 'closeSession' }, 4, 0);
    expect(b.statfs().orphans).to.equal(0);
    expect(await sameBytes(a, b)).to.equal(true);
  });

  it('refuses a damaged snapshot and keeps the current state', async () => {
    const a = new NamespaceStateMachine();
    a.apply(encodeCommand({ sessionId: 0, requestId: 0, now: 5, op: 'mkdir', parent: 1, name: 'keep', mode: 0o755, cred: ROOT }), 1);
    const snap = Buffer.from(await a.snapshot());
    const b = new NamespaceStateMachine();
    b.apply(encodeCommand({ sessionId: 0, requestId: 0, now: 5, op: 'mkdir', parent: 1, name: 'mine', mode: 0o755, cred: ROOT }), 1);
    for (const bad of [snap.subarray(0, snap.length - 3), Buffer.concat([Buffer.from('XXXX'), snap.subarray(4)]), Buffer.alloc(0)]) {
      let code = '';
      try {
        await b.restore(bad);
      } catch (err) {
        code = (err as { code: string }).code;
      }
      expect(code).to.equal('PROTOCOL_ERROR');
      expect(b.lookup(1, 'mine', ROOT).ino).to.equal(2);
    }
    await b.restore(snap);
    expect(b.lookup(1, 'keep', ROOT).ino).to.equal(2);
  });

  it('streams a snapshot in pieces that concatenate to snapshot()', async () => {
    const a = new NamespaceStateMachine();
    for (let i = 0; i < 50_000; i++) {
      a.apply(
        encodeCommand({
          sessionId: 0,
          requestId: 0,
          now: i,
          op: 'mknod',
          parent: 1,
          name: `f${i}`,
          mode: 0o100644,
          rdev: 0,
          open: false,
          cred: ROOT,
        }),
        i + 1,
      );
    }
    const pieces = [...a.snapshotPieces()];
    expect(pieces.length).to.be.greaterThan(1);
    expect(Buffer.concat(pieces).equals(Buffer.from(await a.snapshot()))).to.equal(true);
  });
});
