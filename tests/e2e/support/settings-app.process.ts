/**
 * The web app for tests/e2e/settings.e2e.ts: the training sandbox, and a real config.json in a temp
 * data folder signed in as IT staff (role 'it'), with the two training backends and one production-like
 * procedure backend whose server is down (a closed local port; its password a keyring reference held
 * by an in-memory secret store), so the settings screen has real failures to show. Line commands on
 * stdin, JSON lines on stdout:
 *   {"cmd":"config"}   the config.json on disk now
 *   {"cmd":"quit"}
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startWebApp } from '../../../src/host/web-app';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { freePort as closedPort } from '../../support/ports';

export const E2E_SECRET = 'Mật-khẩu-e2e-DVC-424242';


const dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-settings-'));
const sandbox = await TrainingSandbox.start({ seed: 7, days: 5, streamIntervalMs: 0, mail: false });
const downPort = await closedPort();
writeFileSync(
  join(dataDir, 'config.json'),
  JSON.stringify(
    {
      office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
      user: { username: 'it.minh', fullName: 'Trần Văn Minh', role: 'it' },
      backends: [
        {
          adapter: { kind: 'procedure', id: 'training-procedure', label: 'Một cửa điện tử (đào tạo)', baseUrl: sandbox.procedureUrl, username: 'canbo.lan', password: 'training' },
          pollIntervalMs: 1000,
          training: true,
        },
        {
          adapter: { kind: 'document', id: 'training-document', label: 'Quản lý văn bản (đào tạo)', baseUrl: sandbox.documentUrl, clientId: 'workstation', clientSecret: 'training' },
          pollIntervalMs: 1000,
          training: true,
        },
        {
          adapter: { kind: 'procedure', id: 'dvc-tinh', label: 'Một cửa điện tử tỉnh', baseUrl: `http://127.0.0.1:${downPort}`, username: 'ngocha', password: { $secret: 'dvc-tinh.password' }, retries: 0 },
          pollIntervalMs: 500,
        },
      ],
    },
    null,
    2,
  ),
);
const secrets = new MemorySecretStore({ 'dvc-tinh.password': E2E_SECRET });
const app = await startWebApp({ dataDir, token: 'e2e-token', secrets });

function say(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

say({ type: 'ready', url: app.host.url, openUrl: app.host.openUrl, token: app.host.token, dataDir, secret: E2E_SECRET });

createInterface({ input: process.stdin }).on('line', (line) => {
  void (async () => {
    const msg = JSON.parse(line) as { cmd: string };
    if (msg.cmd === 'config') {
      say({ type: 'done', cmd: msg.cmd, config: JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as unknown });
      return;
    }
    if (msg.cmd === 'quit') {
      await app.close();
      await sandbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
      say({ type: 'done', cmd: msg.cmd });
      process.exit(0);
    }
    say({ type: 'error', message: `unknown command ${msg.cmd}` });
  })().catch((err: unknown) => say({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
