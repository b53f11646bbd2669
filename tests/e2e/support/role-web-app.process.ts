/**
 * Issue #7 accessibility: the web app (training sandbox + core + browser host) signed in with another
 * role (CW_E2E_ROLE = supervisor | it), so the screens only those roles see are audited too. The
 * training sandbox runs here and config.json names it with the chosen role; its (public) training
 * passwords move from the file into an in-memory secret store, as they would into the keyring.
 * Prints one JSON line {type:'ready', openUrl}; "quit" on stdin stops everything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { startWebApp } from '../../../src/host/web-app';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';

const role = process.env['CW_E2E_ROLE'] ?? 'official';
const sandbox = await TrainingSandbox.start({ seed: 7, days: 10, streamIntervalMs: 0 });
const { imapPort, smtpPort } = sandbox;
const base = trainingConfig({
  procedureUrl: sandbox.procedureUrl,
  documentUrl: sandbox.documentUrl,
  ...(imapPort !== null && smtpPort !== null ? { mail: { imapPort, smtpPort } } : {}),
  credentials: sandbox.credentials,
  pollIntervalMs: 1000,
});
const dataDir = mkdtempSync(join(tmpdir(), `cw-e2e-${role}-`));
writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ ...base, user: { ...base.user, role } }, null, 2));
const app = await startWebApp({ dataDir, secrets: new MemorySecretStore(), token: 'e2e-token' });
process.stdout.write(`${JSON.stringify({ type: 'ready', openUrl: app.host.openUrl })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'quit') return;
  void (async () => {
    await app.close();
    await sandbox.stop();
    process.exit(0);
  })();
});
