/**
 * Where backend passwords and client secrets live: never in config.json, the cache database, logs
 * or exports (issue #4 point 1, issue #5 point 10).
 *
 * - Browser host and tests (plain Node): the OS keyring through @napi-rs/keyring (Secret Service on
 *   Linux, Credential Manager on Windows, Keychain on macOS): KeyringSecretStore.
 * - Electron: the shell keeps secrets encrypted with safeStorage and the core process asks it for them
 *   over the core channel (src/core/main.ts, ParentSecretStore).
 * - Unit tests: MemorySecretStore.
 *
 * config.json refers to a secret with `{ "$secret": "<name>" }` wherever an adapter expects the
 * string (see config-secrets.ts); names are `<backend id>.<field path>`, e.g. `mail-ubnd.password`.
 */

/** Characters allowed in a secret name (also the keyring account name). */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface SecretStore {
  /** What backs the store, for messages and diagnostics. */
  readonly kind: 'keyring' | 'safe-storage' | 'memory';
  /** The secret, or null when none is stored under `name`. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** Whether something was deleted. */
  delete(name: string): Promise<boolean>;
}

/** The store cannot be used (no keyring service, access denied, locked). Message in Vietnamese for IT staff. */
export class SecretStoreError extends Error {
  constructor(
    message: string,
    readonly technical: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretStoreError';
  }
}

export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new SecretStoreError(
      `Tên mật khẩu "${name.slice(0, 80)}" không hợp lệ: chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.`,
      `invalid secret name ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
}

/** In-memory store for unit tests and throw-away runs. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }

  async get(name: string): Promise<string | null> {
    await Promise.resolve();
    assertSecretName(name);
    return this.values.get(name) ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    await Promise.resolve();
    assertSecretName(name);
    this.values.set(name, value);
  }

  async delete(name: string): Promise<boolean> {
    await Promise.resolve();
    assertSecretName(name);
    return this.values.delete(name);
  }
}
