/**
 * Entry point of the core as a separate process: an Electron utilityProcess (the desktop app) or a
 * Node child process (`child_process.fork`). Plain Node, never imports electron: the Electron
 * parent port is reached through `process.parentPort` when present, else through `process.send`.
 *
 * Environment:
 *   CW_DATA_DIR        data directory (cache.sqlite, optional config.json) — required
 *   CW_TRAINING_URLS   JSON {procedureUrl, documentUrl} of the training sandbox, used when
 *                      <data dir>/config.json does not exist
 *   CW_SQLITE_BINDING  better-sqlite3 binary built for Electron's ABI (optional)
 *
 * Messages follow src/shared/core-channel.ts: the parent sends `call` / `shutdown`; the core
 * answers `ready`, `result` (one contract envelope per call), `event`, `fatal`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ParentToCoreSchema, type CoreToParent } from '../shared/core-channel';
import { parseConfig, trainingConfig, type WorkstationConfig } from './config/config.schema';
import { createCore, type Core } from './core';
import type { CoreLog } from './core.log';

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

const TrainingUrlsSchema = z.object({ procedureUrl: z.url(), documentUrl: z.url() });

function loadProcessConfig(dataDir: string, env: NodeJS.ProcessEnv): WorkstationConfig {
  const configPath = join(dataDir, 'config.json');
  if (existsSync(configPath)) return parseConfig(JSON.parse(readFileSync(configPath, 'utf8')) as unknown);
  const training = env['CW_TRAINING_URLS'];
  if (training) return trainingConfig(TrainingUrlsSchema.parse(JSON.parse(training) as unknown));
  throw new Error(`No configuration: ${configPath} does not exist and CW_TRAINING_URLS is not set`);
}

async function main(): Promise<void> {
  const channel = parentChannel();
  if (!channel) throw new Error('core/main.ts must run as a utility or child process (no parent channel)');
  const log: CoreLog = (level, msg, data) => {
    const line = JSON.stringify({ level, msg, ...(data !== undefined ? { data } : {}) });
    if (level === 'error') console.error(line);
    else console.log(line);
  };
  let core: Core;
  try {
    const dataDir = process.env['CW_DATA_DIR'];
    if (!dataDir) throw new Error('CW_DATA_DIR is not set');
    const binding = process.env['CW_SQLITE_BINDING'];
    core = await createCore({
      dataDir,
      config: loadProcessConfig(dataDir, process.env),
      log,
      ...(binding ? { sqliteNativeBinding: binding } : {}),
    });
  } catch (error) {
    channel.send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    return;
  }

  core.subscribe((event) => channel.send({ type: 'event', event }));
  channel.onMessage((raw) => {
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
    void core.handle(msg.method, msg.input).then((envelope) => channel.send({ type: 'result', id: msg.id, envelope }));
  });
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
