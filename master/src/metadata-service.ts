// MetadataService: the master's one door to its state. Mutations become consensus commands stamped by the leader
// (time, session, request id); reads run on the local state machine behind a linearizable read barrier.
import { type IClock, type IConsensus, MoosengError } from '@mooseng/core';
import { encodeCommand, type CommandBody } from './namespace/commands';
import type { NamespaceStateMachine } from './namespace/namespace-state-machine';
import { decodeResult, type CommandResult } from './namespace/results';

/** Who a request comes from, for retry de-duplication. */
export interface RequestOrigin {
  sessionId: number;
  requestId: number;
}

type Success = Exclude<CommandResult, { kind: 'error' }>;

export class MetadataService {
  constructor(
    private readonly consensus: IConsensus,
    readonly state: NamespaceStateMachine,
    private readonly clock: IClock,
  ) {}

  /**
   * Proposes one command and resolves with its result once applied; an error result becomes a thrown MoosengError.
   * NOT_LEADER and PROPOSAL_DROPPED come from consensus: the client retries elsewhere with the same request id.
   */
  async mutate(origin: RequestOrigin, body: CommandBody, signal?: AbortSignal): Promise<Success> {
    const command = encodeCommand({ ...body, sessionId: origin.sessionId, requestId: origin.requestId, now: this.clock.now() });
    const result = decodeResult(await this.consensus.propose(command, { signal }));
    if (result.kind === 'error') throw new MoosengError(result.code, result.message);
    return result;
  }

  /** Runs a read on the local state once this master is confirmed leader and caught up (NOT_LEADER otherwise). */
  async read<T>(query: (state: NamespaceStateMachine) => T, signal?: AbortSignal): Promise<T> {
    await this.consensus.readBarrier({ signal });
    return query(this.state);
  }

  /**
   * Resolves once every change committed before the call is on a majority of the masters' disks (NOT_LEADER
   * elsewhere): what a client's fsync waits for, since consensus may acknowledge a change before the leader's own
   * fsync (replication-raft sync: quorum-memory).
   */
  async sync(signal?: AbortSignal): Promise<void> {
    await this.consensus.waitDurable({ signal });
  }

  /** Whether an acknowledged change is already on a majority's disks (then sync() adds nothing a client needs). */
  get durableWhenAcknowledged(): boolean {
    return this.consensus.durableWhenAcknowledged === true;
  }

  /** True on the current leader (a hint: it may change at any moment; reads still go through read()). */
  isLeader(): boolean {
    return this.consensus.status().role === 'leader';
  }
}
