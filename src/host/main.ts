/**
 * `npm run web`: the workstation in a browser. Starts the training sandbox (unless <data-dir>/config.json
 * exists), the core and the browser host on 127.0.0.1, and prints the URL with the per-run token.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startWebApp } from './web-app';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string', default: join(homedir(), '.commune-workstation', 'web') },
    seed: { type: 'string', default: '1' },
    'poll-ms': { type: 'string', default: '10000' },
    'stream-ms': { type: 'string', default: '30000' },
  },
});

const app = await startWebApp({
  dataDir: values['data-dir'],
  port: Number(values.port),
  seed: Number(values.seed),
  pollIntervalMs: Number(values['poll-ms']),
  streamIntervalMs: Number(values['stream-ms']),
  log: (level, msg) => {
    if (level !== 'info') process.stderr.write(`[${level}] ${msg}\n`);
  },
});

process.stdout.write(
  `\nBàn làm việc một cửa${app.sandbox ? ' — CHẾ ĐỘ ĐÀO TẠO (training sandbox)' : ''}\n` +
    `Open in your browser: ${app.host.openUrl}\n` +
    (app.sandbox ? `Sandbox: procedures ${app.sandbox.procedureUrl}  documents ${app.sandbox.documentUrl}\n` : '') +
    (app.sandbox?.imapPort ? `Training mailbox: IMAP 127.0.0.1:${app.sandbox.imapPort}  SMTP 127.0.0.1:${app.sandbox.smtpPort} (no TLS, ${app.sandbox.credentials.mail.user} / ${app.sandbox.credentials.mail.password})\n` : '') +
    `Data: ${values['data-dir']}\nPress Ctrl+C to stop.\n`,
);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
