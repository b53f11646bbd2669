/**
 * Wiping a workstation's data folder for a counter PC changing hands (issue #7 point 2,
 * `npm run wipe -- --data-dir DIR`).
 *
 * What a new official must not inherit: everything the workstation wrote for the previous one —
 * the cache (items, mail bodies, audit trail, outbox), its -wal/-shm and key, mail attachments,
 * staged and outgoing attachments, logs, any export or other file in the folder — and the secrets:
 * the cache key and every `{"$secret"}` named in config.json (the previous official's backend and
 * mail passwords). Kept by default: config.json and the calendar file it names (IT staff's office
 * setup; the new official's IT changes `user` and the secrets); `includeConfig` removes them too.
 *
 * Unsent actions (outbox entries pending / sending / needing attention / in conflict) are lost by a
 * wipe: the plan counts them so the command can require --force; a cache that cannot be read (key
 * lost) counts as "unknown" and also requires --force.
 */
import type Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { findCacheKey, cacheKeySecretName, CACHE_KEY_FILE_NAME } from '../db/cache-key';
import { CACHE_FILE_NAME, cacheDatabasePath, isPlaintextDatabase, openDatabaseFile } from '../db/cache.database';
import { secretRefsIn } from '../secrets/config-secrets';
import type { SecretStore } from '../secrets/secret-store';

export const CONFIG_FILE_NAME = 'config.json';

export interface WipePlan {
  dataDir: string;
  /** Entries of the data folder to delete (absolute paths; folders recursively). */
  paths: string[];
  /** Entries kept (config.json and its calendar file unless includeConfig). */
  kept: string[];
  /** Secret names to delete from the store. */
  secrets: string[];
  /** Unsent outbox entries: a number, or null when the cache could not be read. 0 without a cache. */
  unsentActions: number | null;
  /** Why the outbox could not be checked (Vietnamese), when unsentActions is null. */
  unsentUnknownReason: string | null;
}

export interface WipeResult {
  deleted: string[];
  secretsDeleted: string[];
  /** Secrets that could not be deleted (store unavailable), with the reason. */
  secretErrors: Array<{ name: string; message: string }>;
}

export class WipeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WipeRefusedError';
  }
}

/** Markers of a workstation data folder: refusing any other folder protects against a mistyped path. */
const MARKERS = [CACHE_FILE_NAME, CACHE_KEY_FILE_NAME, CONFIG_FILE_NAME, 'mail-files', 'outbox-files', 'mail-staging'];

function readConfigJson(dataDir: string): unknown {
  const file = join(dataDir, CONFIG_FILE_NAME);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

function calendarFileOf(config: unknown, dataDir: string): string | null {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return null;
  const calendar = (config as Record<string, unknown>)['calendar'];
  if (typeof calendar !== 'object' || calendar === null || Array.isArray(calendar)) return null;
  const path = (calendar as Record<string, unknown>)['path'];
  if (typeof path !== 'string') return null;
  const file = isAbsolute(path) ? path : join(dataDir, path);
  // Only a calendar inside the data folder is one of its entries.
  return resolve(file).startsWith(resolve(dataDir)) ? resolve(file) : null;
}

function countUnsent(db: Database.Database): number {
  const hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get();
  if (!hasOutbox) return 0;
  return db
    .prepare("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending', 'needs_attention', 'conflict')")
    .pluck()
    .get() as number;
}

export async function planWipe(dataDirInput: string, secrets: SecretStore | null, options: { includeConfig?: boolean } = {}): Promise<WipePlan> {
  const dataDir = resolve(dataDirInput);
  if (!existsSync(dataDir)) throw new WipeRefusedError(`Thư mục dữ liệu ${dataDir} không tồn tại.`);
  const entries = readdirSync(dataDir);
  if (!entries.some((e) => MARKERS.includes(e))) {
    throw new WipeRefusedError(
      `${dataDir} không giống thư mục dữ liệu của ứng dụng (không có ${CACHE_FILE_NAME}, ${CONFIG_FILE_NAME}…): không xóa gì.`,
    );
  }
  const config = readConfigJson(dataDir);
  const keep = new Set<string>();
  if (!options.includeConfig) {
    keep.add(resolve(dataDir, CONFIG_FILE_NAME));
    const calendar = calendarFileOf(config, dataDir);
    if (calendar) keep.add(calendar);
  }
  const names = new Set<string>([cacheKeySecretName(dataDir)]);
  for (const ref of config !== null ? secretRefsIn(config) : []) names.add(ref.name);

  let unsentActions: number | null = 0;
  let unsentUnknownReason: string | null = null;
  const file = cacheDatabasePath(dataDir);
  if (existsSync(file)) {
    try {
      const key = isPlaintextDatabase(file) ? null : await findCacheKey(dataDir, secrets);
      if (!isPlaintextDatabase(file) && key === null) throw new Error('không tìm thấy khóa mã hóa của bộ nhớ đệm');
      const db = openDatabaseFile(file, { readonly: true, ...(key ? { key } : {}) });
      try {
        unsentActions = countUnsent(db);
      } finally {
        db.close();
      }
    } catch (error) {
      unsentActions = null;
      unsentUnknownReason = error instanceof Error ? error.message : String(error);
    }
  }
  // Listed after the check: a read-only open of a WAL database leaves a -shm file behind.
  const all = readdirSync(dataDir).map((e) => resolve(dataDir, e));
  return {
    dataDir,
    paths: all.filter((p) => !keep.has(p)),
    kept: all.filter((p) => keep.has(p)),
    secrets: [...names],
    unsentActions,
    unsentUnknownReason,
  };
}

/** Delete what the plan lists: files first (they hold the data), then the secrets. */
export async function executeWipe(plan: WipePlan, secrets: SecretStore | null): Promise<WipeResult> {
  const deleted: string[] = [];
  // The cache first (largest exposure), then the rest.
  const ordered = [...plan.paths].sort((a, b) => Number(basename(b).startsWith(CACHE_FILE_NAME)) - Number(basename(a).startsWith(CACHE_FILE_NAME)));
  for (const path of ordered) {
    rmSync(path, { recursive: true, force: true });
    deleted.push(path);
  }
  const secretsDeleted: string[] = [];
  const secretErrors: Array<{ name: string; message: string }> = [];
  for (const name of plan.secrets) {
    if (!secrets) {
      secretErrors.push({ name, message: 'không có kho khóa' });
      continue;
    }
    try {
      if (await secrets.delete(name)) secretsDeleted.push(name);
    } catch (error) {
      secretErrors.push({ name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { deleted, secretsDeleted, secretErrors };
}
