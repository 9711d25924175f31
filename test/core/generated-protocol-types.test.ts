// The committed control-plane types are what `npm run gen:proto` makes of today's .proto files, with the options the
// loader decodes with: regenerates into a temporary directory and compares file by file.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROTO_LOADER_OPTIONS } from '@mooseng/core';
import { cleanupTempDirs, makeTempDir, REPO_ROOT } from '../support';

const SCRIPT = join(REPO_ROOT, 'scripts', 'gen-proto.js');
const COMMITTED = join(REPO_ROOT, 'core', 'src', 'protocol', 'generated');

/** Every file under dir, relative to it, with its text. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('generated control-plane types', function () {
  this.timeout(60_000);
  after(cleanupTempDirs);

  it('match what npm run gen:proto generates from the .proto files now', () => {
    const out = join(makeTempDir('mooseng-gen-proto-test-'), 'generated');
    const run = spawnSync(process.execPath, [SCRIPT, '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const fresh = tree(out);
    const committed = tree(COMMITTED);
    const stale = 'core/src/protocol/generated is stale: run `npm run gen:proto` and commit the result';
    expect([...committed.keys()], stale).to.deep.equal([...fresh.keys()]);
    for (const [file, text] of fresh) expect(committed.get(file), `${stale} (${file} differs)`).to.equal(text);
    expect(fresh.size).to.be.above(10);
  });

  it('are generated with the options the loader decodes with', () => {
    // gen-proto.js names the options it generates for; PROTO_LOADER_OPTIONS is what loadProto decodes with.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script, loaded by its path
    const script = require(SCRIPT) as { LOADER_OPTIONS: Record<string, unknown> };
    const loader = Object.fromEntries(Object.entries(PROTO_LOADER_OPTIONS).map(([k, v]) => [k, typeof v === 'function' ? v.name : v]));
    expect(
      script.LOADER_OPTIONS,
      'scripts/gen-proto.js LOADER_OPTIONS vs PROTO_LOADER_OPTIONS (core/src/protocol/proto-files.ts)',
    ).to.deep.equal(loader);
  });
});
