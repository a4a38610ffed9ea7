// `npm run lint`: typescript-eslint's type-checked rules over the TypeScript (src, test,
// bench, web), React's hook rules for the Ink components. Formatting is Prettier's
// (`npm run format:check`), not ESLint's.
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'web/dist/', 'node_modules/', 'coverage/', 'test-artifacts/']},
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The plain JavaScript files (bin, scripts, loader hooks) have no tsconfig of their own: under twenty.
        projectService: {
          allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs', 'web/*.mjs', 'test/helpers/*.cjs', 'test/helpers/*.mjs'],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Async methods without await implement Promise-returning interfaces (stores, buckets).
      '@typescript-eslint/require-await': 'off',
      // Stored failures are rethrown as they came (`unknown`, always an Error in practice).
      '@typescript-eslint/only-throw-error': ['error', {allowThrowingUnknown: true}],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', {allowThrowingUnknown: true}],
      // `let x` declared before a closure that reads it and assigned once later.
      'prefer-const': ['error', {ignoreReadBeforeAssign: true}],
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true}],
    },
  },
  {
    // Tests inspect parsed JSON (responses, NDJSON, manifests) whose shape is what they assert.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // `out += chunk` on a Buffer, async request handlers, escape codes in expected screens.
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // oclif's index loads all of oclif (and checks its own engines with semver) at every start.
    files: ['src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {paths: [{name: '@oclif/core', message: "Import oclif's subpath instead (@oclif/core/flags, /args, /command, /errors, /help, /ux): start-up loads less."}]},
      ],
    },
  },
  {
    files: ['bench/**'],
    rules: {'@typescript-eslint/restrict-plus-operands': 'off'},
  },
  {
    files: ['**/*.tsx', 'src/lib/ui/use-*.ts'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {globals: {console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly'}},
  },
  {
    files: ['**/*.cjs'],
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
