// The durability settings of replication-raft (sync, fsyncLagMs, fsyncLagEntries): their defaults, and a clear error
// naming the setting, what it got and what it takes for every bad value, from a config file and from a host built
// in code (the benchmark, the simulation).
import { expect } from 'chai';
import { checkConfig, isMoosengError, PluginRegistry, type LoadedPlugin } from '@mooseng/core';
import { manifest as raftManifest, RAFT_CONFIG_DEFAULTS, RaftConsensus } from '@mooseng/plugin-replication-raft';
import { ROLES } from 'mooseng';
import { cleanupTempDirs, makeTempDir } from '../support';
import { testNodeOptions } from './support/node-options';

/** What a master's config needs besides consensus, as stand-ins; the consensus is the real plugin's manifest. */
function registry(): PluginRegistry {
  const stub = (kind: 'placement' | 'metrics', id: string): LoadedPlugin['manifest']['provides'][number] => ({
    kind,
    id,
    roles: ['master', 'chunkserver', 'client'].filter((r) => kind === 'metrics' || r === 'master') as (
      'master' | 'chunkserver' | 'client'
    )[],
    description: `stand-in ${kind}`,
    create: () => ({}),
  });
  return PluginRegistry.build([
    { name: '@mooseng/plugin-replication-raft', version: '0.0.0', root: '/virtual/raft', manifest: raftManifest },
    {
      name: 'test-stand-ins',
      version: '0.0.0',
      root: '/virtual/stand-ins',
      manifest: {
        apiVersion: raftManifest.apiVersion,
        provides: [stub('placement', 'placement-hrw'), stub('metrics', 'metrics-prometheus')],
      },
    },
  ]);
}

function raftProblems(section: string): Array<{ path: string; message: string }> {
  const text = `role: master\nreplication-raft:\n${section}\n`;
  return checkConfig({ role: 'master', text, env: {} }, registry(), ROLES).problems.filter((p) => p.path.startsWith('replication-raft'));
}

function hostError(changes: Record<string, unknown>): Error {
  const member = { id: 'n1', address: '127.0.0.1:1' };
  try {
    new RaftConsensus(testNodeOptions(member, [member], makeTempDir(), changes));
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the host to refuse the options');
}

describe('replication-raft durability settings', () => {
  after(cleanupTempDirs);

  it('defaults to sync: commit with a 5 ms / 256-entry fsync lag', () => {
    expect(RAFT_CONFIG_DEFAULTS.sync).to.equal('commit');
    expect(RAFT_CONFIG_DEFAULTS.fsyncLagMs).to.equal(5);
    expect(RAFT_CONFIG_DEFAULTS.fsyncLagEntries).to.equal(256);
    expect(raftProblems('  sync: quorum-memory\n  fsyncLagMs: 2\n  fsyncLagEntries: 64')).to.deep.equal([]);
  });

  it('a config file with a bad value names the setting and what it takes', () => {
    expect(raftProblems('  sync: fast')).to.deep.equal([
      { path: 'replication-raft.sync', message: 'must be one of "commit", "quorum-memory"' },
    ]);
    const lagMs = raftProblems('  fsyncLagMs: 0');
    expect(lagMs).to.have.length(1);
    expect(lagMs[0].path).to.equal('replication-raft.fsyncLagMs');
    expect(lagMs[0].message).to.match(/>= 1/);
    const lagEntries = raftProblems('  fsyncLagEntries: many');
    expect(lagEntries).to.have.length(1);
    expect(lagEntries[0].path).to.equal('replication-raft.fsyncLagEntries');
    expect(lagEntries[0].message).to.match(/integer/);
    expect(raftProblems('  fsyncLagMs: 5000')[0].message).to.match(/<= 1000/);
  });

  it('a host built in code refuses bad values with CONFIG_INVALID, naming the setting, the value and the range', () => {
    const sync = hostError({ sync: 'fast' });
    expect(isMoosengError(sync, 'CONFIG_INVALID')).to.equal(true);
    expect(sync.message).to.equal('replication-raft.sync is "fast"; it must be one of "commit", "quorum-memory"');
    expect(hostError({ fsyncLagMs: 2.5 }).message).to.equal(
      'replication-raft.fsyncLagMs is 2.5; it must be a whole number of milliseconds from 1 to 1000',
    );
    expect(hostError({ fsyncLagEntries: 0 }).message).to.equal(
      'replication-raft.fsyncLagEntries is 0; it must be a whole number from 1 to 100000',
    );
  });

  it('refuses quorum-memory with fsync off, saying what to do instead', () => {
    const err = hostError({ sync: 'quorum-memory', fsync: false });
    expect(isMoosengError(err, 'CONFIG_INVALID')).to.equal(true);
    expect(err.message).to.match(/sync is "quorum-memory" with fsync: false/);
    expect(err.message).to.match(/set fsync: true, or leave sync at "commit"/);
  });
});
