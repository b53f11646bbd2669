import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/core/config/config.file';
import { ConfigSecretError, moveSecretsOutOfConfig, resolveAdapterSecrets, secretRefsIn } from '../../../src/core/secrets/config-secrets';
import { MemorySecretStore, SecretStoreError, type SecretStore } from '../../../src/core/secrets/secret-store';

const PW = 'Mật-khẩu-IMAP-2026';

function config(adapterExtra: Record<string, unknown> = {}, training = false): Record<string, unknown> {
  return {
    office: { name: 'UBND xã Thử', unitCode: '000.00.00.H26' },
    user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
    backends: [
      {
        adapter: { kind: 'mail', id: 'mail-ubnd', label: 'Thư', host: 'mail.example.vn', port: 993, user: 'lan@example.vn', password: PW, ...adapterExtra },
        training,
      },
      { adapter: { kind: 'document', id: 'vb', label: 'Văn bản', baseUrl: 'https://vb.example.vn', clientId: 'c', clientSecret: 'cs-123' } },
    ],
  };
}

class BrokenStore implements SecretStore {
  readonly kind = 'keyring' as const;
  get(): Promise<string | null> {
    return Promise.reject(new SecretStoreError('Không truy cập được kho khóa của hệ điều hành (AccessDenied).', 'AccessDenied'));
  }
  set(): Promise<void> {
    return this.get().then(() => undefined);
  }
  delete(): Promise<boolean> {
    return this.get().then(() => false);
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempConfig(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-secrets-'));
  dirs.push(dir);
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

describe('secret references in adapter configs', () => {
  it('moves every secret field (also nested, e.g. smtp.password) out, named <backend>.<path>', () => {
    const { config: out, secrets } = moveSecretsOutOfConfig(config({ smtp: { host: 'smtp.example.vn', port: 587, password: 'smtp-pw' } }));
    expect(secrets.map((s) => [s.name, s.value])).toEqual([
      ['mail-ubnd.password', PW],
      ['mail-ubnd.smtp.password', 'smtp-pw'],
      ['vb.clientSecret', 'cs-123'],
    ]);
    expect(JSON.stringify(out)).not.toContain(PW);
    expect(JSON.stringify(out)).not.toContain('smtp-pw');
    expect(secretRefsIn(out).map((r) => r.name)).toEqual(['mail-ubnd.password', 'mail-ubnd.smtp.password', 'vb.clientSecret']);
  });

  it('leaves training backends (fictitious passwords) and existing references alone', () => {
    const { secrets } = moveSecretsOutOfConfig(config({}, true));
    expect(secrets.map((s) => s.name)).toEqual(['vb.clientSecret']);
    const again = moveSecretsOutOfConfig(moveSecretsOutOfConfig(config()).config);
    expect(again.secrets).toEqual([]);
  });

  it('resolves references from the store into a copy, leaving the original untouched', async () => {
    const adapter = { id: 'mail-ubnd', password: { $secret: 'mail-ubnd.password' }, smtp: { password: { $secret: 'mail-ubnd.smtp.password' } } };
    const store = new MemorySecretStore({ 'mail-ubnd.password': PW, 'mail-ubnd.smtp.password': 's' });
    await expect(resolveAdapterSecrets(adapter, store)).resolves.toEqual({ id: 'mail-ubnd', password: PW, smtp: { password: 's' } });
    expect(adapter.password).toEqual({ $secret: 'mail-ubnd.password' });
  });

  it('says which secret is missing and how to store it', async () => {
    const err = await resolveAdapterSecrets({ id: 'mail-ubnd', password: { $secret: 'mail-ubnd.password' } }, new MemorySecretStore()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigSecretError);
    expect((err as Error).message).toContain('Chưa có mật khẩu "mail-ubnd.password"');
    expect((err as Error).message).toContain('npm run secrets -- set mail-ubnd.password');
    const broken = await resolveAdapterSecrets({ id: 'x', password: { $secret: 'x.password' } }, new BrokenStore()).catch((e: unknown) => e);
    expect((broken as Error).message).toContain('Không đọc được mật khẩu "x.password"');
    const none = await resolveAdapterSecrets({ id: 'x', password: { $secret: 'x.password' } }, null).catch((e: unknown) => e);
    expect((none as Error).message).toContain('kho khóa không dùng được');
  });

  it('refuses malformed secret names', async () => {
    await expect(new MemorySecretStore().set('../../etc', 'x')).rejects.toThrow(/không hợp lệ/);
  });
});

describe('loadConfigFile', () => {
  it('moves plain-text secrets into the store and rewrites the file with references', async () => {
    const path = tempConfig(config());
    const store = new MemorySecretStore();
    const loaded = await loadConfigFile(path, store);
    expect(loaded.movedSecrets).toEqual(['mail-ubnd.password', 'vb.clientSecret']);
    expect(loaded.secretWarning).toBeNull();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(PW);
    expect(text).not.toContain('cs-123');
    expect(text).toContain('"$secret": "mail-ubnd.password"');
    await expect(store.get('mail-ubnd.password')).resolves.toBe(PW);
    // The loaded config carries references, never the values.
    expect(JSON.stringify(loaded.config)).not.toContain(PW);
    // Loading again changes nothing.
    const again = await loadConfigFile(path, store);
    expect(again.movedSecrets).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('keeps the file as it is, with a warning, when the store fails', async () => {
    const path = tempConfig(config());
    const before = readFileSync(path, 'utf8');
    const loaded = await loadConfigFile(path, new BrokenStore());
    expect(loaded.movedSecrets).toEqual([]);
    expect(loaded.secretWarning).toContain('Chưa chuyển được mật khẩu');
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('reports invalid JSON and invalid configurations without touching the file', async () => {
    const bad = tempConfig({});
    writeFileSync(bad, '{ "office": ');
    await expect(loadConfigFile(bad, new MemorySecretStore())).rejects.toThrow(/không phải JSON hợp lệ/);
    const invalid = tempConfig({ ...config(), user: { username: '' } });
    const before = readFileSync(invalid, 'utf8');
    const store = new MemorySecretStore();
    await expect(loadConfigFile(invalid, store)).rejects.toThrow();
    expect(readFileSync(invalid, 'utf8')).toBe(before);
    await expect(store.get('mail-ubnd.password')).resolves.toBeNull();
  });
});
