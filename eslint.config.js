// Lint: TypeScript's recommended rules, plus the one rule the architecture
// depends on: workflow code is replayed deterministically inside Temporal's
// sandbox, so it must never reach Node built-ins or the Kubernetes client.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'test/fixtures/**', 'test-results/**', '.build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // codec/failure-converter.ts is bundled into the workflow sandbox too.
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'codec/failure-converter.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'workflow and domain code must stay free of I/O: no Node built-ins' })),
            { name: '@kubernetes/client-node', message: 'cluster calls belong in activities/' },
          ],
          patterns: [
            { group: ['@kubernetes/*'], message: 'cluster calls belong in activities/' },
            { group: ['node:*'], message: 'workflow and domain code must stay free of I/O: no Node built-ins' },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // Workflows may see activities only as types (the worker runs them).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../activities', '../activities/*'], message: 'use import type for activities', allowTypeImports: true }] },
      ],
    },
  },
  {
    files: ['activities/**/*.ts', 'worker/**/*.ts', 'client/**/*.ts'],
    ignores: ['activities/kubernetes-client.ts'],
    rules: {
      // The compiled tree bundles the package's values behind one module (activities/kubernetes-client.ts):
      // a value imported from the package itself would load all of it into the worker again.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@kubernetes/client-node', message: 'import values from activities/kubernetes-client.ts (types may come from the package)', allowTypeImports: true }] },
      ],
    },
  },
  {
    files: ['codec/**/*.ts'],
    rules: {
      // The payload codec is a leaf every process loads: it knows payloads and keys, nothing of deploys.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../domain', '../domain/*', '../workflows', '../workflows/*', '../activities', '../activities/*', '../client', '../client/*', '../worker', '../worker/*'],
              message: 'codec/ imports nothing of deployflow: every process (client, worker, tests) loads it',
            },
          ],
        },
      ],
    },
  },
);
