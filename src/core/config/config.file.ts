/**
 * Loading `<data dir>/config.json`, the file IT staff write.
 *
 * Plain-text secrets found in it (a password typed straight into the file) are moved into the
 * SecretStore and the file is rewritten with `{ "$secret": name }` references — atomically (temp
 * file, fsync, rename) so a crash leaves either the old or the new file, never half of one. If the
 * store cannot be used the file is left as it is and the caller is told (the workstation still runs,
 * with the secret only in memory).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { moveSecretsOutOfConfig } from '../secrets/config-secrets';
import { SecretStoreError, type SecretStore } from '../secrets/secret-store';
import { parseConfig, type WorkstationConfig } from './config.schema';

export interface LoadedConfigFile {
  config: WorkstationConfig;
  /** Names of the secrets moved from the file into the store this time. */
  movedSecrets: string[];
  /** Why plain-text secrets stayed in the file (store unavailable), in Vietnamese; null when none. */
  secretWarning: string | null;
}

/** config.json is not valid JSON or not a valid configuration. */
export class ConfigFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigFileError';
  }
}

/** Write `text` to `path` through a temp file, fsync and rename (keeps the file's mode; new files 0600). */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let mode = 0o600;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    // new file: owner only
  }
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export async function loadConfigFile(path: string, store: SecretStore | null): Promise<LoadedConfigFile> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigFileError(`Tệp cấu hình ${path} không đọc được hoặc không phải JSON hợp lệ: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  // Validate before touching anything: an invalid file is reported, not half-migrated.
  parseConfig(json);
  const { config: withRefs, secrets } = moveSecretsOutOfConfig(json);
  if (secrets.length === 0) return { config: parseConfig(json), movedSecrets: [], secretWarning: null };
  if (!store) {
    return {
      config: parseConfig(json),
      movedSecrets: [],
      secretWarning: `Tệp cấu hình còn ${secrets.length} mật khẩu dạng chữ thường; máy này không có kho khóa để chuyển vào.`,
    };
  }
  try {
    for (const s of secrets) await store.set(s.name, s.value);
  } catch (error) {
    const why = error instanceof SecretStoreError ? error.message : String(error);
    return { config: parseConfig(json), movedSecrets: [], secretWarning: `Chưa chuyển được mật khẩu khỏi tệp cấu hình: ${why}` };
  }
  writeAtomically(path, `${JSON.stringify(withRefs, null, 2)}\n`);
  return { config: parseConfig(withRefs), movedSecrets: secrets.map((s) => s.name), secretWarning: null };
}
