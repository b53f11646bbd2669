/**
 * `npm run audit:verify -- --data-dir DIR`: walk the audit trail's hash chain in DIR/cache.sqlite
 * (read-only; the workstation may be running) and print the result. Exit codes: 0 intact,
 * 1 tampered (the first entry that does not fit is named), 2 usage error or no audit log.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AuditLog } from '../src/core/audit/audit.log';
import { findCacheKey } from '../src/core/db/cache-key';
import { cacheDatabasePath, isPlaintextDatabase, openDatabaseFile } from '../src/core/db/cache.database';
import { KeyringSecretStore } from '../src/core/secrets/keyring.secret-store';

async function main(): Promise<number> {
  let dataDir: string | undefined;
  let json = false;
  try {
    const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } });
    dataDir = values['data-dir'];
    json = values.json;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (!dataDir) {
    console.error('usage: npm run audit:verify -- --data-dir <data directory> [--json]');
    return 2;
  }
  const file = cacheDatabasePath(dataDir);
  if (!existsSync(file)) {
    console.error(`No workstation database at ${file}`);
    return 2;
  }
  // The cache is encrypted (issue #7): its key from the key file (training) or the OS keyring.
  let db;
  try {
    const key = isPlaintextDatabase(file) ? null : await findCacheKey(dataDir, new KeyringSecretStore());
    db = openDatabaseFile(file, { readonly: true, ...(key ? { key } : {}) });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  try {
    const hasLog = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'").get();
    if (!hasLog) {
      console.error(`${file} has no audit log (schema older than version 2)`);
      return 2;
    }
    const result = new AuditLog(db, Date.now).verify();
    if (json) console.log(JSON.stringify(result));
    else if (result.ok) console.log(`Audit trail intact: ${result.checked} entries, hash chain verified.`);
    else {
      console.log(`Audit trail TAMPERED: first bad entry seq ${result.firstBadSeq} — ${result.reason}`);
      console.log(`(${result.checked} entries before it verified)`);
    }
    return result.ok ? 0 : 1;
  } finally {
    db.close();
  }
}

process.exitCode = await main();
