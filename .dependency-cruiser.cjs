// The layers of MooseNG (docs/architecture.md, "Packages and the imports they may make"), checked by
// `npm run lint:deps` in `npm test` and CI. A package is a folder: core/, the roles master/, chunkserver/, client/,
// each plugins/<name>/, and cli/, the composition root that may import them all.
const ROLES = '(master|chunkserver|client)';
const ROLE_PACKAGES = '@mooseng/(master|chunkserver|client)';
const PLUGIN_PACKAGES = '@mooseng/plugin-[^/]+';
const LIBRARY_PLUGINS = 'plugins/block-store';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-role-plugin-or-cli',
      comment: 'core holds the contracts and the kit; it knows no role, no plugin and not the CLI',
      severity: 'error',
      from: { path: '^core/src/' },
      to: {
        path: [
          `^${ROLES}/`,
          '^plugins/',
          '^cli/',
          `node_modules/${ROLE_PACKAGES}/`,
          `node_modules/${PLUGIN_PACKAGES}/`,
          'node_modules/mooseng/',
        ],
      },
    },
    {
      name: 'role-imports-core-only',
      comment: 'a role imports core (and libraries), never another role, a plugin or the CLI',
      severity: 'error',
      from: { path: `^${ROLES}/src/` },
      to: { path: [`^${ROLES}/`, '^plugins/', '^cli/'], pathNot: ['^$1/'] },
    },
    {
      name: 'plugin-imports-core-only',
      comment: "a plugin imports core's public API only, plus a library plugin shared by several (plugins/block-store)",
      severity: 'error',
      from: { path: '^plugins/([^/]+)/src/' },
      to: { path: [`^${ROLES}/`, '^cli/', '^plugins/'], pathNot: ['^plugins/$1/', `^${LIBRARY_PLUGINS}/`] },
    },
    {
      name: 'public-api-only',
      comment: "packages reach each other through their entry point (package name), never into another package's files",
      severity: 'error',
      from: { path: '^(core|master|chunkserver|client|cli|plugins/[^/]+)/src/' },
      to: { path: '^(core|master|chunkserver|client|cli|plugins/[^/]+)/src/', pathNot: ['^$1/src/'] },
    },
    {
      name: 'no-circular',
      comment: 'modules form a DAG inside every package: a cycle makes load order matter and hides a missing seam',
      severity: 'error',
      from: { path: '^(core|master|chunkserver|client|cli|plugins/[^/]+)/src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'every import resolves (run after the build: other packages are reached through their dist/)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'declared-dependencies-only',
      comment: 'a package imports only what its own package.json declares (workspaces hoist, so a missing one would still load here)',
      severity: 'error',
      from: { path: '^(core|master|chunkserver|client|cli|plugins/[^/]+)/src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev'] },
    },
  ],
  options: {
    // Another package is reached through its compiled entry (core/dist/index.js): record the edge, do not walk it.
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default', 'types'],
      mainFields: ['main', 'types'],
    },
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.base.json') },
  },
};
