// ESLint 9 flat config for the whole workspace: `pnpm lint` (= `eslint .`).
//
// TypeScript is linted with type information (typescript-eslint's project
// service: each file is checked with the tsconfig.json nearest to it, so a
// source file must belong to its package's tsconfig to be linted).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Relative imports that leave a package. Another package is imported by its
 * name (`@tally/contracts`), which goes through its one entry file; reaching
 * into its folders couples to its internals and breaks the build order.
 * `../../../` from `src/<feature>/x.ts` already lands outside `src/`.
 */
const crossPackageImports = [
  {
    group: [
      '../../../*',
      '../../packages/*',
      '../../apps/*',
      '**/packages/*/src/*',
      '**/apps/*/src/*',
    ],
    message:
      'Do not import across package boundaries with a relative path; import the package by name (e.g. @tally/contracts).',
  },
  {
    group: ['@tally/*/src', '@tally/*/src/*', '@tally/*/dist', '@tally/*/dist/*'],
    message: 'Import a workspace package through its entry point (@tally/<name>), not its files.',
  },
];

/** Globals of Node scripts (plain JS in scripts/). */
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'AbortController',
    'AbortSignal',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'structuredClone',
    'performance',
    'TextEncoder',
    'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

/** Rules of the plain JavaScript we lint: Node scripts and the dashboard's browser modules. */
const plainJsRules = {
  'no-unused-vars': [
    'error',
    { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
  ],
  eqeqeq: 'error',
  curly: ['error', 'multi-line'],
};

/** Globals of the dashboard's browser modules (apps/gateway/public/). */
const browserGlobals = Object.fromEntries(
  [
    'document',
    'localStorage',
    'fetch',
    'URLSearchParams',
    'AbortController',
    'ResizeObserver',
    'TextDecoderStream',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
  ].map((name) => [name, 'readonly']),
);

/** Markup from strings: the dashboard shows user-supplied text, so only textContent is allowed. */
const markupSinks = [
  {
    selector:
      'AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]',
    message: 'Use textContent (API text is user-supplied), never innerHTML/outerHTML.',
  },
  {
    selector:
      'CallExpression > MemberExpression.callee[property.name=/^(insertAdjacentHTML|write|writeln)$/]',
    message: 'Build elements and set textContent; never parse strings as markup.',
  },
];

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/generated/**',
    '**/.turbo/**',
    '**/.tally/**',
    '**/test-artifacts/**',
    'infra/**',
    // Plain JavaScript is linted only in scripts/ (build output and config
    // files such as this one are not).
    '**/*.{js,mjs,cjs}',
    '!scripts/**/*.{js,mjs,cjs}',
    '!apps/*/public/**/*.js',
  ]),

  {
    name: 'tally/typescript',
    files: ['**/*.{ts,mts,cts}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself
          // awaits; every other promise must be awaited, returned or voided.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: 'error',
      curly: ['error', 'multi-line'],
      'no-restricted-imports': ['error', { patterns: crossPackageImports }],
    },
  },

  {
    // Probes handed to waitFor and stub handlers are async by contract, with or without an await.
    name: 'tally/tests',
    files: ['**/*.spec.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },

  {
    // Tool configs beside a package's tsconfig (prisma.config.ts, ...) are not
    // part of any TypeScript project (tsconfigs include src/ only), so they
    // get the syntax-only rules instead of a parse error.
    name: 'tally/tool-configs',
    files: [
      '*.config.{ts,mts,cts}',
      'apps/*/*.config.{ts,mts,cts}',
      'packages/*/*.config.{ts,mts,cts}',
    ],
    extends: [tseslint.configs.disableTypeChecked],
  },

  {
    // Configuration is read in one place per app (its env schema, in a
    // *config*.ts file) and injected everywhere else. Scripts, tests and the
    // test kit set up processes and may read the environment directly.
    name: 'tally/env-access',
    files: ['**/*.{ts,mts,cts}'],
    // NOTE: main.ts hands process.env to the app's config once; the migrate CLI is its own app.
    ignores: [
      '**/*config*.ts',
      '**/src/main.ts',
      'packages/migrate/src/cli.ts',
      'scripts/**',
      'tests/**',
      'packages/testkit/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.name='process'][property.name='env']:not([computed=true])",
          message:
            'Read configuration through the app config (a *config*.ts file), not process.env.',
        },
        {
          selector: "MemberExpression[object.name='process'][computed=true][property.value='env']",
          message:
            'Read configuration through the app config (a *config*.ts file), not process.env.',
        },
        {
          selector:
            "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
          message:
            'Read configuration through the app config (a *config*.ts file), not process.env.',
        },
      ],
      // Same rule as above plus `import { env } from 'node:process'`; a later
      // block replaces a rule's options, so the patterns are repeated here.
      'no-restricted-imports': [
        'error',
        {
          patterns: crossPackageImports,
          paths: [
            {
              name: 'node:process',
              importNames: ['env'],
              message:
                'Read configuration through the app config (a *config*.ts file), not process.env.',
            },
            {
              name: 'process',
              importNames: ['env'],
              message:
                'Read configuration through the app config (a *config*.ts file), not process.env.',
            },
          ],
        },
      ],
    },
  },

  {
    name: 'tally/scripts',
    files: ['scripts/**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: nodeGlobals,
    },
    rules: plainJsRules,
  },

  {
    name: 'tally/browser',
    files: ['apps/*/public/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: browserGlobals,
    },
    rules: { ...plainJsRules, 'no-restricted-syntax': ['error', ...markupSinks] },
  },
);
