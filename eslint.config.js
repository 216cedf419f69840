// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/generated/: written by `npm run openapi` (openapi-typescript); tsc still checks it.
  {
    ignores: ['node_modules/', 'data/', 'migrations/', 'test-artifacts/', 'test/generated/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs what test() and describe() return; awaiting them is optional.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Fastify plugins and hooks are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The rooms of src/ and which way their doors open (docs/architecture.md): the
  // domains know nothing of HTTP, the two APIs and the web pages do not reach into
  // each other, and auth (the library) does not know the pages that use it.
  {
    files: [
      'src/core/**',
      'src/db/**',
      'src/customers/**',
      'src/orders/**',
      'src/sms/**',
      'src/transfer/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/api/**',
                '**/web/**',
                '**/http/**',
                '**/auth/**',
                'fastify',
                '@fastify/*',
              ],
              message: 'Domains and the database layer know nothing of HTTP or auth.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/auth/**', 'src/http/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/web/**'],
              message: 'Shared plumbing serves the APIs and pages; it does not import them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/api/legacy/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/v1/**', '**/web/**'],
              message: 'The APIs share services, not each other.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/api/v1/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/legacy/**', '**/web/**'],
              message: 'The APIs share services, not each other.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/api/**'], message: 'Pages use the services, not an API.' }] },
      ],
    },
  },
  {
    // Tests read untyped JSON answers (response.json()) on purpose; asserts check them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // Browser scripts served to the pages.
    files: ['src/web/static/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        fetch: 'readonly',
        navigator: 'readonly',
        window: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
