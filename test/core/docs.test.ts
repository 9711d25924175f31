// The docs stay true: every error code is documented, and the example plugin's README matches its manifest.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@mooseng/core';
import { REPO_ROOT } from '../support';

describe('documentation', () => {
  it('lists every error code in docs/errors.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
    const missing = Object.values(ErrorCodes).filter((code) => !doc.includes(`| \`${code}\` |`));
    expect(missing, 'codes missing from docs/errors.md').to.deep.equal([]);
  });

  it('names in the README quick start exactly two commands, the demo and the tests', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /## Quick start[\s\S]*?```(?:sh|bash)?\n([\s\S]*?)```/.exec(readme);
    expect(block, 'a fenced block under ## Quick start').to.not.equal(null);
    expect(block![1].trim().split('\n')).to.deep.equal(['npm run demo', 'npm test']);
  });
});
