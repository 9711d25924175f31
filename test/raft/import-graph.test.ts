// replication-raft's modules form a DAG: no file imports, even for types only, one that imports it back.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../support';

const SRC = join(REPO_ROOT, 'plugins', 'replication-raft', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of each file, resolved to files (`import type` counts: madge counts it too). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)'/g)].map((m) => `${resolve(dirname(f), m[1])}.ts`);
    graph.set(f, targets);
  }
  return graph;
}

/** Every cycle found by a depth-first search, as file paths relative to src/. */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (n: string, stack: string[]): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m].map((p) => relative(SRC, p)).join(' -> '));
      else if (!state.has(m)) visit(m, stack);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n, []);
  return found;
}

describe('replication-raft: module graph', () => {
  it('has no import cycle', () => {
    const files = sources(SRC);
    expect(files.length).to.be.greaterThan(10);
    const graph = importGraph(files);
    // The search itself finds a cycle when there is one.
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).to.have.length(1);
    for (const [f, targets] of graph)
      for (const t of targets) expect(graph.has(t), `${relative(SRC, f)} imports a missing ${relative(SRC, t)}`).to.equal(true);
    expect(cycles(graph)).to.deep.equal([]);
  });

  it('keeps the pure core free of storage, transport and host imports', () => {
    for (const f of sources(join(SRC, 'core'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, relative(SRC, f)).to.not.match(/from\s+'(\.\.\/|node:)/);
    }
  });
});
