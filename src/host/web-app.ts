/**
 * Composition for `npm run web`, the e2e tests and the benchmark: training sandbox (unless a real
 * configuration exists: procedure system, document gateway and the training mailbox over IMAP/SMTP)
 * + core + browser host, all on loopback.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCore, type Core } from '../core/core';
import { createReloadableCore } from '../core/reloadable-core';
import { loadConfigFile } from '../core/config/config.file';
import { KeyringSecretStore } from '../core/secrets/keyring.secret-store';
import type { SecretStore } from '../core/secrets/secret-store';
import { parseConfig, trainingConfig, type BackendEntryInput, type WorkstationConfig } from '../core/config/config.schema';
import { readTrainingRole } from '../core/config/training-role';
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
  /** Where `{"$secret"}` references are read from; default the OS keyring. */
  secrets?: SecretStore;
  /** Start the sync loops (default true). */
  sync?: boolean;
  /** TESTS ONLY: addresses `mail.remoteImages` may fetch from (the core's option; e2e: a loopback image server). */
  remoteImageAddressAllowed?: (address: string) => boolean;
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
  const secrets = options.secrets ?? new KeyringSecretStore();
  let sandbox: TrainingSandbox | null = null;
  let config: WorkstationConfig;
  let trainingFor: (() => WorkstationConfig) | null = null;
  // Tests add backends of their own beside the configured ones.
  const withExtras = (c: WorkstationConfig): WorkstationConfig =>
    options.extraBackends && options.extraBackends.length > 0 ? parseConfig({ ...c, backends: [...c.backends, ...options.extraBackends] }) : c;
  if (existsSync(configPath)) {
    // Plain-text passwords typed into the file move into the OS keyring here (README "Secrets").
    const loaded = await loadConfigFile(configPath, secrets);
    if (loaded.secretWarning) options.log?.('warn', loaded.secretWarning);
    else if (loaded.movedSecrets.length > 0) options.log?.('info', `moved ${loaded.movedSecrets.length} secret(s) from config.json into the OS keyring`);
    config = loaded.config;
  } else {
    sandbox = await TrainingSandbox.start({
      seed: options.seed ?? 1,
      streamIntervalMs: options.streamIntervalMs ?? 30_000,
      ...(options.sandboxDays !== undefined ? { days: options.sandboxDays } : {}),
    });
    const { imapPort, smtpPort } = sandbox;
    const endpoints = {
      procedureUrl: sandbox.procedureUrl,
      documentUrl: sandbox.documentUrl,
      ...(imapPort !== null && smtpPort !== null ? { mail: { imapPort, smtpPort } } : {}),
      credentials: sandbox.credentials,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    };
    // The role a trainee chose in the window (training-role.json), read again at every rebuild.
    trainingFor = () => {
      const { role, problem } = readTrainingRole(options.dataDir);
      if (problem) options.log?.('warn', problem);
      return trainingConfig({ ...endpoints, role });
    };
    config = trainingFor();
  }
  config = withExtras(config);
  const build = (withConfig: typeof config): Promise<Core> =>
    createCore({
      dataDir: options.dataDir,
      config: withConfig,
      secrets,
      ...(options.log ? { log: options.log } : {}),
      ...(options.remoteImageAddressAllowed ? { remoteImageAddressAllowed: options.remoteImageAddressAllowed } : {}),
    });
  // Settings saved from the window (config.json) and, in training mode, a switch of role
  // (training-role.json) take effect at once: the core is rebuilt from the file.
  const reread: () => WorkstationConfig | Promise<WorkstationConfig> = trainingFor ?? (async () => (await loadConfigFile(configPath, secrets)).config);
  let first: WorkstationConfig | null = config;
  const core: Core = await createReloadableCore({
    build: async () => {
      const next = first ?? withExtras(await reread());
      first = null;
      return build(next);
    },
    autoStart: options.sync !== false,
    log: options.log ?? (() => undefined),
  });
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
