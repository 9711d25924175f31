// The mooseng CLI as users run it: help, plugin discovery in an isolated oclif data dir, config checks, signals.
import { expect } from 'chai';
import { once } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, killTracked, makeTempDir, REPO_ROOT, runCli, spawnTracked, waitFor } from '../support';

describe('mooseng CLI', function () {
  this.timeout(60_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    // An oclif data dir of our own: linking plugins here never touches the user's installation.
    dataDir = makeTempDir('mooseng-oclif-');
    env = { MOOSENG_DATA_DIR: dataDir, MOOSENG_CONFIG_DIR: join(dataDir, 'config'), MOOSENG_CACHE_DIR: join(dataDir, 'cache') };
  });
  after(async () => {
    await killTracked();
    cleanupTempDirs();
  });

  it('lists its commands in --help', async () => {
    const r = await runCli(['--help'], { env });
    expect(r.code).to.equal(0);
    for (const command of ['master', 'chunkserver', 'mount', 'config', 'plugins']) expect(r.stdout).to.contain(command);
  });

  it('inspects the first-party contributions', async () => {
    const r = await runCli(['plugins', 'inspect', '--json'], { env });
    expect(r.code, r.stderr).to.equal(0);
    const rows = JSON.parse(r.stdout) as Array<{ kind: string; id: string; plugin: string }>;
    expect(rows).to.deep.include.members([
      {
        kind: 'placement',
        id: 'placement-hrw',
        roles: 'master',
        plugin: '@mooseng/plugin-placement-hrw',
        version: '0.1.0',
        description: rows.find((x) => x.id === 'placement-hrw')!['description' as never],
      },
    ]);
    expect(rows.map((x) => x.id)).to.include.members(['metrics-prometheus', 'placement-hrw']);
    expect(rows.map((x) => x.id)).not.to.include('compression-zlib');
  });

  it('discovers a linked third-party plugin and lets a config choose it', async () => {
    const link = await runCli(['plugins', 'link', '--no-install', join(REPO_ROOT, 'examples', 'plugin-zlib')], { env });
    expect(link.code, link.stderr).to.equal(0);
    const inspect = await runCli(['plugins', 'inspect'], { env });
    expect(inspect.stdout).to.match(/compressor\s+compression-zlib\s+chunkserver\s+mooseng-plugin-zlib\s+1\.0\.0/);
    const ok = await runCli(['config', 'validate', join(REPO_ROOT, 'examples', 'chunkserver-with-zlib.yaml')], { env });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('compressor=compression-zlib (mooseng-plugin-zlib@1.0.0)');

    const dir = makeTempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'role: chunkserver\nplugins: { compressor: compression-zlib }\ncompression-zlib: { level: 12 }\n');
    const r = await runCli(['config', 'validate', bad], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('compression-zlib.level: must be <= 9');

    const unlink = await runCli(['plugins', 'uninstall', 'mooseng-plugin-zlib'], { env });
    expect(unlink.code, unlink.stderr).to.equal(0);
    const gone = await runCli(['config', 'validate', join(REPO_ROOT, 'examples', 'chunkserver-with-zlib.yaml')], { env });
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.contain('plugins.compressor: no installed plugin provides "compression-zlib"');
  });

  it('refuses a linked plugin that duplicates an id, naming both plugins', async () => {
    await runCli(['plugins', 'link', '--no-install', join(__dirname, '..', '..', 'test', 'core', 'fixtures', 'plugin-duplicate')], {
      env,
      cwd: REPO_ROOT,
    });
    const r = await runCli(['plugins', 'inspect'], { env });
    expect(r.code).to.equal(2);
    expect(r.stderr)
      .to.contain('mooseng-plugin-duplicate-test')
      .and.contain('@mooseng/plugin-placement-hrw')
      .and.contain('PLUGIN_DUPLICATE');
    await runCli(['plugins', 'uninstall', 'mooseng-plugin-duplicate-test'], { env });
  });

  it('refuses a linked plugin built for another core API, naming it', async () => {
    await runCli(['plugins', 'link', '--no-install', join(REPO_ROOT, 'test', 'core', 'fixtures', 'plugin-future')], { env });
    const r = await runCli(['config', 'validate', join(REPO_ROOT, 'examples', 'client.yaml')], { env });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('mooseng-plugin-future-test@9.0.0').and.contain('targets core API 2.0');
    await runCli(['plugins', 'uninstall', 'mooseng-plugin-future-test'], { env });
  });

  it('writes a default config for every role that validates as written', async () => {
    const dir = makeTempDir();
    for (const role of ['master', 'chunkserver', 'client']) {
      const file = join(dir, `${role}.yaml`);
      const init = await runCli(['config', 'init', '--role', role, '--output', file], { env });
      expect(init.code, init.stderr).to.equal(0);
      const check = await runCli(['config', 'validate', file], { env });
      expect(check.code, check.stderr).to.equal(0);
      expect(check.stdout).to.contain(`valid ${role} config`);
    }
  });

  it('validates every example config, and reports each mistake of the broken one with its path', async () => {
    const examples = readdirSync(join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml') && !f.includes('zlib'));
    for (const name of examples) {
      const r = await runCli(['config', 'validate', join(REPO_ROOT, 'examples', name)], { env });
      if (name.startsWith('broken')) {
        expect(r.code).to.equal(1);
        for (const path of ['chunkserver.port', 'chunkserver.masters.0', 'chunkserver.dataDir', 'plugins.chunk-store'])
          expect(r.stderr).to.contain(`- ${path}:`);
      } else {
        expect(r.code, `${name}: ${r.stderr}`).to.equal(0);
      }
    }
  });

  it('stops a running role in reverse step order on SIGTERM', async () => {
    const child = spawnTracked(process.execPath, [join(__dirname, 'fixtures', 'signal-role.js')]);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await waitFor('the role to be ready', () => out.includes('ready'));
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).to.equal(0);
    expect(out.trim().split('\n')).to.deep.equal([
      'start storage',
      'start network',
      'start join',
      'ready',
      'stop join',
      'stop network',
      'stop storage',
      'exited cleanly',
    ]);
  });
});
