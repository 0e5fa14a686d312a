// ESLint flat config (ESLint 9, typescript-eslint 8).
// Syntax-only rules: type-aware linting is left to `tsc --noEmit`, which the test run does anyway
// and which is far faster than typed lint rules on this 2-core machine.
// Formatting belongs to Prettier; eslint-config-prettier switches off every rule that would fight it.
const js = require('@eslint/js')
const tseslint = require('typescript-eslint')
const react = require('eslint-plugin-react')
const reactHooks = require('eslint-plugin-react-hooks')
const prettier = require('eslint-config-prettier')
const globals = require('globals')

const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts']
const reactFiles = ['src/**/*.{ts,tsx,js,jsx}', 'test/app/**/*.{ts,tsx,js,jsx}']

module.exports = tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-*/**',
      'dist*/**',
      'console/dist/**',
      'coverage/**',
      '**/.swc/**',
      '**/.temp/**',
      '**/.cache/**',
      'test-results/**',
      'bench/results/**',
      'data/**',
    ],
  },

  js.configs.recommended,

  // TypeScript everywhere it is written: src/ server/ test/ bench/ scripts/ config/
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: config.files ?? tsFiles })),
  {
    files: tsFiles,
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Types from server/src/schemas reach the app as `import type` only, so no server code is bundled.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },

  // Node code: the API server, its tests, CLIs, scripts, benches, build config, e2e and weapp tests
  {
    files: [
      'server/**/*.{ts,js}',
      'simulator/**/*.{ts,js}',
      'scripts/**/*.{ts,js,mjs,cjs}',
      'bench/**/*.{ts,js}',
      'config/**/*.{ts,js}',
      'test/e2e/**/*.{ts,js}',
      'test/weapp/**/*.{ts,js}',
      '*.{js,cjs,mjs,ts}',
      'test/app/*.{js,cjs}',
      'console/vite.config.ts',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  // CommonJS config files (jest.config.js, this file, babel configs)
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.{ts,tsx}', '**/test/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
  },

  // The Taro app and its component tests: React + hooks rules
  {
    files: reactFiles,
    plugins: { react, 'react-hooks': reactHooks },
    languageOptions: {
      ...react.configs.flat.recommended.languageOptions,
      globals: {
        ...globals.browser,
        // Mini-program globals that Taro code may touch directly
        wx: 'readonly',
        getCurrentPages: 'readonly',
        getApp: 'readonly',
        // Injected by Taro's build (defineConstants / env files)
        process: 'readonly',
      },
    },
    settings: { react: { version: '18.3' } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat['jsx-runtime'].rules,
      ...reactHooks.configs.recommended.rules,
      // TypeScript types the props
      'react/prop-types': 'off',
    },
  },

  // The operator console (console/): a browser app, React + hooks rules
  {
    files: ['console/src/**/*.{ts,tsx}'],
    plugins: { react, 'react-hooks': reactHooks },
    languageOptions: { ...react.configs.flat.recommended.languageOptions, globals: { ...globals.browser } },
    settings: { react: { version: '18.3' } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat['jsx-runtime'].rules,
      ...reactHooks.configs.recommended.rules,
      'react/prop-types': 'off',
    },
  },

  // Layers of the API server (docs/architecture.md): each may import only from the layers below it.
  // Each file matches one of these; were two to match, ESLint would use the later one's options.
  {
    files: ['server/src/infra/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/domain/**', '**/routes/**', '**/payments/**', '**/plugins/**', '**/services', '**/app'],
              message: 'infra/ is plumbing: it may not import domain, payments, routes, plugins or the app.',
            },
            { group: ['fastify', '@fastify/*'], message: 'infra/ knows nothing of the web framework.' },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/domain/**/*.ts', 'server/src/services.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/routes/**', '**/plugins/**', '**/app'],
              message: 'domain/ and services.ts may not import routes, plugins or the app.',
            },
            {
              group: ['fastify', '@fastify/*'],
              message: 'domain/ and services.ts are framework-free: take a Logger (infra/log.ts), throw ApiError.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/payments/**/*.ts'],
    ignores: ['server/src/payments/**/*-route.ts', 'server/src/payments/**/*-routes.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/routes/**', '**/plugins/**', '**/app'],
              message: 'payments/ may not import routes or the app.',
            },
            {
              group: ['fastify', '@fastify/*'],
              message: 'Only the payment callback routes (*-route.ts, *-routes.ts) may use Fastify.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/src/routes/**/*.ts', 'server/src/payments/**/*-route.ts', 'server/src/payments/**/*-routes.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', message: 'Routes read through services (app.services): queries belong in domain/.' },
          ],
          patterns: [
            {
              group: ['**/db/**'],
              message: 'Routes read through services (app.services): queries belong in domain/.',
            },
            {
              group: ['**/app', '**/services'],
              message: 'Routes get services from app.services, types from plugins/.',
            },
          ],
        },
      ],
    },
  },
  // The Taro app bundles nothing of the server: types only (schemas reach it as `import type`).
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**'],
              allowTypeImports: true,
              message: 'The app may import from server/ only with `import type`.',
            },
          ],
        },
      ],
    },
  },

  // The console bundles nothing of the server either: it talks to it over HTTP, types only.
  {
    files: ['console/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**'],
              allowTypeImports: true,
              message: 'The console may import from server/ only with `import type`.',
            },
          ],
        },
      ],
    },
  },

  prettier,
)
