/**
 * The cache database: one better-sqlite3 connection, the single writer, owned by the core.
 * Opening it applies the pragmas and every pending migration before anything else runs.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, runMigrations, type Migration } from './migrations';

export const CACHE_FILE_NAME = 'cache.sqlite';

export interface OpenCacheOptions {
  /** Defaults to every migration the code knows (tests pass a prefix to build older files). */
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
  /** Path of a better-sqlite3 binary built for another ABI (Electron's). */
  nativeBinding?: string;
}

export function cacheDatabasePath(dataDir: string): string {
  return join(dataDir, CACHE_FILE_NAME);
}

/** Open (creating if needed) `<dataDir>/cache.sqlite`, configure it and migrate it. */
export function openCacheDatabase(dataDir: string, options: OpenCacheOptions = {}): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(cacheDatabasePath(dataDir), options);
}

export function openDatabaseFile(file: string, options: OpenCacheOptions = {}): Database.Database {
  const db = new Database(file, options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // Reads (queue, search, counts) touch many rows: keep hot pages in memory, read through mmap.
    db.pragma('cache_size = -65536'); // 64 MiB
    db.pragma('mmap_size = 268435456'); // 256 MiB
    db.pragma('temp_store = MEMORY');
    runMigrations(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
