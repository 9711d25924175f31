// SessionReaper: the leader closes sessions it has not heard from for a whole timeout, and only those. A session is
// judged from when this leader first knew of it: one that appears in the table with no request of it seen yet (the
// window between applying openSession and the handler marking it seen, or a session opened through another master
// before this one became leader) gets a whole timeout too, however long this master has been leader.
import { expect } from 'chai';
import { SessionReaper } from '@mooseng/master';
import { LifecycleMaster } from './lifecycle-fixture';

const TIMEOUT_MS = 2_000;

describe('master session reaper', () => {
  let m: LifecycleMaster;
  let reaper: SessionReaper;

  beforeEach(() => {
    m = new LifecycleMaster({ servers: [], goal: 1 });
    reaper = new SessionReaper({ metadata: m.metadata, clock: m.clock, logger: m.logger, timeoutMs: TIMEOUT_MS });
    reaper.start();
  });
  afterEach(() => reaper.stop());

  /** Moves the clock in small steps, letting each pass (async: it reads and proposes) finish between them. */
  async function elapse(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 100) {
      m.clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
  }

  async function openSession(id: number): Promise<void> {
    await m.metadata.mutate({ sessionId: id, requestId: 0 }, { op: 'openSession', info: `client ${id}` });
  }

  const sessionIds = (): number[] => [...m.state.sessions.sessions.keys()];

  it('gives a session that appears after the leader has led for longer than the timeout a whole timeout', async () => {
    await elapse(3 * TIMEOUT_MS); // leader for a while, with nothing to judge
    await openSession(7); // in the table; nobody has marked it seen yet
    await elapse(TIMEOUT_MS / 2);
    expect(sessionIds()).to.deep.equal([7]);
    reaper.seen(7);
    await elapse(TIMEOUT_MS - 200);
    expect(sessionIds(), 'heard from within the timeout').to.deep.equal([7]);
    await elapse(TIMEOUT_MS + 1_000);
    expect(sessionIds(), 'silent for longer than the timeout').to.deep.equal([]);
    expect(m.logger.lines.some((l) => l.msg.startsWith('client session expired'))).to.equal(true);
  });

  it('never expires a session whose client keeps talking, and expires a silent one beside it', async () => {
    await openSession(1);
    await openSession(2);
    for (let i = 0; i < 10; i++) {
      reaper.seen(1);
      await elapse(TIMEOUT_MS / 2);
    }
    expect(sessionIds()).to.deep.equal([1]);
  });
});
