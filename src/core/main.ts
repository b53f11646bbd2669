/**
 * Entry point of the core as a separate process: an Electron utilityProcess (the desktop app) or a
 * Node child process (`child_process.fork`). Plain Node, never imports electron: the Electron
 * parent port is reached through `process.parentPort` when present, else through `process.send`.
 *
 * Environment:
 *   CW_DATA_DIR        data directory (cache.sqlite, optional config.json) — required
 *   CW_TRAINING_URLS   JSON {procedureUrl, documentUrl, imapPort?, smtpPort?} of the training sandbox, used when
 *                      <data dir>/config.json does not exist
 *   CW_SQLITE_BINDING  better-sqlite3 binary built for Electron's ABI (optional)
 *   CW_APP_VERSION     the app's version, for the diagnostics bundle (optional)
 *
 * The log goes to stdout/stderr and to <data dir>/logs/core.log (rotated by size, src/core/core.log.ts).
 *
 * Messages follow src/shared/core-channel.ts: the parent sends `call` / `saveAttachment` / `shutdown`;
 * the core answers `ready`, `result` (one envelope per call or saveAttachment), `event`, `fatal`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ParentToCoreSchema, TrainingEndpointsSchema, type CoreToParent } from '../shared/core-channel';
import { loadConfigFile } from './config/config.file';
import { trainingConfig, type WorkstationConfig } from './config/config.schema';
import { readTrainingRole } from './config/training-role';
import { KeyringSecretStore } from './secrets/keyring.secret-store';
import { ParentSecretStore } from './secrets/parent.secret-store';
import type { SecretStore } from './secrets/secret-store';
import { createCore, type Core } from './core';
import { createReloadableCore } from './reloadable-core';
import { RotatingLogFile, formatLogLine, type CoreLog } from './core.log';

interface ParentPortLike {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

interface Channel {
  send(message: CoreToParent): void;
  onMessage(listener: (message: unknown) => void): void;
}

function parentChannel(): Channel | null {
  const port = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    return {
      send: (m) => {
        send(m);
      },
      onMessage: (l) => process.on('message', l),
    };
  }
  return null;
}

async function loadProcessConfig(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  secrets: SecretStore,
): Promise<{ config: WorkstationConfig; note: string | null }> {
  const configPath = join(dataDir, 'config.json');
  if (existsSync(configPath)) {
    // Plain-text passwords typed into the file move into the keyring / safeStorage here.
    const loaded = await loadConfigFile(configPath, secrets);
    const moved = loaded.movedSecrets.length > 0 ? `moved ${loaded.movedSecrets.length} secret(s) from config.json into the ${secrets.kind} store` : null;
    return { config: loaded.config, note: loaded.secretWarning ?? moved };
  }
  const training = env['CW_TRAINING_URLS'];
  if (training) {
    const t = TrainingEndpointsSchema.parse(JSON.parse(training) as unknown);
    const mail = t.imapPort !== undefined && t.smtpPort !== undefined ? { mail: { imapPort: t.imapPort, smtpPort: t.smtpPort } } : {};
    // The role a trainee chose in the window (training.setRole), read again at every rebuild.
    const { role, problem } = readTrainingRole(dataDir);
    return { config: trainingConfig({ procedureUrl: t.procedureUrl, documentUrl: t.documentUrl, ...mail, role }), note: problem };
  }
  throw new Error(`No configuration: ${configPath} does not exist and CW_TRAINING_URLS is not set`);
}

async function main(): Promise<void> {
  const channel = parentChannel();
  if (!channel) throw new Error('core/main.ts must run as a utility or child process (no parent channel)');
  // Issue #7: the log also goes to <data dir>/logs/core.log, rotated by size (5 MiB × 6 files).
  const dataDirForLog = process.env['CW_DATA_DIR'];
  const logFile = dataDirForLog ? new RotatingLogFile({ dir: join(dataDirForLog, 'logs') }) : null;
  const log: CoreLog = (level, msg, data) => {
    logFile?.write(formatLogLine(Date.now(), level, msg, data));
    const line = JSON.stringify({ level, msg, ...(data !== undefined ? { data } : {}) });
    if (level === 'error') console.error(line);
    else console.log(line);
  };
  // Secrets: the shell's safeStorage over this channel (Electron, CW_SECRETS=parent), else the OS keyring.
  const parentSecrets = process.env['CW_SECRETS'] === 'parent' ? new ParentSecretStore((request) => channel.send(request)) : null;
  const secrets: SecretStore = parentSecrets ?? new KeyringSecretStore();
  // Until the core exists only secret answers are handled; calls wait for `ready` on the parent's side.
  let handleMessage: (raw: unknown) => void = () => undefined;
  channel.onMessage((raw) => {
    const parsed = ParentToCoreSchema.safeParse(raw);
    if (parsed.success && parsed.data.type === 'secret-result') {
      const { type: _type, ...answer } = parsed.data;
      parentSecrets?.answer(answer);
      return;
    }
    handleMessage(raw);
  });
  let core: Core;
  try {
    const dataDir = process.env['CW_DATA_DIR'];
    if (!dataDir) throw new Error('CW_DATA_DIR is not set');
    const binding = process.env['CW_SQLITE_BINDING'];
    let first: { config: WorkstationConfig; note: string | null } | null = await loadProcessConfig(dataDir, process.env, secrets);
    // Settings saved from the window are applied at once: the core is rebuilt from config.json.
    core = await createReloadableCore({
      build: async () => {
        const loaded = first ?? (await loadProcessConfig(dataDir, process.env, secrets));
        first = null;
        if (loaded.note) log('warn', loaded.note);
        return createCore({ dataDir, config: loaded.config, secrets, log, ...(binding ? { sqliteNativeBinding: binding } : {}) });
      },
      autoStart: false,
      log,
    });
  } catch (error) {
    channel.send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    return;
  }

  core.subscribe((event) => channel.send({ type: 'event', event }));
  handleMessage = (raw) => {
    const parsed = ParentToCoreSchema.safeParse(raw);
    if (!parsed.success) {
      log('warn', 'ignored a malformed message from the parent');
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'shutdown') {
      void core.close().then(() => process.exit(0));
      return;
    }
    if (msg.type === 'saveAttachment') {
      void core.saveAttachment(msg.itemId, msg.index, msg.path).then((envelope) => channel.send({ type: 'result', id: msg.id, envelope }));
      return;
    }
    if (msg.type === 'secret-result') return;
    void core.handle(msg.method, msg.input).then((envelope) => channel.send({ type: 'result', id: msg.id, envelope }));
  };
  const stop = (): void => {
    void core.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  core.start();
  channel.send({ type: 'ready' });
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
