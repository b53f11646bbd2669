/**
 * Issue #7 packaging: electron-builder.yml is valid for electron-builder 26 (its own schema check)
 * and says what the release needs; the release scripts never run electron-builder without Electron.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  publish: { provider: string; url: string };
  win: { target: Array<{ target: string }> };
  nsis: { perMachine: boolean; oneClick: boolean; deleteAppDataOnUninstall: boolean };
  linux: { target: Array<{ target: string }> };
}

function load(): BuilderConfig {
  const yaml = require('js-yaml') as { load: (text: string) => unknown };
  return yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

describe('release build configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(load(), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...load(), nsis: { perMachine: 'yes' } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('Windows NSIS per machine with a choice of folder, Linux AppImage and deb, native modules unpacked and rebuilt', () => {
    const c = load();
    expect(c.productName).toBe('Commune Workstation');
    expect(c.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(c.nsis).toMatchObject({ perMachine: true, oneClick: false, deleteAppDataOnUninstall: false });
    expect(c.linux.target.map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    for (const m of ['better-sqlite3', 'better-sqlite3-multiple-ciphers', '@napi-rs/keyring']) {
      expect(c.asarUnpack.some((p) => p.startsWith(`node_modules/${m}`)), m).toBe(true);
    }
    expect(c.npmRebuild).toBe(true);
    expect(c.files).toContain('out/**');
    expect(c.publish).toEqual(expect.objectContaining({ provider: 'generic', url: '${env.CW_UPDATE_URL}' }));
  });

  it('the dist scripts rebuild native modules for Electron first, and refuse clearly where Electron is absent', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const s of ['dist', 'dist:win', 'dist:linux']) {
      expect(pkg.scripts[`pre${s}`]).toBe('node scripts/native-deps.mjs electron');
      expect(pkg.scripts[`post${s}`]).toBe('node scripts/native-deps.mjs node');
      expect(pkg.scripts[s]).toMatch(/^electron-vite build && electron-builder .*--publish never$/);
    }
    const hasElectron = spawnSync(process.execPath, ['-e', "require('fs').existsSync(require('path').join(require.resolve('electron/package.json'), '..', 'dist')) || process.exit(3)"], { cwd: ROOT }).status === 0;
    if (!hasElectron) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts/native-deps.mjs'), 'electron'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/skipped — the Electron binary is not installed/);
    }
  });
});
