// A young leader looks again for chunkservers it has not heard from yet, and tells the client to ask again rather
// than answering "no chunkserver" (ENOSPC) or "no replica" (EIO) while they may still be registering.
import { expect } from 'chai';
import { ErrorCodes, isMoosengError } from '@mooseng/core';
import { LeaderTenure, SERVER_WAIT_SLICE_MS } from '@mooseng/master';
import { ManualClock } from '../support/manual-clock';

const GRACE_MS = 10_000;

/** Lets the promise chain run, then moves the clock by `ms` in small steps (the wait polls on timers). */
async function advance(clock: ManualClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
  }
}

describe('LeaderTenure', () => {
  it('answers at once when this master does not lead, whatever the look finds', async () => {
    const tenure = new LeaderTenure(new ManualClock(), GRACE_MS);
    expect(await tenure.servers('chunkservers', () => [])).to.deep.equal([]);
    tenure.changed(true);
    tenure.changed(false);
    expect(tenure.graceLeftMs()).to.equal(0);
    expect(await tenure.servers('chunkservers', () => [])).to.deep.equal([]);
  });

  it('waits for a server that registers while the grace runs', async () => {
    const clock = new ManualClock();
    const tenure = new LeaderTenure(clock, GRACE_MS);
    tenure.changed(true);
    const registered: string[] = [];
    const found = tenure.servers('chunkservers', () => registered);
    await advance(clock, 500);
    registered.push('cs1');
    await advance(clock, 100);
    expect(await found).to.deep.equal(['cs1']);
  });

  it('tells the client to ask again (UNAVAILABLE) when none registered within one wait, and answers empty once the grace is over', async () => {
    const clock = new ManualClock();
    const tenure = new LeaderTenure(clock, GRACE_MS);
    tenure.changed(true);
    const young = tenure.servers('chunkservers with room', () => []).catch((err: unknown) => err);
    await advance(clock, SERVER_WAIT_SLICE_MS + 100);
    const err = await young;
    expect(isMoosengError(err) && err.code).to.equal(ErrorCodes.UNAVAILABLE);
    expect((err as Error).message).to.match(/has not heard from chunkservers with room/);
    await advance(clock, GRACE_MS, 500);
    expect(tenure.graceLeftMs()).to.equal(0);
    expect(await tenure.servers('chunkservers', () => [])).to.deep.equal([]);
  });

  it('starts the grace again at every new term it leads', async () => {
    const clock = new ManualClock();
    const tenure = new LeaderTenure(clock, GRACE_MS);
    tenure.changed(true);
    clock.advance(GRACE_MS + 1);
    expect(tenure.graceLeftMs()).to.equal(0);
    tenure.changed(false);
    tenure.changed(true);
    expect(tenure.graceLeftMs()).to.equal(GRACE_MS);
  });
});
