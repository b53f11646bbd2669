/**
 * CLI: start the training sandbox and print where it listens (two HTTP backends, IMAP, SMTP).
 *   npx tsx src/sandbox/main.ts --port-procedure 7101 --port-document 7102 --port-imap 7143 --port-smtp 7587 --seed 1
 * Options: --seed N, --days N, --dossiers-per-day N, --documents-per-day N, --stream-ms N (0 = off),
 * --session-ttl-ms N, --port-procedure N, --port-document N, --port-imap N, --port-smtp N. Ctrl+C stops.
 * Under Electron (a utilityProcess) it posts SandboxReady (src/shared/core-channel.ts) to the shell.
 */
import { parseArgs } from 'node:util';
import type { SandboxReady } from '../shared/core-channel';
import { TrainingSandbox, DEFAULT_STREAM_INTERVAL_MS } from './sandbox';

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'port-procedure': { type: 'string' },
      'port-document': { type: 'string' },
      'port-imap': { type: 'string' },
      'port-smtp': { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      'dossiers-per-day': { type: 'string' },
      'documents-per-day': { type: 'string' },
      'stream-ms': { type: 'string' },
      'session-ttl-ms': { type: 'string' },
    },
  });
  const started = performance.now();
  const sandbox = await TrainingSandbox.start({
    seed: num(values.seed, 'seed'),
    days: num(values.days, 'days'),
    dossiersPerDay: num(values['dossiers-per-day'], 'dossiers-per-day'),
    documentsPerDay: num(values['documents-per-day'], 'documents-per-day'),
    procedurePort: num(values['port-procedure'], 'port-procedure'),
    documentPort: num(values['port-document'], 'port-document'),
    imapPort: num(values['port-imap'], 'port-imap'),
    smtpPort: num(values['port-smtp'], 'port-smtp'),
    streamIntervalMs: num(values['stream-ms'], 'stream-ms') ?? DEFAULT_STREAM_INTERVAL_MS,
    sessionTtlMs: num(values['session-ttl-ms'], 'session-ttl-ms'),
  });
  const counts = sandbox.counts();
  const { procedure, document, mail } = sandbox.credentials;
  const imapPort = sandbox.imapPort ?? 0;
  const smtpPort = sandbox.smtpPort ?? 0;
  process.stdout.write(
    [
      `Training sandbox ready in ${Math.round(performance.now() - started)} ms (${counts.dossiers} dossiers, ${counts.documents} documents)`,
      `procedure: ${sandbox.procedureUrl}  (login ${procedure.username} / ${procedure.password})`,
      `document:  ${sandbox.documentUrl}  (client ${document.clientId} / ${document.clientSecret})`,
      `imap:      127.0.0.1:${imapPort}  smtp: 127.0.0.1:${smtpPort}  (no TLS, login ${mail.user} / ${mail.password}, ${mail.address})`,
      '',
    ].join('\n'),
  );
  // Under Electron the sandbox runs as a utilityProcess: tell the shell where it listens.
  const parentPort = (process as unknown as { parentPort?: { postMessage(message: unknown): void } }).parentPort;
  parentPort?.postMessage({
    type: 'sandbox-ready',
    procedureUrl: sandbox.procedureUrl,
    documentUrl: sandbox.documentUrl,
    imapPort,
    smtpPort,
  } satisfies SandboxReady);
  const shutdown = (): void => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
