// Config loading: problems come back with their paths and sources; precedence is flag > env > file > default.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfig, isMoosengError, loadConfig, PluginRegistry, type ConfigSources } from '@mooseng/core';
import { ROLES } from 'mooseng';
import { cleanupTempDirs, makeTempDir } from '../support';
import { baselinePlugins, fakePlugin, taggedContribution } from './fixtures';

const registry = PluginRegistry.build([
  ...baselinePlugins(),
  fakePlugin('test-extra', [
    taggedContribution('compressor', 'squash', ['chunkserver'], {
      configSchema: {
        type: 'object',
        required: ['dictionary'],
        additionalProperties: false,
        properties: { dictionary: { type: 'string' }, level: { type: 'integer', minimum: 1, maximum: 9, default: 3 } },
      },
      environment: [{ variable: 'MOOSENG_SQUASH_LEVEL', path: 'squash.level' }],
    }),
  ]),
]);

function problems(sources: ConfigSources): Array<{ path: string; message: string }> {
  return checkConfig({ env: {}, ...sources }, registry, ROLES).problems;
}

describe('config loading', () => {
  after(cleanupTempDirs);

  it('fills every default when given no file at all', () => {
    const config = loadConfig({ role: 'chunkserver', env: {} }, registry, ROLES);
    expect(config.role).to.equal('chunkserver');
    expect(config.chunkserver).to.include({ port: 9420, httpPort: 9425 });
    expect(config.plugins).to.deep.include({ 'chunk-store': 'storage-fs', compressor: 'none' });
    expect(config.node.id).to.match(/^chunkserver-/);
    expect(config.log.level).to.equal('info');
  });

  it('names an unknown plugin id with the choices that exist', () => {
    const found = problems({ role: 'chunkserver', text: 'plugins:\n  chunk-store: storage-zfs\n' });
    expect(found).to.have.length(1);
    expect(found[0].path).to.equal('plugins.chunk-store');
    expect(found[0].message).to.contain('storage-zfs').and.contain('storage-fs');
  });

  it('reports a wrong type with its path', () => {
    const found = problems({ text: 'role: master\nmaster:\n  port: lots\n' });
    expect(found).to.deep.equal([{ path: 'master.port', message: 'must be integer' }]);
  });

  it('reports a missing required field of a plugin section', () => {
    const found = problems({ text: 'role: chunkserver\nplugins:\n  compressor: squash\nsquash:\n  level: 4\n' });
    expect(found).to.deep.equal([{ path: 'squash.dictionary', message: 'is required' }]);
  });

  it('reports a bad environment value with the variable that set it', () => {
    const found = problems({ role: 'chunkserver', env: { MOOSENG_LISTEN_PORT: 'ninety' } });
    expect(found).to.have.length(1);
    expect(found[0].path).to.equal('chunkserver.port');
    expect(found[0].message).to.contain('MOOSENG_LISTEN_PORT=ninety');
  });

  it('lists every problem at once, not just the first', () => {
    const found = problems({
      text: 'role: chunkserver\nbogus: 1\nchunkserver:\n  port: 99999\n  dataDir: /x\n  masters: [nope]\nplugins:\n  chunk-store: nope\n',
    });
    expect(found.map((p) => p.path).sort()).to.deep.equal([
      'bogus',
      'chunkserver.dataDir',
      'chunkserver.masters.0',
      'chunkserver.port',
      'plugins.chunk-store',
    ]);
  });

  it('refuses a section of another role and a plugin section for another role', () => {
    const found = problems({ text: 'role: master\nchunkserver: {}\nstorage-fs: {}\n' });
    expect(found.map((p) => p.path).sort()).to.deep.equal(['chunkserver', 'storage-fs']);
    expect(found.find((p) => p.path === 'storage-fs')!.message).to.contain('serves chunkserver');
  });

  it('refuses a file whose role differs from the command', () => {
    const found = problems({ role: 'master', text: 'role: chunkserver\n' });
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ path: 'role' });
  });

  it('locates a YAML syntax error by line', () => {
    const found = problems({ role: 'master', text: 'master:\n  port: [9421\n' });
    expect(found[0].path).to.equal('(file)');
    expect(found[0].message).to.match(/line \d+/);
  });

  it('refuses "none" for a slot the role cannot do without', () => {
    const found = problems({ role: 'master', text: 'plugins:\n  consensus: none\n' });
    expect(found).to.deep.equal([{ path: 'plugins.consensus', message: 'the master role needs a consensus; "none" is not allowed' }]);
  });

  it('applies flag over environment over file over default', () => {
    const dir = makeTempDir();
    const file = join(dir, 'cs.yaml');
    writeFileSync(file, 'role: chunkserver\nchunkserver:\n  port: 1111\n  httpPort: 2222\n  heartbeatIntervalMs: 3333\n');
    const env = { MOOSENG_LISTEN_PORT: '4444', MOOSENG_METRICS_PORT: '5555' };
    const config = loadConfig({ file, env, overrides: ['chunkserver.port=6666'] }, registry, ROLES);
    const section = config.chunkserver as Record<string, unknown>;
    expect(section.port).to.equal(6666); // flag
    expect(section.httpPort).to.equal(5555); // env over file
    expect(section.heartbeatIntervalMs).to.equal(3333); // file over default
    expect(section.scrubRateMBps).to.equal(8); // default
  });

  it("applies a selected plugin's own MOOSENG_* variables to its section, below flags, and ignores them when it is not selected", () => {
    const text = 'plugins: { compressor: squash }\nsquash: { dictionary: d }\n';
    const fromEnv = loadConfig({ role: 'chunkserver', text, env: { MOOSENG_SQUASH_LEVEL: '7' } }, registry, ROLES);
    expect((fromEnv.squash as { level: number }).level).to.equal(7);
    const fromFlag = loadConfig(
      { role: 'chunkserver', text, env: { MOOSENG_SQUASH_LEVEL: '7' }, overrides: ['squash.level=5'] },
      registry,
      ROLES,
    );
    expect((fromFlag.squash as { level: number }).level).to.equal(5);
    const viaFlagSelection = loadConfig(
      {
        role: 'chunkserver',
        text: 'squash: { dictionary: d }\n',
        env: { MOOSENG_SQUASH_LEVEL: '4' },
        overrides: ['plugins.compressor=squash'],
      },
      registry,
      ROLES,
    );
    expect((viaFlagSelection.squash as { level: number }).level).to.equal(4);
    const unselected = loadConfig({ role: 'chunkserver', env: { MOOSENG_SQUASH_LEVEL: '7' } }, registry, ROLES);
    expect(unselected.squash).to.equal(undefined);
  });

  it('splits list variables and resolves relative paths against the config file', () => {
    const dir = makeTempDir();
    const file = join(dir, 'cs.yaml');
    writeFileSync(file, 'role: chunkserver\nnode:\n  dataDir: state\n');
    const config = loadConfig({ file, env: { MOOSENG_DATA_DIRS: 'd1, /abs/d2', MOOSENG_MASTER_ADDRS: 'a:1,b:2' } }, registry, ROLES);
    const section = config.chunkserver as { dataDirs: string[]; masters: string[] };
    expect(section.dataDirs).to.deep.equal([join(dir, 'd1'), '/abs/d2']);
    expect(section.masters).to.deep.equal(['a:1', 'b:2']);
    expect(config.node.dataDir).to.equal(join(dir, 'state'));
  });

  it('throws CONFIG_INVALID with every problem in details, and CONFIG_NOT_FOUND for a missing file', () => {
    try {
      loadConfig({ role: 'master', text: 'master:\n  port: 0\n  httpPort: 70000\n', env: {} }, registry, ROLES);
      expect.fail('should have thrown');
    } catch (err) {
      expect(isMoosengError(err, 'CONFIG_INVALID')).to.equal(true);
      expect((err as { details: { problems: unknown[] } }).details.problems).to.have.length(2);
    }
    expect(() => loadConfig({ file: '/nonexistent/mooseng.yaml', env: {} }, registry, ROLES))
      .to.throw(/does not exist/)
      .with.property('code', 'CONFIG_NOT_FOUND');
  });
});
