#!/usr/bin/env node
// `npm start`: open the real Electron window (training sandbox as the default backends).
// Where the Electron binary cannot be had, say so in one sentence and point to `npm run web`.
import { spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronPkgDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronPkgDir, 'package.json'), 'utf8')).version;

function electronBinary() {
  const pathFile = join(electronPkgDir, 'path.txt');
  const resolveBin = () => {
    if (!existsSync(pathFile)) return null;
    const bin = join(electronPkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  };
  const found = resolveBin();
  if (found) return found;
  // Electron >= 42 downloads its binary on first use; try once, quietly, with a time limit.
  const dl = spawnSync(process.execPath, [join(electronPkgDir, 'install.js')], { stdio: 'ignore', timeout: 300_000 });
  return dl.status === 0 ? resolveBin() : null;
}

const bin = electronBinary();
if (!bin) {
  console.error(
    'The Electron binary could not be downloaded on this machine, so the desktop window cannot open: run `npm run web` to use the same workstation in your browser.',
  );
  process.exit(1);
}

// better-sqlite3-multiple-ciphers (the encrypted cache's driver) in node_modules is built for Node (tests,
// browser host); the Electron core loads a copy built for Electron's ABI from .electron-native/, so
// neither world breaks the other.
const nativeDir = join(root, '.electron-native');
const binding = join(nativeDir, `better_sqlite3_mc-${electronVersion}.node`);
if (!existsSync(binding)) {
  console.log(`Building better-sqlite3-multiple-ciphers for Electron ${electronVersion} (once)…`);
  const src = dirname(require.resolve('better-sqlite3-multiple-ciphers/package.json'));
  const work = join(nativeDir, 'build-better-sqlite3-mc');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(src, work, { recursive: true, filter: (p) => !p.startsWith(join(src, 'build')) });
  const env = { ...process.env };
  delete env.npm_config_nodedir; // use Electron's headers, not Node's
  const gyp = spawnSync(
    'npx',
    ['--yes', 'node-gyp', 'rebuild', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron'],
    { cwd: work, stdio: 'inherit', env, shell: process.platform === 'win32' },
  );
  if (gyp.status !== 0) {
    console.error('Could not build better-sqlite3-multiple-ciphers for Electron; `npm run web` still works in the browser.');
    process.exit(1);
  }
  copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), binding);
}

const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(bin, [root], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
