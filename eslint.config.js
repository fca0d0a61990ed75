import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const orchestrator = (dir) => `packages/orchestrator/src/${dir}`;
const layer = (target, from, why) => ({
  target: orchestrator(target),
  from: from.map(orchestrator),
  message: why,
});

/**
 * Which code may not import which (docs/architecture.md; DESIGN "How the new front doors fit"):
 * the core (scheduler, planner, registry, store) knows no adapter, the engine (cluster/) no
 * gateway, and the packages depend downwards only. Type-only imports count too.
 */
const LAYERS = [
  layer(
    'scheduler',
    ['store', 'api', 'cluster'],
    'The scheduler is pure: input → plan, no store or adapter.',
  ),
  layer(
    'planner',
    ['store', 'api', 'cluster'],
    'The planner is pure: it validates plans, expandGoal stores them.',
  ),
  layer('registry', ['api', 'cluster'], 'The registry is core: adapters and the engine call it.'),
  layer('store', ['api', 'cluster'], 'The store is core: adapters and the engine call its verbs.'),
  layer('cluster', ['api'], 'The engine talks to agents through an AgentLink, never to a gateway.'),
  {
    target: 'packages/protocol',
    from: ['packages/agent', 'packages/orchestrator', 'packages/cli', 'packages/testing', 'bench'],
    message: '@kos/protocol depends on no other workspace package.',
  },
  {
    target: 'packages/dashboard/src',
    from: ['packages/orchestrator', 'packages/cli', 'packages/agent', 'packages/testing'],
    message: 'The dashboard talks only to the public HTTP API: it imports @kos/contracts for types.',
  },
  {
    target: 'packages/agent',
    from: ['packages/orchestrator', 'packages/cli'],
    message: '@kos/agent depends on @kos/protocol only (it runs from plain Node).',
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.kos/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      // no-cycle parses the files an import leads to: with the TypeScript parser for .ts.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // Workspace packages resolve to their sources (the kos-source condition), as in tests.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
          conditionNames: ['kos-source', 'import', 'default'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Type-only imports are erased and do not count. node_modules is not walked: no cycle
      // through a third-party package can run through our files. No maxDepth: the rule costs
      // ~2.2 s of the lint (TIMING=1, 369 files), parsing each imported file once; maxDepth 3, 6
      // or 10 measured the same, so a depth limit would only hide long cycles.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: LAYERS }],
    },
  },
  {
    // @kos/protocol's main entry is browser-safe (browser-safe.test.ts walks its whole graph,
    // third-party files included); Node-only code lives in src/node/ behind @kos/protocol/node.
    files: ['packages/protocol/src/**/*.ts'],
    ignores: [
      'packages/protocol/src/node.ts',
      'packages/protocol/src/node/**',
      'packages/protocol/src/**/*.test.ts',
    ],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Node-only: use Uint8Array/TextEncoder, or move the code to src/node/.' },
        { name: 'process', message: 'Node-only: move the code to src/node/.' },
      ],
    },
  },
  {
    // Browser-safe (docs/api.md, "Typed contracts"): typebox only; its build has no Node types either.
    files: ['packages/contracts/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', '@kos/*'], message: '@kos/contracts depends on typebox alone' }] },
      ],
    },
  },
  {
    // The dashboard runs in browsers: no Node modules; React's rules of hooks.
    files: ['packages/dashboard/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'import-x/no-nodejs-modules': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
);
