import { describe, expect, it } from 'vitest';
import { ParentSecretStore, type SecretRequest } from '../../../src/core/secrets/parent.secret-store';

describe('ParentSecretStore (core side of the shell safeStorage)', () => {
  it('asks the parent and resolves with its answer, one id per request', async () => {
    const sent: SecretRequest[] = [];
    const vault = new Map<string, string>();
    const store: ParentSecretStore = new ParentSecretStore((req) => {
      sent.push(req);
      queueMicrotask(() => {
        if (req.op === 'set') vault.set(req.name, req.value ?? '');
        const deleted = req.op === 'delete' ? vault.delete(req.name) : undefined;
        store.answer({ id: req.id, ok: true, value: req.op === 'get' ? (vault.get(req.name) ?? null) : null, ...(deleted !== undefined ? { deleted } : {}) });
      });
    });
    await expect(store.get('mail.password')).resolves.toBeNull();
    await store.set('mail.password', 'Mật-khẩu');
    await expect(store.get('mail.password')).resolves.toBe('Mật-khẩu');
    await expect(store.delete('mail.password')).resolves.toBe(true);
    expect(sent.map((r) => [r.id, r.op])).toEqual([
      [1, 'get'],
      [2, 'set'],
      [3, 'get'],
      [4, 'delete'],
    ]);
  });

  it("turns the parent's refusal and silence into clear errors", async () => {
    const refusing: ParentSecretStore = new ParentSecretStore((req) => queueMicrotask(() => refusing.answer({ id: req.id, ok: false, value: null, error: 'Không có kho khóa' })));
    await expect(refusing.get('a.b')).rejects.toThrow('Không có kho khóa');
    const silent = new ParentSecretStore(() => undefined, 20);
    await expect(silent.get('a.b')).rejects.toThrow(/không trả lời/);
  });
});
