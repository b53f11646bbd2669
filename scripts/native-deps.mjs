#!/usr/bin/env node
// Issue #7: native modules for the release build.
//   node scripts/native-deps.mjs electron   rebuild better-sqlite3-multiple-ciphers and the keyring for
//                                           Electron's ABI (electron-builder install-app-deps) — only when
//                                           the Electron binary exists; otherwise say so and exit 1
//   node scripts/native-deps.mjs node       rebuild them for this Node again (tests, `npm run web`)
// `npm run dist*` runs the first before packaging and the second after, so a release build never leaves
// node_modules unusable for the tests. (Not a postinstall: rebuilding in place for Electron there would
// break every Node-side test and the browser host; `npm start` keeps its own Electron-ABI copy in
// .electron-native/ instead.)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const NATIVE = ['better-sqlite3-multiple-ciphers'];

export function electronBinaryPath() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const mode = process.argv[2];
if (mode === 'electron') {
  if (!electronBinaryPath()) {
    console.error(
      'native-deps: skipped — the Electron binary is not installed (node_modules/electron/dist is missing), so native ' +
        'modules cannot be rebuilt for Electron and no release can be packaged on this machine. See README "Release build".',
    );
    process.exit(1);
  }
  const env = { ...process.env };
  delete env.npm_config_nodedir; // Electron's headers, not Node's
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-builder/cli.js'), 'install-app-deps'], { cwd: root, stdio: 'inherit', env });
  process.exit(r.status ?? 1);
} else if (mode === 'node') {
  const r = spawnSync('npm', ['rebuild', ...NATIVE], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(r.status ?? 1);
} else {
  console.error('usage: node scripts/native-deps.mjs electron|node');
  process.exit(2);
}
