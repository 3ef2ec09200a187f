// ESLint 9 flat config. typescript-eslint's recommended rules without type information: the
// type-aware set needs a full program per run and tsc (npm run typecheck) already covers types.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'data/', '.tmp/', 'coverage/', 'studio/dist/', 'studio/build/', 'studio/.svelte-kit/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: globals.node,
    },
    rules: {
      // `_`-prefixed parameters are the Express convention for ones a signature requires.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['studio/src/**/*.ts'],
    languageOptions: { globals: globals.browser },
  },
);
