// Layering of ../shared/ARCHITECTURE.md, enforced here: a violation fails `npm run lint`.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'http2', 'net', 'os', 'path', 'process', 'stream', 'tls', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib', 'module', 'readline', 'perf_hooks',
];

const noElectron = { name: 'electron', message: 'core, shared, host and sandbox run under plain Node: never import electron.' };

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**', '.tmp/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'tests/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']", message: 'No .only in tests.' },
        { selector: "CallExpression[callee.object.name='it'][callee.property.name='only']", message: 'No .only in tests.' },
        { selector: "CallExpression[callee.object.name='test'][callee.property.name='only']", message: 'No .only in tests.' },
      ],
    },
  },
  {
    // shared: the contract. Nothing platform-specific.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...NODE_BUILTINS.map((name) => ({ name, message: 'src/shared must stay platform-free.' }))],
        patterns: [
          { group: ['node:*'], message: 'src/shared must stay platform-free.' },
          { group: ['**/core/**', '**/main/**', '**/renderer/**', '**/host/**', '**/preload/**', '**/sandbox/**', 'react', 'react-dom', 'better-sqlite3'], message: 'src/shared imports nothing but zod and itself.' },
        ],
      }],
    },
  },
  {
    // core, host, sandbox: plain Node, never electron, never the renderer.
    files: ['src/core/**/*.ts', 'src/host/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['**/renderer/**', '**/main/**', '**/preload/**', 'react', 'react-dom'], message: 'Node-side code never imports the UI or the Electron shell.' },
        ],
      }],
    },
  },
  {
    // core must not depend on the host or the sandbox either (the sandbox is a separate backend).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['**/renderer/**', '**/main/**', '**/preload/**', '**/host/**', '**/sandbox/**', 'react', 'react-dom'], message: 'core talks to backends over their protocols, never by importing the sandbox or the host.' },
        ],
      }],
    },
  },
  {
    // renderer: browser only. No Node, no native modules, no core.
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'The renderer reaches the core only through the preload bridge or the host API.' },
          { name: 'better-sqlite3', message: 'The renderer never touches the database.' },
          ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer is sandboxed: no Node APIs.' })),
        ],
        patterns: [
          { group: ['node:*'], message: 'The renderer is sandboxed: no Node APIs.' },
          { group: ['**/core/**', '**/main/**', '**/host/**', '**/sandbox/**', '**/preload/**'], message: 'The renderer imports only src/shared and itself.' },
        ],
      }],
    },
  },
  {
    // preload: electron's ipcRenderer and the shared contract only.
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', '**/core/**', '**/renderer/**', '**/host/**', '**/sandbox/**', '**/main/**'], message: 'The preload exposes the contract over IPC and nothing else.' },
        ],
      }],
    },
  },
);
