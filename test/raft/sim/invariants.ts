// Cluster-wide safety checkers, run after every simulation step: election safety, log matching, leader
// completeness, committed entries never lost or changed, replicas applying the same command at each index and
// agreeing on state there.
import type { Entry } from '@mooseng/plugin-replication-raft';
import type { SimNode } from './sim-node';

function fingerprint(e: Entry): string {
  return `${e.term}/${e.type}/${Buffer.from(e.data).toString('base64')}`;
}

/** Collects violations of Raft's safety properties across one run (see the file comment). */
export class InvariantChecker {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<number, string>();
  /** Every entry any node has seen committed, by index. */
  private readonly committed = new Map<number, { term: number; print: string }>();
  private maxCommitted = 0;
  private readonly checkedCommit = new Map<string, number>();
  private readonly digestAt = new Map<number, string>();
  private readonly commandAt = new Map<number, string>();
  /** Each node's log as last compared (its snapshot index and entry objects), to compare only logs that moved. */
  private readonly seenLog = new Map<string, { base: number; entries: Entry[] }>();
  private readonly leaderTermChecked = new Map<string, number>();

  /** Committed commands in log order (for explaining a linearizability failure). */
  committedCommands(): { index: number; data: string }[] {
    return [...this.committed]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ index, data: Buffer.from(c.print.split('/')[2] ?? '', 'base64').toString('utf8') }));
  }

  /** Records a violation (the first 20). */
  fail(what: string): void {
    if (this.violations.length < 20) this.violations.push(what);
  }

  /** A replica applied `command` at `index` and reached state `digest`: every replica must do the same there. */
  onApply(node: SimNode, index: number, command: Uint8Array, digest: string): void {
    const text = Buffer.from(command).toString('utf8');
    const knownCommand = this.commandAt.get(index);
    if (knownCommand === undefined) this.commandAt.set(index, text);
    else if (knownCommand !== text)
      this.fail(`replicas applied different commands at index ${index}: ${node.id} ${text}, another ${knownCommand}`);
    this.onState(node, index, digest);
  }

  /** A replica restored a snapshot whose last command is at `index`: its state must be what others had there. */
  onRestore(node: SimNode, index: number, digest: string): void {
    if (index > 0) this.onState(node, index, digest);
  }

  private onState(node: SimNode, index: number, digest: string): void {
    const known = this.digestAt.get(index);
    if (known === undefined) this.digestAt.set(index, digest);
    else if (known !== digest) this.fail(`state machines disagree at index ${index}: ${node.id} has ${digest}, another had ${known}`);
  }

  /** Runs every log and leadership check over the nodes that are up. */
  check(nodes: SimNode[]): void {
    const up = nodes.filter((n) => n.raft !== null);
    for (const n of up) {
      const raft = n.raft!;
      if (raft.role === 'leader') {
        const known = this.leaderOfTerm.get(raft.term);
        if (known === undefined) this.leaderOfTerm.set(raft.term, n.id);
        else if (known !== n.id) this.fail(`two leaders in term ${raft.term}: ${known} and ${n.id}`);
      }
      this.recordCommitted(n);
    }
    for (const n of up) {
      const raft = n.raft!;
      if (raft.role === 'leader' && this.leaderTermChecked.get(n.id) !== raft.term) {
        this.leaderTermChecked.set(n.id, raft.term);
        this.checkLeaderCompleteness(n);
      }
    }
    const changed = up.filter((n) => this.logMoved(n));
    for (const a of changed) {
      for (const b of up) if (a !== b) this.checkLogMatching(a, b);
    }
  }

  /** Whether the node's log differs from when it was last compared (entries are replaced, never edited). */
  private logMoved(n: SimNode): boolean {
    const log = n.raft!.log;
    const seen = this.seenLog.get(n.id);
    let moved = !seen || seen.base !== log.snapshot.index || seen.entries.length !== log.entries.length;
    for (let i = 0; !moved && i < log.entries.length; i++) moved = seen!.entries[i] !== log.entries[i];
    if (moved) this.seenLog.set(n.id, { base: log.snapshot.index, entries: log.entries.slice() });
    return moved;
  }

  /** Entries up to each node's commit index must equal what any node ever saw committed at that index. */
  private recordCommitted(n: SimNode): void {
    const log = n.raft!.log;
    // A restarted node may have lost its (unsynced) commit index: check again whatever it commits anew.
    const checked = Math.min(this.checkedCommit.get(n.id) ?? 0, log.committed);
    const from = Math.max(checked, log.snapshot.index) + 1;
    for (let i = from; i <= log.committed; i++) {
      const e = log.entry(i);
      if (!e) {
        this.fail(`${n.id} claims commit ${log.committed} but lacks entry ${i}`);
        break;
      }
      const known = this.committed.get(i);
      const print = fingerprint(e);
      if (!known) this.committed.set(i, { term: e.term, print });
      else if (known.print !== print) this.fail(`committed entry ${i} changed: ${n.id} has term ${e.term}, was term ${known.term}`);
    }
    if (log.snapshot.index > 0) {
      const known = this.committed.get(log.snapshot.index);
      if (known && known.term !== log.snapshot.term)
        this.fail(`${n.id} snapshot at ${log.snapshot.index} has term ${log.snapshot.term}, committed term ${known.term}`);
    }
    this.checkedCommit.set(n.id, log.committed);
    this.maxCommitted = Math.max(this.maxCommitted, log.committed);
  }

  /** A new leader's log holds every entry committed before its term. */
  private checkLeaderCompleteness(n: SimNode): void {
    const log = n.raft!.log;
    for (let i = log.snapshot.index + 1; i <= this.maxCommitted; i++) {
      const known = this.committed.get(i);
      if (!known) continue;
      const e = log.entry(i);
      if (!e || fingerprint(e) !== known.print) {
        this.fail(`leader ${n.id} of term ${n.raft!.term} lacks committed entry ${i} (term ${known.term})`);
        return;
      }
    }
  }

  /** If two logs hold an entry with the same index and term, they are identical up to it. */
  private checkLogMatching(a: SimNode, b: SimNode): void {
    const la = a.raft!.log;
    const lb = b.raft!.log;
    const lo = Math.max(la.firstIndex(), lb.firstIndex());
    const hi = Math.min(la.lastIndex(), lb.lastIndex());
    let i = hi;
    while (i >= lo && la.term(i) !== lb.term(i)) i--;
    for (; i >= lo; i--) {
      const ea = la.entry(i)!;
      const eb = lb.entry(i)!;
      if (fingerprint(ea) !== fingerprint(eb)) {
        this.fail(`logs of ${a.id} and ${b.id} differ at ${i} below a matching entry`);
        return;
      }
    }
  }
}
