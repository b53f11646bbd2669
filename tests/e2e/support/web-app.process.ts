/**
 * Runs the real web app (training sandbox + core + browser host) in a child process for Playwright,
 * on a temp data folder. Reads line commands on stdin, answers JSON lines on stdout:
 *   {"cmd":"sandbox-stop"} | {"cmd":"sandbox-start"} | {"cmd":"emit","kind":"procedure","count":1} | {"cmd":"quit"}
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startWebApp } from '../../../src/host/web-app';

const dataDir = process.env['CW_E2E_DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'cw-e2e-'));
const app = await startWebApp({
  dataDir,
  seed: Number(process.env['CW_E2E_SEED'] ?? '7'),
  sandboxDays: Number(process.env['CW_E2E_DAYS'] ?? '20'),
  streamIntervalMs: 0,
  pollIntervalMs: Number(process.env['CW_E2E_POLL_MS'] ?? '1000'),
  token: 'e2e-token',
});

function say(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

say({ type: 'ready', url: app.host.url, openUrl: app.host.openUrl, token: app.host.token, dataDir });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const msg = JSON.parse(line) as { cmd: string; kind?: 'procedure' | 'document'; count?: number };
    const sandbox = app.sandbox;
    if (!sandbox) throw new Error('no sandbox');
    if (msg.cmd === 'sandbox-stop') await sandbox.stop();
    else if (msg.cmd === 'sandbox-start') await sandbox.restart();
    else if (msg.cmd === 'emit') {
      const kind = msg.kind ?? 'procedure';
      const created = sandbox.emit(kind, msg.count ?? 1);
      // What an official would type to find it: the dossier code, or the document's số/ký hiệu.
      const refs =
        kind === 'procedure'
          ? created
          : created.map((id) => {
              const doc = sandbox.documents().find((d) => d.DocId === id);
              return doc ? `${doc.CodeNumber}/${doc.CodeNotation}` : id;
            });
      say({ type: 'done', cmd: msg.cmd, created, refs });
      return;
    } else if (msg.cmd === 'quit') {
      await app.close();
      say({ type: 'done', cmd: msg.cmd });
      process.exit(0);
    }
    say({ type: 'done', cmd: msg.cmd });
  })().catch((err: unknown) => say({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
