/**
 * The OS keyring under plain Node (browser host, CLI, tests): @napi-rs/keyring, service
 * "commune-workstation", one entry per secret name. On Linux it needs a Secret Service on the
 * session bus (gnome-keyring, KWallet); without one every call fails with a clear SecretStoreError.
 */
import { AsyncEntry } from '@napi-rs/keyring';
import { assertSecretName, SecretStoreError, type SecretStore } from './secret-store';

export const KEYRING_SERVICE = 'commune-workstation';

function unavailable(error: unknown): SecretStoreError {
  const technical = error instanceof Error ? error.message : String(error);
  const hint =
    process.platform === 'linux'
      ? ' Trên Linux cần dịch vụ Secret Service (gnome-keyring hoặc KWallet) đang chạy và đã mở khóa trong phiên đăng nhập.'
      : '';
  return new SecretStoreError(
    `Không truy cập được kho khóa của hệ điều hành để đọc/ghi mật khẩu (${technical}).${hint}`,
    technical,
    { cause: error },
  );
}

export class KeyringSecretStore implements SecretStore {
  readonly kind = 'keyring' as const;

  constructor(private readonly service: string = KEYRING_SERVICE) {}

  private entry(name: string): AsyncEntry {
    assertSecretName(name);
    return new AsyncEntry(this.service, name);
  }

  async get(name: string): Promise<string | null> {
    const entry = this.entry(name);
    try {
      return (await entry.getPassword()) ?? null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async set(name: string, value: string): Promise<void> {
    const entry = this.entry(name);
    try {
      await entry.setPassword(value);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async delete(name: string): Promise<boolean> {
    const entry = this.entry(name);
    try {
      return await entry.deletePassword();
    } catch (error) {
      throw unavailable(error);
    }
  }
}
