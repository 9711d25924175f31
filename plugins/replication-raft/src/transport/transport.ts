// The peer transport contract the Raft host sends and receives core messages through: gRPC between real masters
// (grpc-transport.ts), a faulty simulated network in the simulation.
import type { Member, Message } from '../core/types';

/**
 * Carries core messages between members, best effort: a message may be lost, duplicated, delayed or reordered
 * (Raft resends what matters), but never altered. Sending never blocks and never throws.
 */
export interface RaftTransport {
  /** Starts receiving; every message from a peer is handed to `onMessage`, in the order it arrived. */
  start(onMessage: (m: Message) => void): Promise<void>;
  /** Points the transport at the current members, this node included (it names itself to peers by its entry). */
  setMembers(members: readonly Member[]): void;
  /**
   * Queues `m` for `m.to`: a member, or a peer that is not (yet) one but has sent us messages, so that a new member
   * elected leader before this node's log says it was added still hears the answers. Otherwise `m` is dropped.
   */
  send(m: Message): void;
  /** Stops sending and receiving; queued messages are dropped. */
  close(): Promise<void>;
}
