/**
 * Tests that look into a core's cache file directly: the cache is encrypted (issue #7), so they need
 * its key — from `<dataDir>/cache.key` (a core built without a secret store, or training without a
 * keyring) or the OS keyring (a core process with a working keyring, as under `npm test`).
 */
import type Database from 'better-sqlite3';
import { findCacheKey } from '../../src/core/db/cache-key';
import { cacheDatabasePath, isPlaintextDatabase, openDatabaseFile, type CacheKey } from '../../src/core/db/cache.database';
import { KeyringSecretStore } from '../../src/core/secrets/keyring.secret-store';
import { SecretStoreError } from '../../src/core/secrets/secret-store';

/** The key of the cache in `dataDir` (null: plaintext file or no key anywhere). */
export async function testCacheKey(dataDir: string): Promise<CacheKey | null> {
  if (isPlaintextDatabase(cacheDatabasePath(dataDir))) return null;
  try {
    return await findCacheKey(dataDir, new KeyringSecretStore());
  } catch (error) {
    if (error instanceof SecretStoreError) return findCacheKey(dataDir, null);
    throw error;
  }
}

/**
 * Open `<dataDir>/cache.sqlite` with its key for a check. Read-only by default; `{ readonly: false }`
 * opens a writable connection (a test simulating a crash's leftovers) — migrations already applied.
 */
export async function openTestCache(dataDir: string, options: { readonly?: boolean } = {}): Promise<Database.Database> {
  const key = await testCacheKey(dataDir);
  return openDatabaseFile(cacheDatabasePath(dataDir), { readonly: options.readonly ?? true, ...(key ? { key } : {}) });
}
