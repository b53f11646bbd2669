/**
 * Where the cache key comes from (issue #7 point 2). 32 random bytes, hex, kept in the secret store
 * (the OS keyring under Node, safeStorage through the shell in Electron) under a name bound to the
 * data folder: `cache-key.<first 16 hex of sha256(absolute data dir)>` — two data folders on one
 * machine (Electron's userData and `npm run web`'s) never share or overwrite a key. Never in
 * config.json, the logs or SQLite.
 *
 * When the store cannot be used:
 * - training mode (a sandbox backend is configured: fictitious data only) → a key file
 *   `<dataDir>/cache.key` (mode 0600), with a warning in the log, so `npm run web` starts on a machine
 *   without a keyring. Once the store works again the key moves into it and the file is deleted.
 * - otherwise → refused with a Vietnamese message (`CacheKeyError`); never a silent plaintext cache.
 * Without any store (`createCore` called without `secrets`: tests, benchmark) the key file is used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CoreLog } from '../core.log';
import { SecretStoreError, type SecretStore } from '../secrets/secret-store';
import type { CacheKey } from './cache.database';

export const CACHE_KEY_FILE_NAME = 'cache.key';

export class CacheKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheKeyError';
  }
}

/** The secret name of the cache key of `dataDir`. */
export function cacheKeySecretName(dataDir: string): string {
  return `cache-key.${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`;
}

export function cacheKeyFilePath(dataDir: string): string {
  return join(dataDir, CACHE_KEY_FILE_NAME);
}

function parseKey(hex: string, where: string): CacheKey {
  const trimmed = hex.trim();
  if (!/^[0-9a-f]{64}$/i.test(trimmed)) throw new CacheKeyError(`Khóa mã hóa bộ nhớ đệm trong ${where} bị hỏng (không phải 64 ký tự hex).`);
  return Buffer.from(trimmed, 'hex');
}

function readKeyFile(dataDir: string): CacheKey | null {
  const file = cacheKeyFilePath(dataDir);
  return existsSync(file) ? parseKey(readFileSync(file, 'utf8'), file) : null;
}

/** The key kept in `<dataDir>/cache.key` (0600), created on first use: training without a keyring, tests, benchmark. */
export function keyFileCacheKey(dataDir: string): CacheKey {
  const existing = readKeyFile(dataDir);
  if (existing) return existing;
  const key = randomBytes(32);
  const file = cacheKeyFilePath(dataDir);
  // A first start: the data directory may not exist yet (the database would create it next).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use that one.
    if ((error as { code?: unknown }).code === 'EEXIST') return keyFileCacheKey(dataDir);
    throw error;
  }
  chmodSync(file, 0o600);
  return key;
}

export interface ResolveCacheKeyOptions {
  dataDir: string;
  /** The secret store; null = none (tests, benchmark): the key file. */
  secrets: SecretStore | null;
  /** A training backend is configured (fictitious data): the key file is allowed when the store fails. */
  training: boolean;
  log?: CoreLog;
}

/** The cache key of `dataDir`, created on first use. Throws CacheKeyError (Vietnamese) when it cannot be had safely. */
export async function resolveCacheKey(options: ResolveCacheKeyOptions): Promise<CacheKey> {
  const { dataDir, secrets, training } = options;
  if (!secrets) return keyFileCacheKey(dataDir);
  const name = cacheKeySecretName(dataDir);
  try {
    const stored = await secrets.get(name);
    if (stored !== null) return parseKey(stored, `kho khóa (${name})`);
    // A training key file from a run without the keyring moves into the store.
    const fromFile = readKeyFile(dataDir);
    const key = fromFile ?? randomBytes(32);
    await secrets.set(name, key.toString('hex'));
    if (fromFile) {
      rmSync(cacheKeyFilePath(dataDir), { force: true });
      options.log?.('info', 'cache key moved from the key file into the secret store', { store: secrets.kind });
    }
    return key;
  } catch (error) {
    if (!(error instanceof SecretStoreError)) throw error;
    if (training) {
      options.log?.('warn', 'secret store unavailable: the training cache key is kept in a 0600 key file', {
        store: secrets.kind,
        reason: error.technical,
      });
      return keyFileCacheKey(dataDir);
    }
    throw new CacheKeyError(
      `Không lấy được khóa mã hóa bộ nhớ đệm từ kho khóa của hệ điều hành, nên ứng dụng không mở dữ liệu công việc ` +
        `(dữ liệu thật không bao giờ được lưu không mã hóa). ${error.message}`,
      { cause: error },
    );
  }
}

/** Delete the cache key of `dataDir` from the store and the key file (the wipe command). What was removed. */
export async function deleteCacheKey(dataDir: string, secrets: SecretStore | null): Promise<{ store: boolean; file: boolean }> {
  const file = existsSync(cacheKeyFilePath(dataDir));
  rmSync(cacheKeyFilePath(dataDir), { force: true });
  const store = secrets ? await secrets.delete(cacheKeySecretName(dataDir)) : false;
  return { store, file };
}

/**
 * The existing cache key of `dataDir`, never creating one (checks, audit:verify, wipe, tests): the key
 * file when present, else the store's entry; null when neither exists. Store errors propagate.
 */
export async function findCacheKey(dataDir: string, secrets: SecretStore | null): Promise<CacheKey | null> {
  const fromFile = readKeyFile(dataDir);
  if (fromFile) return fromFile;
  if (!secrets) return null;
  const stored = await secrets.get(cacheKeySecretName(dataDir));
  return stored === null ? null : parseKey(stored, `kho khóa (${cacheKeySecretName(dataDir)})`);
}
