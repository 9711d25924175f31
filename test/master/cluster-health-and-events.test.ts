// What /status says of the cluster as a whole: the health score and its reasons, and the recent-events journal.
import { expect } from 'chai';
import { silentLogger } from '@mooseng/core';
import { assessHealth, EventJournal, journalingLogger, MAX_EVENTS, type HealthInput } from '@mooseng/master';

const masters = (reachable: Array<boolean | null>) => reachable.map((r, i) => ({ id: `m${i + 1}`, reachable: r }));
const servers = (alive: boolean[], failedDir?: string) =>
  alive.map((a, i) => ({
    id: `cs${i + 1}`,
    alive: a,
    dirs: [{ dir: '/d1', usable: true }, ...(failedDir && i === 0 ? [{ dir: failedDir, usable: false }] : [])],
  }));
const healthy: HealthInput = {
  leader: 'm1',
  masters: masters([true, true, true]),
  chunkservers: servers([true, true, true]),
  chunks: 100,
  missingChunks: 0,
  underGoalChunks: 0,
};

describe('master: cluster health', () => {
  it('is 100 and healthy when everything answers and every chunk is at its goal', () => {
    expect(assessHealth(healthy)).to.deep.equal({ score: 100, state: 'healthy', reasons: [] });
  });

  it('is 0 and critical without a leader', () => {
    const h = assessHealth({ ...healthy, leader: null });
    expect(h.score).to.equal(0);
    expect(h.state).to.equal('critical');
    expect(h.reasons[0]).to.contain('no master leader');
  });

  it('degrades by the share of nodes down and of chunks below goal, naming them', () => {
    const h = assessHealth({ ...healthy, chunkservers: servers([true, false, true]), underGoalChunks: 20 });
    // 5 of 6 nodes answer; 20 of 100 chunks under goal cost half their share.
    expect(h.score).to.equal(Math.round(1000 * (5 / 6) * 0.9) / 10);
    expect(h.state).to.equal('degraded');
    expect(h.reasons).to.deep.equal(['1 chunkserver down: cs2', '20 chunks below their goal (being copied)']);
  });

  it('is critical with missing chunks or without a quorum of masters, and reports failed disks', () => {
    expect(assessHealth({ ...healthy, missingChunks: 3 }).state).to.equal('critical');
    const noQuorum = assessHealth({ ...healthy, masters: masters([true, false, false]) });
    expect(noQuorum.state).to.equal('critical');
    expect(noQuorum.reasons[0]).to.equal('only 1 of 3 masters answer');
    const disk = assessHealth({ ...healthy, chunkservers: servers([true, true, true], '/d9') });
    expect(disk.state).to.equal('degraded');
    expect(disk.reasons).to.deep.equal(['1 disk failed: cs1:/d9']);
  });

  it('does not judge what it cannot know (a follower: reachability and chunk figures unknown)', () => {
    const h = assessHealth({ ...healthy, masters: masters([null, null, true]), missingChunks: null, underGoalChunks: null });
    expect(h).to.deep.equal({ score: 100, state: 'healthy', reasons: [] });
  });
});

describe('master: event journal', () => {
  it('records info, warn and error lines (not debug) with their component, newest first, and stays bounded', () => {
    let now = 1000;
    const journal = new EventJournal(() => now++);
    const log = journalingLogger(silentLogger, journal).child({ component: 'registry' });
    log.debug('noise');
    log.info('chunkserver registered', { server: 'cs1', chunks: 3 });
    log.warn('chunkserver is silent', { server: 'cs2', err: new Error('gone') });
    const [last, first] = journal.recent();
    expect(last).to.deep.equal({
      time: 1001,
      level: 'warn',
      message: 'chunkserver is silent',
      component: 'registry',
      fields: { server: 'cs2', err: 'gone' },
    });
    expect(first).to.deep.equal({
      time: 1000,
      level: 'info',
      message: 'chunkserver registered',
      component: 'registry',
      fields: { server: 'cs1', chunks: '3' },
    });
    for (let i = 0; i < MAX_EVENTS + 10; i++) log.error(`e${i}`);
    expect(journal.recent()).to.have.length(MAX_EVENTS);
    expect(journal.recent()[0].message).to.equal(`e${MAX_EVENTS + 9}`);
  });
});
