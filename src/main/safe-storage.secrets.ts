/**
 * Secrets in the desktop app: encrypted with Electron's safeStorage (DPAPI on Windows, Keychain on
 * macOS, the desktop keyring on Linux) into `<userData>/secrets.json`; only ciphertext touches the disk.
 * The core process (a utilityProcess, which has no safeStorage) asks for a secret over the core
 * channel (`secret.get` / `secret.set`, src/shared/core-channel.ts) and this store answers.
 *
 * On Linux without a keyring safeStorage falls back to a hard-coded key ('basic_text'): that is not
 * protection, so the store refuses to write and says why.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';

const FileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });
type SecretsFile = z.infer<typeof FileSchema>;

export class SafeStorageSecrets {
  private readonly path: string;

  constructor(userDataDir: string) {
    this.path = join(userDataDir, 'secrets.json');
  }

  /** null when safeStorage can protect secrets here, else the reason (Vietnamese). */
  unavailableReason(): string | null {
    if (!safeStorage.isEncryptionAvailable()) return 'Hệ điều hành chưa cho phép mã hóa mật khẩu (safeStorage không dùng được).';
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'Không có kho khóa của hệ điều hành (gnome-keyring/KWallet) trong phiên đăng nhập: mật khẩu sẽ không được bảo vệ, nên không lưu.';
    }
    return null;
  }

  private read(): SecretsFile {
    if (!existsSync(this.path)) return { version: 1, entries: {} };
    const parsed = FileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')) as unknown);
    if (!parsed.success) throw new Error(`${this.path} is not a valid secrets file`);
    return parsed.data;
  }

  private write(file: SecretsFile): void {
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  get(name: string): string | null {
    const reason = this.unavailableReason();
    if (reason) throw new Error(reason);
    const cipher = this.read().entries[name];
    return cipher === undefined ? null : safeStorage.decryptString(Buffer.from(cipher, 'base64'));
  }

  set(name: string, value: string): void {
    const reason = this.unavailableReason();
    if (reason) throw new Error(reason);
    const file = this.read();
    file.entries[name] = safeStorage.encryptString(value).toString('base64');
    this.write(file);
  }

  delete(name: string): boolean {
    const file = this.read();
    if (!(name in file.entries)) return false;
    delete file.entries[name];
    this.write(file);
    return true;
  }
}
