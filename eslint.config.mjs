// @ts-check
import tseslint from 'typescript-eslint';

/** Imports a layer must not make (each layer may use only what is below it: see docs/ARCHITECTURE.md). */
const noVscode = { name: 'vscode', message: 'only src/extension may import vscode.' };
const layer = (message, ...group) => ({ group, message });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-harness/**', 'artifacts/**', 'test/fixtures/**', 'typings/**'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Numbers and booleans in messages are what templates are for; objects and undefined stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // \`async\` is kept for its contract (a throw becomes a rejection) on methods that have nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('src/common imports nothing but src/common (no Node, no DOM, no packages).', 'node:*', '../core/**', '../cli/**', '../worker/**', '../extension/**', '../shared/**', '@*', '[a-z]*')] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('src/core depends only on src/common (and packages): never on the CLI, the worker, the panel protocol or VS Code.', '**/cli/**', '**/worker/**', '**/extension/**', '**/shared/**', '**/webview/**')] }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('the CLI and the worker must not import the VS Code adapters.', '**/extension/**')] }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('webview/ may import only src/common and the panel protocol (src/shared/protocol).', '../src/core/**', '../src/cli/**', '../src/worker/**', '../src/extension/**', 'node:*')] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
