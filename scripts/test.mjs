#!/usr/bin/env node
// `npm test`: lint, typecheck, vitest (unit + integration), renderer build, Playwright in Chromium.
// Ends with one line "tests: N passed, N failed, N skipped" over vitest and Playwright together.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`
const want = (step) => only.length === 0 || only.includes(step);

const failures = [];
function run(name, args, env = {}, wrap = null) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const [cmd, ...argv] = wrap ? [...wrap, process.execPath, ...args] : [process.execPath, ...args];
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs} s ===`);
  if (r.status !== 0) failures.push(name);
}

if (want('lint')) run('lint', [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings', '0']);
if (want('typecheck')) {
  run('typecheck (node)', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.node.json', '--noEmit']);
  run('typecheck (web)', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.web.json', '--noEmit']);
}

// The OS keyring for tests/integration/core/secrets-keyring.test.ts: on a Linux machine without a
// session bus (CI, SSH), run vitest in a private D-Bus session with an unlocked gnome-keyring; the
// test then requires it (CW_REQUIRE_KEYRING=1) instead of skipping.
function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
const keyringWrap =
  process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS && hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon')
    ? [
        'dbus-run-session', '--', 'sh', '-c',
        // A fresh keyring in a throw-away folder: a login keyring left by an earlier run (other password) cannot block the unlock.
        'd=$(mktemp -d) && printf %s test | XDG_DATA_HOME="$d" gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"',
        'sh',
      ]
    : null;

const vitestJson = join(tmp, 'vitest-results.json');
rmSync(vitestJson, { force: true });
if (want('unit')) {
  run('vitest (unit + integration)', [
    bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`,
  ], keyringWrap ? { CW_REQUIRE_KEYRING: '1' } : {}, keyringWrap);
}

const pwJson = join(tmp, 'playwright-results.json');
rmSync(pwJson, { force: true });
if (want('e2e')) {
  run('renderer build', [bin('vite', 'bin/vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']);
  run('playwright (Chromium, browser host)', [bin('@playwright/test', 'cli.js'), 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
} else if (want('unit')) failed += 1;
if (existsSync(pwJson)) {
  const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
} else if (want('e2e')) failed += 1;

if (failures.length) console.log(`\nFailed steps: ${failures.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length || failed ? 1 : 0);
