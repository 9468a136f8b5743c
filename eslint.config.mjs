// Lint configuration: typescript-eslint's recommended rules for every TypeScript file, plus the
// one architectural rule the project depends on: the engine never imports a host library.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'actions/*/dist/', 'tasks/*/dist/', 'out/', '.tmp/', 'bench/.work/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'], message: 'The engine and commands never import a host library; use the Host interface.' },
            { group: ['@actions/*'], message: 'The engine and commands never import a host library; use the Host interface.' },
            { group: ['**/hosts/*', '**/hosts'], message: 'Commands receive a Host; they never import a host adapter.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
);
