/**
 * Secret references inside backend adapter configs.
 *
 * config.json never holds a password: wherever an adapter expects one, it holds
 * `{ "$secret": "<name>" }`, resolved from the SecretStore when the core builds the adapters.
 * A plain-text secret found in config.json is moved into the store and replaced by its reference
 * (moveSecretsOutOfConfig; src/core/config/config.file.ts does it when the file is loaded).
 */
import { z } from 'zod';
import { SECRET_NAME_PATTERN, SecretStoreError, type SecretStore } from './secret-store';

/** Adapter config keys (at any depth) whose string values are secrets. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'clientSecret', 'secret', 'token', 'apiKey', 'passphrase']);

export const SecretRefSchema = z.strictObject({ $secret: z.string().regex(SECRET_NAME_PATTERN) });
export type SecretRef = z.infer<typeof SecretRefSchema>;

export function isSecretRef(value: unknown): value is SecretRef {
  return SecretRefSchema.safeParse(value).success;
}

/** A secret reference could not be resolved (missing in the store, or the store failed). */
export class ConfigSecretError extends Error {
  constructor(
    message: string,
    readonly secretName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigSecretError';
  }
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `{ "$secret" }` reference in `value`, with its path. */
export function secretRefsIn(value: Json, path: string[] = []): Array<{ path: string[]; name: string }> {
  if (isSecretRef(value)) return [{ path, name: value.$secret }];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretRefsIn(v, [...path, String(i)]));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => secretRefsIn(v, [...path, k]));
  return [];
}

/**
 * A deep copy of an adapter config with every secret reference replaced by the stored value.
 * @throws ConfigSecretError naming the backend, the field and how to store the secret.
 */
export async function resolveAdapterSecrets(adapter: Record<string, Json>, store: SecretStore | null): Promise<Record<string, Json>> {
  const backend = typeof adapter['id'] === 'string' ? adapter['id'] : '?';
  const resolve = async (value: Json, path: string[]): Promise<Json> => {
    if (isSecretRef(value)) {
      const name = value.$secret;
      const field = path.join('.');
      if (!store) {
        throw new ConfigSecretError(
          `Cấu hình hệ thống "${backend}" trỏ tới mật khẩu "${name}" (${field}) trong kho khóa, nhưng kho khóa không dùng được trên máy này.`,
          name,
        );
      }
      let secret: string | null;
      try {
        secret = await store.get(name);
      } catch (error) {
        const why = error instanceof SecretStoreError ? error.message : String(error);
        throw new ConfigSecretError(`Không đọc được mật khẩu "${name}" của hệ thống "${backend}": ${why}`, name, { cause: error });
      }
      if (secret === null) {
        throw new ConfigSecretError(
          `Chưa có mật khẩu "${name}" (${field} của hệ thống "${backend}") trong kho khóa. ` +
            `Cán bộ CNTT lưu bằng lệnh: npm run secrets -- set ${name}`,
          name,
        );
      }
      return secret;
    }
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolve(v, [...path, String(i)])));
    if (isRecord(value)) {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await resolve(v, [...path, k]);
      return out;
    }
    return value;
  };
  return (await resolve(adapter, [])) as Record<string, Json>;
}

export interface PlaintextSecret {
  /** Secret name the value goes under: `<backend id>.<field path>`. */
  name: string;
  /** Where it sits in the config (`backends.0.adapter.password`). */
  path: string[];
  value: string;
}

function safeNamePart(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned === '' ? 'backend' : cleaned;
}

/**
 * Plain-text secrets in a config.json object (under `backends[i].adapter`), and a copy of the
 * config with each replaced by its reference. Training backends keep their (fictitious) passwords.
 */
export function moveSecretsOutOfConfig(config: Json): { config: Json; secrets: PlaintextSecret[] } {
  if (!isRecord(config) || !Array.isArray(config['backends'])) return { config, secrets: [] };
  const secrets: PlaintextSecret[] = [];
  const backends = config['backends'].map((entry: Json, i: number) => {
    if (!isRecord(entry) || !isRecord(entry['adapter']) || entry['training'] === true) return entry;
    const adapter = entry['adapter'];
    const id = typeof adapter['id'] === 'string' ? safeNamePart(adapter['id']) : `backend${i}`;
    const walk = (value: Json, path: string[]): Json => {
      if (Array.isArray(value)) return value.map((v, j) => walk(v, [...path, String(j)]));
      if (!isRecord(value) || isSecretRef(value)) return value;
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) {
        if (SECRET_KEYS.has(k) && typeof v === 'string' && v !== '') {
          const fieldPath = [...path, k];
          const name = [id, ...fieldPath].map(safeNamePart).join('.').slice(0, 200);
          secrets.push({ name, path: ['backends', String(i), 'adapter', ...fieldPath], value: v });
          out[k] = { $secret: name };
        } else {
          out[k] = walk(v, [...path, k]);
        }
      }
      return out;
    };
    return { ...entry, adapter: walk(adapter, []) };
  });
  return { config: { ...config, backends }, secrets };
}
