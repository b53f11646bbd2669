/**
 * The core process's view of the Electron shell's safeStorage secrets: each call is a `secret`
 * request over the core channel (src/shared/core-channel.ts), answered by the shell
 * (src/main/safe-storage.secrets.ts). The secret travels only over the in-memory parent port.
 */
import { assertSecretName, SecretStoreError, type SecretStore } from './secret-store';

export interface SecretRequest {
  type: 'secret';
  id: number;
  op: 'get' | 'set' | 'delete';
  name: string;
  value?: string;
}

export interface SecretAnswer {
  id: number;
  ok: boolean;
  value: string | null;
  deleted?: boolean;
  error?: string;
}

export class ParentSecretStore implements SecretStore {
  readonly kind = 'safe-storage' as const;
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: SecretAnswer) => void>();

  constructor(
    private readonly send: (request: SecretRequest) => void,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Feed every `secret-result` message from the parent here. */
  answer(answer: SecretAnswer): void {
    const resolve = this.waiting.get(answer.id);
    if (!resolve) return;
    this.waiting.delete(answer.id);
    resolve(answer);
  }

  private async request(op: SecretRequest['op'], name: string, value?: string): Promise<SecretAnswer> {
    assertSecretName(name);
    const id = this.nextId++;
    const answer = await new Promise<SecretAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new SecretStoreError('Ứng dụng không trả lời yêu cầu đọc mật khẩu (safeStorage).', `secret ${op} timed out`));
      }, this.timeoutMs);
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      this.send({ type: 'secret', id, op, name, ...(value !== undefined ? { value } : {}) });
    });
    if (!answer.ok) throw new SecretStoreError(answer.error ?? 'Không dùng được kho mật khẩu của ứng dụng.', answer.error ?? 'secret store failed');
    return answer;
  }

  async get(name: string): Promise<string | null> {
    return (await this.request('get', name)).value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.request('set', name, value);
  }

  async delete(name: string): Promise<boolean> {
    return (await this.request('delete', name)).deleted === true;
  }
}
