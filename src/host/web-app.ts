/**
 * Composition for `npm run web`, the e2e tests and the benchmark: training sandbox (unless a real
 * configuration exists) + core + browser host, all on loopback.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCore, type Core } from '../core/core';
import { parseConfig, trainingConfig, type BackendEntryInput } from '../core/config/config.schema';
import { TrainingSandbox } from '../sandbox/sandbox';
import { startHost, type RunningHost } from './host.server';

export interface WebAppOptions {
  dataDir: string;
  rendererDir?: string;
  port?: number;
  token?: string;
  /** Sandbox options (training mode only). */
  seed?: number;
  streamIntervalMs?: number;
  pollIntervalMs?: number;
  sandboxDays?: number;
  /** Backends added to the training configuration (tests: a mail account on a real Dovecot/Postfix). */
  extraBackends?: BackendEntryInput[];
  /** Start the sync loops (default true). */
  sync?: boolean;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: unknown) => void;
}

export interface WebApp {
  host: RunningHost;
  core: Core;
  /** Present in training mode. */
  sandbox: TrainingSandbox | null;
  close(): Promise<void>;
}

export const DEFAULT_RENDERER_DIR = resolve(import.meta.dirname, '../../out/renderer');

export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  mkdirSync(options.dataDir, { recursive: true });
  const configPath = join(options.dataDir, 'config.json');
  let sandbox: TrainingSandbox | null = null;
  let config;
  if (existsSync(configPath)) {
    config = parseConfig(JSON.parse(readFileSync(configPath, 'utf8')) as unknown);
  } else {
    sandbox = await TrainingSandbox.start({
      seed: options.seed ?? 1,
      streamIntervalMs: options.streamIntervalMs ?? 30_000,
      ...(options.sandboxDays !== undefined ? { days: options.sandboxDays } : {}),
    });
    config = trainingConfig({
      procedureUrl: sandbox.procedureUrl,
      documentUrl: sandbox.documentUrl,
      credentials: sandbox.credentials,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
  }
  if (options.extraBackends && options.extraBackends.length > 0) {
    config = parseConfig({ ...config, backends: [...config.backends, ...options.extraBackends] });
  }
  const core = await createCore({ dataDir: options.dataDir, config, ...(options.log ? { log: options.log } : {}) });
  if (options.sync !== false) core.start();
  const host = await startHost({
    core,
    rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  return {
    host,
    core,
    sandbox,
    async close() {
      await host.close();
      await core.close();
      await sandbox?.stop();
    },
  };
}
