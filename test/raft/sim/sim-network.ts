// The simulated network between nodes, and each process's RaftTransport on it: messages are dropped, duplicated,
// delayed (and so reordered), cut by partitions and one-way link failures, all drawn from the run's one random
// source. Only a started, live transport receives; a crashed process's transport neither sends nor receives.
import type { IRandom } from '@mooseng/core';
import type { Member, Message, RaftTransport } from '@mooseng/plugin-replication-raft';

/** What the network needs from the simulation. */
export interface SimNetworkHost {
  at(delayMs: number, fn: () => void): void;
  random: IRandom;
}

/** The shape of the faults, drawn once per run. */
export interface SimNetworkFaults {
  dropRate: number;
  dupRate: number;
  /** Delays are uniform in [1, maxDelayMs]. */
  maxDelayMs: number;
}

/** The wire between every node of a run, and the faults on it. */
export class SimNetwork {
  /** Nodes on one side of a partition (null: none); messages between the sides are lost. */
  partition: Set<string> | null = null;
  /** Directed links that lose everything ("a>b": a's messages do not reach b). */
  readonly oneWayCuts = new Set<string>();
  /** The quiet phase: no drops, duplicates or cuts, only delays. */
  quiet = false;
  private readonly receivers = new Map<string, (m: Message) => void>();
  delivered = 0;

  constructor(
    private readonly host: SimNetworkHost,
    private readonly faults: SimNetworkFaults,
  ) {}

  /** A transport for one process of node `id`; `alive` turns false when that process dies. */
  transport(id: string, alive: () => boolean): RaftTransport {
    return new SimTransport(this, id, alive);
  }

  /** Puts `m` on the wire, with this run's faults. */
  send(m: Message): void {
    const rng = this.host.random;
    const copies = !this.quiet && rng.next() < this.faults.dupRate ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      if (!this.quiet && rng.next() < this.faults.dropRate) continue;
      // The receiver gets its own message and entry list, as it would after decoding from the wire.
      const copy: Message = { ...m, entries: m.entries.map((e) => ({ ...e })) };
      this.host.at(1 + rng.int(this.faults.maxDelayMs), () => {
        if (this.partition && this.partition.has(m.from) !== this.partition.has(m.to)) return;
        if (this.oneWayCuts.has(`${m.from}>${m.to}`)) return;
        const receive = this.receivers.get(m.to);
        if (!receive) return;
        this.delivered++;
        receive(copy);
      });
    }
  }

  listen(id: string, receive: ((m: Message) => void) | null): void {
    if (receive) this.receivers.set(id, receive);
    else this.receivers.delete(id);
  }

  /** Whether `id` currently has a receiver (a guard against two live transports for one node). */
  listening(id: string): boolean {
    return this.receivers.has(id);
  }
}

/**
 * RaftTransport of one process, with the gRPC transport's reach: it sends to the members it was told about and to
 * peers that have sent it messages (the gRPC transport learns their address from its call metadata).
 */
class SimTransport implements RaftTransport {
  private members = new Set<string>();
  private readonly heardFrom = new Set<string>();
  private open = false;

  constructor(
    private readonly net: SimNetwork,
    private readonly id: string,
    private readonly alive: () => boolean,
  ) {}

  start(onMessage: (m: Message) => void): Promise<void> {
    // A dead process binds nothing: like its disk I/O, its start never completes.
    if (!this.alive()) return new Promise<void>(() => undefined);
    if (this.net.listening(this.id)) return Promise.reject(new Error(`invariant broken: two live transports for ${this.id}`));
    this.open = true;
    this.net.listen(this.id, (m) => {
      if (!this.open || !this.alive()) return;
      this.heardFrom.add(m.from);
      onMessage(m);
    });
    return Promise.resolve();
  }

  setMembers(members: readonly Member[]): void {
    this.members = new Set(members.map((m) => m.id).filter((id) => id !== this.id));
  }

  send(m: Message): void {
    if (!this.open || !this.alive() || !(this.members.has(m.to) || this.heardFrom.has(m.to))) return;
    this.net.send(m);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.net.listen(this.id, null);
  }
}
