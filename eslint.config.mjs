// ESLint for the whole repository: typescript-eslint with type information, so promise misuse is caught
// (a floating promise in a file system loses errors, and with them data).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'dist-test/**',
      'dist-bench/**',
      '**/node_modules/**',
      '**/build/**',
      '**/*.d.ts',
      'master/dashboard/**',
      // Written by proto-loader-gen-types (npm run gen:proto); a test keeps it in step with the .proto files.
      'core/src/protocol/generated/**',
      // Code written to break the rules, for the test that shows the checks fail (test/core/layering.test.ts).
      'test/core/fixtures/layer-violations/**',
      'test/core/fixtures/lint-violations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Tokens and interfaces share one name (VS Code style), which is a declaration merge, not a redeclaration.
      'no-redeclare': 'off',
      '@typescript-eslint/no-redeclare': 'off',
    },
  },
  {
    // Tests and benchmarks read documents of any shape (YAML, JSON replies) and check them field by field.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain CommonJS scripts (the CLI's bin, the mocha reporter, fixtures): require() is how they import.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
