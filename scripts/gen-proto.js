#!/usr/bin/env node
// Regenerates core/src/protocol/generated/ (TypeScript types of client.proto and chunkserver.proto) with
// proto-loader-gen-types: `npm run gen:proto`. `--out DIR` writes elsewhere (the freshness test compares the two).
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, relative } = require('node:path');

const REPO_ROOT = join(__dirname, '..');
/** Where the .proto files are, relative to the repository root (the generator names them so in each file). */
const PROTO_DIR = 'core/src/protocol';
/** The control-plane files whose types the code uses. raft.proto belongs to the raft plugin's transport. */
const PROTO_FILES = ['client.proto', 'chunkserver.proto'];
const DEFAULT_OUT = join(REPO_ROOT, PROTO_DIR, 'generated');

/**
 * The loader options the types must describe: PROTO_LOADER_OPTIONS of core/src/protocol/proto-files.ts, with the
 * constructors by name. The freshness test fails when the two differ.
 */
const LOADER_OPTIONS = { keepCase: false, longs: 'Number', enums: 'String', defaults: true, oneofs: true };

/** Generator flags for LOADER_OPTIONS (bytes stay Buffer, the default of both). */
function generatorFlags(o) {
  return [
    ...(o.keepCase ? ['--keepCase'] : []),
    `--longs=${o.longs}`,
    `--enums=${o.enums}`,
    ...(o.defaults ? ['--defaults'] : []),
    ...(o.oneofs ? ['--oneofs'] : []),
    '--grpcLib=@grpc/grpc-js',
    '--includeComments',
  ];
}

/** Every file under dir, relative to it, sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Generates into a fresh directory `out` (replaced whole, so types of removed messages go too). */
function generate(out) {
  const staging = mkdtempSync(join(tmpdir(), 'mooseng-gen-proto-'));
  try {
    const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js', { paths: [REPO_ROOT] });
    // The .proto names come first: -I takes every argument after it.
    const args = [bin, ...PROTO_FILES, ...generatorFlags(LOADER_OPTIONS), '-O', staging, '-I', PROTO_DIR];
    const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`proto-loader-gen-types failed (${run.status}): ${run.stderr}`);
    rmSync(out, { recursive: true, force: true });
    for (const file of listFiles(staging)) {
      const target = join(out, file);
      mkdirSync(dirname(target), { recursive: true });
      // The generated files name their .proto on their first line; ours say first what they are and how to remake them.
      writeFileSync(
        target,
        `// Generated from .proto files in core/src/protocol by \`npm run gen:proto\` (proto-loader-gen-types); do not edit.\n${readFileSync(join(staging, file), 'utf8')}`,
      );
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

module.exports = { LOADER_OPTIONS, PROTO_FILES, generate, listFiles };

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1] : DEFAULT_OUT;
  if (!out) throw new Error('--out takes a directory');
  generate(out);
  console.log(`generated ${listFiles(out).length} files in ${relative(process.cwd(), out) || '.'}`);
}
