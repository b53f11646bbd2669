/**
 * The cache database: one SQLite connection, the single writer, owned by the core.
 * Opening it applies the pragmas and every pending migration before anything else runs.
 *
 * Encryption at rest (issue #7 point 2): the driver is better-sqlite3-multiple-ciphers (same API as
 * better-sqlite3, SQLite3 Multiple Ciphers inside). With a key the file is written in SQLCipher 4
 * format (`cipher='sqlcipher'`, `legacy=4`, a raw 256-bit key `x'…'`), so the sqlcipher 4 CLI opens it
 * with `PRAGMA key="x'<hex>'"`. Where the key comes from is cache-key.ts; this file only uses it.
 * A plaintext cache found where an encrypted one is expected is converted first
 * (`encryptPlaintextCache`): copy → encrypt the copy → verify → atomic rename, so a kill at any point
 * leaves either the old plaintext file or the new encrypted one, both usable.
 * Memory-mapped I/O is off for encrypted files (pages must pass through the cipher codec); a larger
 * page cache of decrypted pages takes its place (measured: README, Performance).
 */
import type Database from 'better-sqlite3';
import Ciphers from 'better-sqlite3-multiple-ciphers';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATIONS, runMigrations, type Migration } from './migrations';

export const CACHE_FILE_NAME = 'cache.sqlite';
/** Where a plaintext cache is encrypted before it replaces the original (left over only by a crash). */
export const ENCRYPTING_SUFFIX = '.encrypting';

/** A raw 256-bit key (32 bytes). */
export type CacheKey = Buffer;

export interface OpenCacheOptions {
  /** Defaults to every migration the code knows (tests pass a prefix to build older files). */
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
  /** Path of a better-sqlite3-multiple-ciphers binary built for another ABI (Electron's). */
  nativeBinding?: string;
  /**
   * The cache key (32 bytes): the file is encrypted (SQLCipher 4 format); a plaintext file is
   * converted first. Without it the file is plain SQLite (unit tests of other services only — the
   * core always passes a key, see cache-key.ts).
   */
  key?: CacheKey;
  /** Open read-only (checks, audit:verify); never migrates nor converts. */
  readonly?: boolean;
}

/** The cache cannot be opened with the key given (wrong key, no key for an encrypted file, damaged). Vietnamese message. */
export class CacheOpenError extends Error {
  constructor(
    message: string,
    readonly reason: 'wrong_key' | 'key_required' | 'bad_key' | 'encrypt_failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CacheOpenError';
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export function cacheDatabasePath(dataDir: string): string {
  return join(dataDir, CACHE_FILE_NAME);
}

/** Whether `file` exists and starts with the plain SQLite header (an unencrypted database). */
export function isPlaintextDatabase(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    return n === 16 && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

function keyHex(key: CacheKey): string {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new CacheOpenError('Khóa mã hóa bộ nhớ đệm không hợp lệ (cần đúng 32 byte).', 'bad_key');
  }
  return key.toString('hex');
}

/** The SQLCipher 4 settings then the key, on a fresh connection before anything is read. */
function applyKey(db: Database.Database, key: CacheKey): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${keyHex(key)}'"`);
}

function newConnection(file: string, options: OpenCacheOptions): Database.Database {
  const settings: { nativeBinding?: string; readonly?: boolean; fileMustExist?: boolean } = {};
  if (options.nativeBinding !== undefined) settings.nativeBinding = options.nativeBinding;
  if (options.readonly) {
    settings.readonly = true;
    settings.fileMustExist = true;
  }
  // The two packages declare the same class under different type names (better-sqlite3's types are the project's).
  return new Ciphers(file, settings) as unknown as Database.Database;
}

/** First read after keying: a wrong key or an encrypted file opened without one fails here. */
function checkReadable(db: Database.Database, file: string, keyed: boolean): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') {
      throw keyed
        ? new CacheOpenError(
            `Không mở được bộ nhớ đệm ${file}: khóa mã hóa không khớp hoặc tệp bị hỏng. ` +
              'Nếu khóa trong kho khóa của hệ điều hành đã mất, dữ liệu trong tệp không đọc lại được: ' +
              'chạy "npm run wipe -- --data-dir <thư mục>" để xóa và đồng bộ lại từ đầu.',
            'wrong_key',
            { cause: error },
          )
        : new CacheOpenError(`Bộ nhớ đệm ${file} đã được mã hóa: cần khóa để mở.`, 'key_required', { cause: error });
    }
    throw error;
  }
}

/** Open (creating if needed) `<dataDir>/cache.sqlite`, configure it and migrate it. */
export function openCacheDatabase(dataDir: string, options: OpenCacheOptions = {}): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(cacheDatabasePath(dataDir), options);
}

