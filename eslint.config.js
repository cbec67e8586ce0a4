// Lint for every workspace: typescript-eslint's recommended rules, with formatting left to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.assay/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  { files: ['web/src/**/*.ts'], ignores: ['web/src/**/*.test.ts'], languageOptions: { globals: { ...globals.browser } } },
  // Candidate-facing code (starters, references, known-verdict submissions) is written as candidates
  // write it: CommonJS, unused parameters in starters, and mistakes on purpose.
  {
    files: [
      'problems/*/starter/**',
      'problems/*/reference/**',
      'problems/*/submissions/**',
      'grader/src/fixtures/**/starter/**',
      'grader/src/fixtures/**/reference/**',
    ],
    languageOptions: { globals: { ...globals.node, ...globals.commonjs } },
    rules: {
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      'no-undef': 'off',
    },
  },
  // Tests read JSON bodies whose shape they assert.
  { files: ['**/*.test.ts', '**/testing.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  prettier,
);
