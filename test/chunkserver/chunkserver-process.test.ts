// `mooseng chunkserver --config FILE` as a real process: serves the data plane and HTTP, stops cleanly on SIGTERM.
import { expect } from 'chai';
import { once } from 'node:events';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkFilePath } from '@mooseng/block-store';
import { DataPlaneClient, SystemClock } from '@mooseng/core';
import { CLI_BIN, cleanupTempDirs, freePort, killTracked, makeTempDir, spawnTracked, tailFile, waitFor } from '../support';
import { randomBytes } from './helpers';

describe('chunkserver process', function () {
  this.timeout(60_000);
  const client = new DataPlaneClient({ clock: new SystemClock() });
  let logFile = '';

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`--- ${logFile}\n${tailFile(logFile)}\n`);
  });
  after(async () => {
    client.close();
    await killTracked();
    cleanupTempDirs();
  });

  it('starts from a config file, stores chunks, answers /health and /metrics, and exits 0 on SIGTERM', async () => {
    const dir = makeTempDir('mooseng-csproc-');
    const port = await freePort();
    const httpPort = await freePort();
    logFile = join(dir, 'chunkserver.log');
    const disk = join(dir, 'disk-a');
    const config = join(dir, 'chunkserver.yaml');
    writeFileSync(
      config,
      [
        'role: chunkserver',
        `node: { id: cs-proc, dataDir: ${dir} }`,
        `log: { level: debug, file: ${logFile} }`,
        'plugins: { chunk-store: storage-directio, compressor: compression-lz4 }',
        'storage-directio: { fsync: always }',
        'chunkserver:',
        '  host: 127.0.0.1',
        `  port: ${port}`,
        `  httpPort: ${httpPort}`,
        `  masters: ["127.0.0.1:${await freePort()}"]`,
        `  dataDirs: [${disk}]`,
        '',
      ].join('\n'),
    );
    // MOOSENG_DATA_DIRS wins over the file's dataDirs (flag > environment > file > default).
    const diskB = join(dir, 'disk-b');
    const child = spawnTracked(process.execPath, [CLI_BIN, 'chunkserver', '--config', config], {
      env: { ...process.env, MOOSENG_DATA_DIRS: `${disk},${diskB}` },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const health = await waitFor(
      'the chunkserver to answer /health',
      async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}/health`);
        return res.ok ? ((await res.json()) as { status: string; dataAddress: string; dirs: Array<{ dir: string }> }) : null;
      },
      20_000,
    );
    expect(health).to.include({ status: 'ok', dataAddress: `127.0.0.1:${port}` });
    expect(health.dirs.map((d) => d.dir)).to.deep.equal([disk, diskB]);

    const address = `127.0.0.1:${port}`;
    const ref = { chunkId: 77, version: 1 };
    const data = randomBytes(3_000_000, 77);
    await client.create(address, ref);
    await client.write(address, ref, 0, data);
    expect((await client.read(address, ref, 0, data.length)).equals(data)).to.equal(true);
    expect(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).to.contain('mooseng_chunkserver_written_bytes_total');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code, stderr).to.equal(0);
    // fsync: always — the chunk file is there, with its data, after the process is gone.
    const home = [disk, diskB].find((d) => existsSync(chunkFilePath(d, 77, 1)))!;
    expect(statSync(chunkFilePath(home, 77, 1)).size).to.be.above(3_000_000);
    const log = tailFile(logFile, 200);
    expect(log).to.contain('data plane listening');
    expect(log).to.match(/step masters stopped[\s\S]*step stores stopped/);
  });
});