export function openDatabaseFile(file: string, options: OpenCacheOptions = {}): Database.Database {
  if (options.key !== undefined && !options.readonly) {
    // A conversion interrupted by a crash left its copy behind: the original is still intact.
    rmSync(file + ENCRYPTING_SUFFIX, { force: true });
    if (isPlaintextDatabase(file)) encryptPlaintextCache(file, options.key, options);
  }
  const db = newConnection(file, options);
  try {
    if (options.key !== undefined) applyKey(db, options.key);
    checkReadable(db, file, options.key !== undefined);
    if (options.readonly) return db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // Reads (queue, search, counts) touch many rows: keep hot pages in memory. A plain file is read
    // through a 256 MiB mmap; an encrypted one cannot be (pages go through the codec), so its page
    // cache gets that budget instead and holds decrypted pages: with 64 MiB, search p95 on 50,000
    // items was ~10× the plain file's; with 256 MiB it is the same (README, Performance).
    if (options.key !== undefined) {
      db.pragma('cache_size = -262144'); // 256 MiB, grows only as pages are read
      db.pragma('mmap_size = 0');
    } else {
      db.pragma('cache_size = -65536'); // 64 MiB
      db.pragma('mmap_size = 268435456'); // 256 MiB
    }
    db.pragma('temp_store = MEMORY');
    // Checkpoint every 10,000 WAL pages (~40 MiB) instead of SQLite's 1,000: a sync's commits keep
    // rewriting the same index pages, and each checkpoint copies every page it finds (on the
    // encrypted file: decrypted from the WAL, encrypted again into the database) and fsyncs.
    // journal_size_limit trims the WAL file back after a checkpoint (README, Performance).
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    runMigrations(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function rowCounts(db: Database.Database): Map<string, number> {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  const counts = new Map<string, number>();
  for (const name of tables) {
    counts.set(name, db.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get() as number);
  }
  return counts;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Convert the plaintext database `file` into an encrypted one in place, crash-safely:
 * 1. on the plaintext file: checkpoint the WAL into it, `VACUUM INTO` a copy `<file>.encrypting`;
 * 2. encrypt the copy with `rekey` (rollback journal: rekey cannot run in WAL mode), then reopen it
 *    with the key and verify it (quick_check, same tables with the same row counts, same user_version);
 * 3. fsync and rename the copy over `file` (atomic), fsync the folder, remove the plaintext's -wal/-shm.
 * A kill before 3 leaves the plaintext file untouched (the copy is removed at the next open); after
 * the rename, the encrypted file. The plaintext's old blocks may remain on the disk until reused
 * (a file system property no application can fix; full-disk encryption covers it).
 */
export function encryptPlaintextCache(file: string, key: CacheKey, options: Pick<OpenCacheOptions, 'nativeBinding'> = {}): void {
  const copy = file + ENCRYPTING_SUFFIX;
  rmSync(copy, { force: true });
  const plain = newConnection(file, options);
  let before: Map<string, number>;
  let version: number;
  try {
    plain.pragma('wal_checkpoint(TRUNCATE)');
    before = rowCounts(plain);
    version = plain.pragma('user_version', { simple: true }) as number;
    plain.prepare('VACUUM INTO ?').run(copy);
  } finally {
    plain.close();
  }
  try {
    const enc = newConnection(copy, options);
    try {
      enc.pragma('journal_mode = DELETE');
      enc.pragma(`cipher = 'sqlcipher'`);
      enc.pragma('legacy = 4');
      enc.pragma(`rekey = "x'${keyHex(key)}'"`);
    } finally {
      enc.close();
    }
    if (isPlaintextDatabase(copy)) throw new Error('the copy is still plaintext after rekey');
    const check = newConnection(copy, options);
    try {
      applyKey(check, key);
      const ok = check.pragma('quick_check', { simple: true });
      if (ok !== 'ok') throw new Error(`quick_check: ${String(ok)}`);
      const after = rowCounts(check);
      const same = after.size === before.size && [...before].every(([t, n]) => after.get(t) === n);
      if (!same) throw new Error('row counts differ after encryption');
      if (check.pragma('user_version', { simple: true }) !== version) throw new Error('user_version differs after encryption');
      check.pragma('journal_mode = WAL');
    } finally {
      check.close();
    }
    fsyncPath(copy);
  } catch (error) {
    rmSync(copy, { force: true });
    throw new CacheOpenError(
      `Không mã hóa được bộ nhớ đệm ${file} (tệp cũ được giữ nguyên): ${error instanceof Error ? error.message : String(error)}`,
      'encrypt_failed',
      { cause: error },
    );
  }
  renameSync(copy, file);
  try {
    fsyncPath(dirname(file));
  } catch {
    // Some file systems do not fsync folders; the rename is still atomic.
  }
  rmSync(file + '-wal', { force: true });
  rmSync(file + '-shm', { force: true });
}
