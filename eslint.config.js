import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import directions from DESIGN.md §2, enforced so the architecture cannot quietly rot:
 * - the renderer reaches the Node side only through electron/contract;
 * - services never import the Electron entry, the server, or the `electron` package;
 * - the SQL engine imports nothing from the rest of the app;
 * - the contract imports nothing but zod and itself.
 */
const restrict = (patterns, message) => ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }];

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': restrict(
        ['**/electron/services/**', '**/electron/rpc/**', '**/electron/server/**', '**/electron/main/**', '**/electron/engine/**', '**/electron/cli/**', 'node:*', 'electron', 'better-sqlite3', 'node-pty'],
        'The renderer may import only electron/contract (@contract/...) from the Node side.',
      ),
    },
  },
  {
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(['**/electron/main/**', '**/main/**', '**/server/**', '**/cli/**', 'electron', '**/renderer/**'], 'Services are plain Node: no electron, main, server, CLI or renderer imports.'),
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(['**/services', '**/services/**', '**/contract', '**/rpc', '**/contract/**', '**/rpc/**', '**/server/**', '**/main/**', '**/cli/**', 'electron', '**/renderer/**'], 'The engine imports nothing from the rest of the app.'),
    },
  },
  {
    files: ['electron/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(['**/services/**', '**/rpc/**', '**/server/**', '**/main/**', '**/engine/**', '**/cli/**', 'electron', 'node:*'], 'The contract is shared with the renderer: zod and types only.'),
    },
  },
  {
    files: ['**/*.test.ts', 'e2e/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
