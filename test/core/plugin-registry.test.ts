// The plugin host checks every plugin before anything is built, and names the plugin in every refusal.
import { expect } from 'chai';
import { checkConfig, isApiCompatible, isMoosengError, PluginRegistry } from '@mooseng/core';
import { ROLES } from 'mooseng';
import { baselinePlugins, fakePlugin, taggedContribution } from './fixtures';

function refusal(build: () => unknown): { code: string; message: string } {
  try {
    build();
  } catch (err) {
    if (isMoosengError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the registry to refuse');
}

describe('plugin registry', () => {
  it('refuses two plugins contributing the same id, naming both', () => {
    const r = refusal(() =>
      PluginRegistry.build([
        fakePlugin('plugin-a', [taggedContribution('compressor', 'squash', ['chunkserver'])]),
        fakePlugin('plugin-b', [taggedContribution('compressor', 'squash', ['chunkserver'])]),
      ]),
    );
    expect(r.code).to.equal('PLUGIN_DUPLICATE');
    expect(r.message).to.contain('plugin-a').and.contain('plugin-b').and.contain('squash');
  });

  it('refuses a plugin built for another core API major, naming it', () => {
    const r = refusal(() =>
      PluginRegistry.build([fakePlugin('plugin-old', [taggedContribution('compressor', 'old', ['chunkserver'])], '0.9')]),
    );
    expect(r.code).to.equal('PLUGIN_API_MISMATCH');
    expect(r.message).to.contain('plugin-old').and.contain('0.9');
  });

  it('accepts an older minor of the same major and refuses a newer one', () => {
    expect(isApiCompatible('1.0', '1.3')).to.equal(true);
    expect(isApiCompatible('1.4', '1.3')).to.equal(false);
    expect(isApiCompatible('2.0', '1.3')).to.equal(false);
    expect(isApiCompatible('one', '1.3')).to.equal(false);
  });

  it('refuses malformed contributions and reports all problems together', () => {
    const r = refusal(() =>
      PluginRegistry.build([
        fakePlugin('plugin-bad', [
          taggedContribution('compressor', 'Bad Id', ['chunkserver']),
          taggedContribution('teleporter' as never, 'tp', ['chunkserver']),
          taggedContribution('compressor', 'nowhere', ['kitchen' as never]),
          taggedContribution('compressor', 'bad-schema', ['chunkserver'], { configSchema: { type: 'banana' as never } }),
          taggedContribution('compressor', 'nosy', ['chunkserver'], {
            environment: [{ variable: 'MOOSENG_DATA_DIRS', path: 'chunkserver.dataDirs' }],
          }),
        ]),
      ]),
    );
    expect(r.code).to.equal('PLUGIN_INVALID');
    for (const bit of [
      'Bad Id',
      'teleporter',
      'kitchen',
      'bad-schema',
      'MOOSENG_DATA_DIRS must be MOOSENG_* and set a path in its own section "nosy."',
    ])
      expect(r.message).to.contain(bit);
    expect(r.message.split('\n').filter((l) => l.includes('plugin-bad'))).to.have.length(5);
  });

  it('refuses a package without a manifest', () => {
    const r = refusal(() => PluginRegistry.build([{ name: 'plugin-empty', version: '1.0.0', root: '/x', manifest: undefined as never }]));
    expect(r.message).to.contain('plugin-empty');
  });

  it('reports an unmet requirement of a selected plugin against the config', () => {
    const registry = PluginRegistry.build([
      ...baselinePlugins(),
      fakePlugin('plugin-needy', [
        taggedContribution('chunk-store', 'needs-compressor', ['chunkserver'], { requires: [{ kind: 'compressor' }] }),
      ]),
    ]);
    const { problems } = checkConfig(
      { role: 'chunkserver', text: 'plugins:\n  chunk-store: needs-compressor\n', env: {} },
      registry,
      ROLES,
    );
    expect(problems).to.have.length(1);
    expect(problems[0].path).to.equal('plugins.compressor');
    expect(problems[0].message).to.contain('plugin-needy').and.contain('requires a compressor');
  });

  it('lists contributions by kind for a role', () => {
    const registry = PluginRegistry.build(baselinePlugins());
    expect(registry.candidates('chunk-store', 'chunkserver').map((c) => c.contribution.id)).to.deep.equal(['storage-fs']);
    expect(registry.candidates('chunk-store', 'master')).to.deep.equal([]);
    expect(registry.get('placement-hrw')!.plugin.name).to.equal('test-baseline');
  });
});
