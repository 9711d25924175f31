// The checks that keep the layers and the habits (dependency rules, lint) really fail on code that breaks them: each
// runs on fixtures written to break them, as `npm test` runs them on the repository.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const FIXTURES = join(REPO, 'test', 'core', 'fixtures');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Runs dependency-cruiser with the repository's rules on `paths`, from `cwd`; returns the violations. */
function cruise(cwd: string, paths: string[]): Violation[] {
  const run = spawnSync(
    join(REPO, 'node_modules', '.bin', 'depcruise'),
    ['--config', join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json', ...paths],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  if (run.error) throw run.error;
  const result = JSON.parse(run.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('layering and lint checks', function () {
  this.timeout(60_000);

  it('dependency rules refuse each forbidden import of the fixture tree, and allow the library plugin', () => {
    const dir = join(FIXTURES, 'layer-violations');
    const found = cruise(dir, ['core/src', 'master/src', 'client/src', 'plugins']).map((v) => `${v.rule}: ${v.from} -> ${v.to}`);
    expect(found).to.include.members([
      'core-imports-no-role-plugin-or-cli: core/src/a.js -> master/src/role.js',
      'role-imports-core-only: master/src/role.js -> client/src/client.js',
      'public-api-only: master/src/role.js -> core/src/b.js',
      'plugin-imports-core-only: plugins/zip/src/index.js -> master/src/role.js',
      'plugin-imports-core-only: plugins/zip/src/index.js -> plugins/storage-x/src/index.js',
    ]);
    expect(found.some((f) => f.startsWith('no-circular: core/src/'))).to.equal(true, found.join('\n'));
    expect(
      found.some((f) => f.startsWith('declared-dependencies-only: master/src/role.js -> ') && f.includes('node_modules/yaml/')),
    ).to.equal(true, found.join('\n'));
    // The layer rule lets a storage plugin use the library plugin (the fixture reaches into its src/ by a relative
    // path, which public-api-only refuses; real code imports '@mooseng/block-store').
    expect(found.filter((f) => f.startsWith('plugin-imports-core-only') && f.includes('block-store'))).to.deep.equal([]);
  });

  it('the repository itself keeps every dependency rule', () => {
    const found = cruise(REPO, ['core/src', 'master/src', 'chunkserver/src', 'client/src', 'cli/src', 'plugins']);
    expect(found.map((v) => `${v.rule}: ${v.from} -> ${v.to}`)).to.deep.equal([]);
  });

  it('lint refuses a floating promise, a promise-returning callback where void is expected, and a value import used as a type', () => {
    const file = join(FIXTURES, 'lint-violations', 'floating.ts');
    const run = spawnSync(join(REPO, 'node_modules', '.bin', 'eslint'), ['--no-ignore', '--format', 'json', file], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(1);
    const [report] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string; line: number }> }>;
    const rules = report!.messages.map((m) => `${m.ruleId}@${m.line}`);
    expect(rules).to.include.members([
      '@typescript-eslint/consistent-type-imports@3',
      '@typescript-eslint/no-floating-promises@8',
      '@typescript-eslint/no-misused-promises@9',
    ]);
  });
});
