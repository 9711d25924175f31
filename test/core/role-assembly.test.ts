// Role assembly builds what the config names, in a container of its own, and stops its steps in reverse.
import { expect } from 'chai';
import {
  assembleRole,
  container,
  ICompressor,
  IMetrics,
  loadConfig,
  PluginRegistry,
  silentLogger,
  type RoleDefinition,
  type RoleStep,
  type RoleTable,
} from '@mooseng/core';
import { ROLES } from 'mooseng';
import { baselinePlugins, fakePlugin, taggedContribution } from './fixtures';

const disposed: string[] = [];
const registry = PluginRegistry.build([
  ...baselinePlugins(),
  fakePlugin('plugin-compressors', [
    taggedContribution('compressor', 'squash', ['chunkserver'], {
      dispose: (s) => void disposed.push((s as { builtFrom: string }).builtFrom),
    }),
    taggedContribution('compressor', 'squeeze', ['chunkserver'], {
      configSchema: { type: 'object', properties: { level: { type: 'integer', default: 7 } } },
    }),
  ]),
]);

function recordingDefinition(log: string[], failAt?: string): RoleDefinition {
  const step = (name: string): RoleStep => ({
    name,
    start: async () => {
      if (name === failAt) throw new Error(`${name} refused to start`);
      log.push(`start ${name}`);
    },
    stop: async () => void log.push(`stop ${name}`),
  });
  return { ...ROLES.chunkserver!, steps: () => ['storage', 'network', 'join'].map(step) };
}

/** A role table whose chunkserver is `definition`: assembly takes the roles a program knows as an argument. */
function chunkserverOnly(definition: RoleDefinition): RoleTable {
  return { chunkserver: definition };
}

describe('role assembly', () => {
  it('builds the contribution the config names and hands it its validated section', async () => {
    const config = loadConfig({ role: 'chunkserver', text: 'plugins:\n  compressor: squeeze\n', env: {} }, registry, ROLES);
    const role = assembleRole({
      config,
      registry,
      logger: silentLogger,
      roles: chunkserverOnly({ ...ROLES.chunkserver!, steps: () => [] }),
    });
    await role.start();
    const compressor = role.resolve<{ builtFrom: string; config: { level: number } }>(ICompressor);
    expect(compressor.builtFrom).to.equal('squeeze');
    expect(compressor.config.level).to.equal(7);
    expect(role.chosen.get('compressor')).to.deep.equal({ id: 'squeeze', plugin: 'plugin-compressors@1.0.0' });
    await role.stop();
  });

  it('leaves an optional slot empty for "none" and keeps the no-op metrics', async () => {
    const config = loadConfig({ role: 'chunkserver', text: 'plugins:\n  metrics: none\n', env: {} }, registry, ROLES);
    const role = assembleRole({
      config,
      registry,
      logger: silentLogger,
      roles: chunkserverOnly({ ...ROLES.chunkserver!, steps: () => [] }),
    });
    await role.start();
    expect(role.chosen.has('compressor')).to.equal(false);
    expect(() => role.resolve(ICompressor)).to.throw();
    expect(await role.resolve<{ render(): Promise<unknown> }>(IMetrics).render()).to.equal(null);
    await role.stop();
  });

  it('starts steps in table order and stops them in reverse, disposing plugins last', async () => {
    const log: string[] = [];
    disposed.length = 0;
    const config = loadConfig({ role: 'chunkserver', text: 'plugins:\n  compressor: squash\n', env: {} }, registry, ROLES);
    const role = assembleRole({ config, registry, logger: silentLogger, roles: chunkserverOnly(recordingDefinition(log)) });
    expect(role.stepNames).to.deep.equal(['plugins', 'storage', 'network', 'join']);
    await role.start();
    expect(role.state).to.equal('running');
    await role.stop();
    await role.stop(); // idempotent
    expect(log).to.deep.equal(['start storage', 'start network', 'start join', 'stop join', 'stop network', 'stop storage']);
    expect(disposed).to.deep.equal(['squash']);
    expect(role.state).to.equal('stopped');
  });

  it('stops the steps already started, in reverse, when a later step fails', async () => {
    const log: string[] = [];
    const config = loadConfig({ role: 'chunkserver', env: {} }, registry, ROLES);
    const role = assembleRole({ config, registry, logger: silentLogger, roles: chunkserverOnly(recordingDefinition(log, 'join')) });
    let failure: Error | undefined;
    await role.start().catch((err: Error) => (failure = err));
    expect(failure?.message).to.equal('join refused to start');
    expect(log).to.deep.equal(['start storage', 'start network', 'stop network', 'stop storage']);
    expect(role.state).to.equal('failed');
  });

  it('gives each role instance its own child container', async () => {
    const a = loadConfig({ role: 'chunkserver', text: 'node: { id: cs-a }\nplugins: { compressor: squash }\n', env: {} }, registry, ROLES);
    const b = loadConfig({ role: 'chunkserver', text: 'node: { id: cs-b }\nplugins: { compressor: squeeze }\n', env: {} }, registry, ROLES);
    const empty = { ...ROLES.chunkserver!, steps: () => [] };
    const ra = assembleRole({ config: a, registry, logger: silentLogger, roles: chunkserverOnly(empty) });
    const rb = assembleRole({ config: b, registry, logger: silentLogger, roles: chunkserverOnly(empty) });
    await Promise.all([ra.start(), rb.start()]);
    expect(ra.resolve<{ builtFrom: string; node: string }>(ICompressor)).to.include({ builtFrom: 'squash', node: 'cs-a' });
    expect(rb.resolve<{ builtFrom: string; node: string }>(ICompressor)).to.include({ builtFrom: 'squeeze', node: 'cs-b' });
    expect(container.isRegistered(ICompressor)).to.equal(false);
    await Promise.all([ra.stop(), rb.stop()]);
  });

  it('reports a factory that throws as the plugin failing to build, naming it', async () => {
    const broken = PluginRegistry.build([
      ...baselinePlugins(),
      fakePlugin('plugin-broken', [
        taggedContribution('compressor', 'explodes', ['chunkserver'], {
          create: () => {
            throw new Error('no dictionary');
          },
        }),
      ]),
    ]);
    const config = loadConfig({ role: 'chunkserver', text: 'plugins: { compressor: explodes }\n', env: {} }, broken, ROLES);
    const role = assembleRole({
      config,
      registry: broken,
      logger: silentLogger,
      roles: chunkserverOnly({ ...ROLES.chunkserver!, steps: () => [] }),
    });
    const err = await role.start().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.contain('plugin-broken').and.contain('explodes').and.contain('no dictionary');
  });
});
