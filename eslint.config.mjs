// Lint for every TypeScript file we ship or test, with type information (typescript-eslint's
// type-checked rules read the program tsconfig.json describes). Run by `npm test` (scripts/test.mjs)
// and alone with `npx eslint .`. Formatting is Prettier's job (.prettierrc.json), not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', '.artifacts/**', '.test-artifacts/**', '.salun/**', 'media/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a value kept on purpose: a destructured field dropped from a copy,
      // a parameter an interface requires.
      // A channel wired to its peer before it exists is read (in a closure) before its one assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests load modules that import `vscode` only after a fake is installed: a require() placed
      // after that line is the point, and an import would be hoisted above it.
      '@typescript-eslint/no-require-imports': 'off',
      // Fakes implement async interfaces (onEpoch, run) with bodies that have nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
