// ESLint (flat config): typescript-eslint's type-checked rules everywhere; Lit, Lit accessibility and web-component
// rules for the browser code; Prettier owns the layout (eslint-config-prettier turns layout rules off).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configs as lit } from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import { configs as wc } from 'eslint-plugin-wc';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const BROWSER = ['src/**/*.ts', 'server/sandbox/simulator/**/*.ts', 'test/browser/**/*.ts'];

export default tseslint.config(
  // Build output, state, and what lit-localize generates (src/i18n/locales, locale-codes.ts).
  {
    ignores: [
      'dist/',
      'node_modules/',
      'test-output/',
      'bench/results/',
      'data/',
      'logs/',
      'src/i18n/locales/',
      'src/i18n/locale-codes.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      // The three TypeScript projects: server, browser, tools (see tsconfig.json).
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.browser.json', './tsconfig.tools.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are mistakes, except a leading underscore that says "deliberately unused".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
            // @open-wc's DOM-diff plugin types chai's equal() as a promise for every value; only .dom.equal is one.
            { from: 'file', path: 'node_modules/@open-wc/semantic-dom-diff/chai-dom-diff-plugin.d.ts', name: 'Equal' },
          ],
        },
      ],
    },
  },
  // Plain JavaScript (configs, small scripts) is in no TypeScript project: the rules that need types are off there.
  {
    files: ['**/*.{js,mjs}'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  { files: ['examples/**/*.js'], languageOptions: { globals: globals.browser } },
  {
    files: BROWSER,
    ...lit['flat/recommended'],
    languageOptions: { globals: globals.browser },
  },
  { files: BROWSER, ...wc['flat/recommended'] },
  { files: BROWSER, ...litA11y.configs.recommended },
  prettier,
);
