/**
 * Pure helpers of the settings forms (no DOM, no React): which fields each backend kind has, how a
 * typed secret replaces the `{ $keep }` marker of `config.get`, seconds ↔ milliseconds.
 */
import type { SecretMarker } from '../../shared/settings';

export type BackendKind = 'procedure' | 'document' | 'mail';

export interface FieldDef {
  key: string;
  type: 'text' | 'url' | 'number' | 'secret' | 'pem' | 'tls' | 'list';
}

/** The proxy of an HTTP backend (`adapter.proxy`: url, username, password (a secret), noProxy). */
const PROXY_FIELDS: readonly FieldDef[] = [
  { key: 'proxy.url', type: 'url' },
  { key: 'proxy.username', type: 'text' },
  { key: 'proxy.password', type: 'secret' },
  { key: 'proxy.noProxy', type: 'list' },
];

export const FIELDS: Record<BackendKind, readonly FieldDef[]> = {
  procedure: [
    { key: 'id', type: 'text' },
    { key: 'label', type: 'text' },
    { key: 'baseUrl', type: 'url' },
    { key: 'username', type: 'text' },
    { key: 'password', type: 'secret' },
    { key: 'ca', type: 'pem' },
    ...PROXY_FIELDS,
  ],
  document: [
    { key: 'id', type: 'text' },
    { key: 'label', type: 'text' },
    { key: 'baseUrl', type: 'url' },
    { key: 'clientId', type: 'text' },
    { key: 'clientSecret', type: 'secret' },
    { key: 'ca', type: 'pem' },
    ...PROXY_FIELDS,
  ],
  mail: [
    { key: 'id', type: 'text' },
    { key: 'label', type: 'text' },
    { key: 'host', type: 'text' },
    { key: 'port', type: 'number' },
    { key: 'tls', type: 'tls' },
    { key: 'user', type: 'text' },
    { key: 'password', type: 'secret' },
    { key: 'ca', type: 'pem' },
  ],
};

export function isBackendKind(value: unknown): value is BackendKind {
  return value === 'procedure' || value === 'document' || value === 'mail';
}

export function isSecretMarker(value: unknown): value is SecretMarker {
  return typeof value === 'object' && value !== null && (value as { $keep?: unknown }).$keep === true;
}

/** A field's value; `a.b` keys read the nested object `a`. */
export function fieldValue(adapter: Record<string, unknown>, key: string): unknown {
  const dot = key.indexOf('.');
  if (dot < 0) return adapter[key];
  const inner = adapter[key.slice(0, dot)];
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>)[key.slice(dot + 1)] : undefined;
}

/** The adapter with one field changed (`a.b` keys write into the nested object `a`). */
export function withField(adapter: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const dot = key.indexOf('.');
  if (dot < 0) return { ...adapter, [key]: value };
  const outer = key.slice(0, dot);
  const inner = adapter[outer];
  const base = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...adapter, [outer]: { ...base, [key.slice(dot + 1)]: value } };
}

/** A list field typed as text: entries separated by commas, semicolons or spaces. */
export function listFromText(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The adapter as sent to config.save / connection.test: typed secrets (also `proxy.password`)
 * replace their markers; an empty CA is dropped; a proxy without a URL is no proxy.
 */
export function adapterForSave(adapter: Record<string, unknown>, typedSecrets: Readonly<Record<string, string>>): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(adapter)) {
    const typed = typedSecrets[key];
    if (typed !== undefined && typed !== '') out[key] = typed;
    else if (key === 'ca' && (value === '' || value === undefined)) continue;
    else if (value !== undefined) out[key] = value;
  }
  for (const [key, typed] of Object.entries(typedSecrets)) {
    if (key.includes('.') && typed !== '') out = withField(out, key, typed);
  }
  const proxy = out['proxy'];
  if (typeof proxy === 'object' && proxy !== null && !Array.isArray(proxy)) {
    const p = { ...(proxy as Record<string, unknown>) };
    if (typeof p['url'] !== 'string' || p['url'].trim() === '') {
      delete out['proxy'];
    } else {
      if (typeof p['noProxy'] === 'string') p['noProxy'] = listFromText(p['noProxy']);
      if (p['username'] === '') delete p['username'];
      if (p['username'] === undefined) delete p['password'];
      out['proxy'] = p;
    }
  }
  return out;
}

export function secondsToMs(text: string): number {
  const n = Number(text.replace(',', '.'));
  return Number.isFinite(n) ? Math.round(n * 1000) : Number.NaN;
}

export function msToSeconds(ms: unknown): string {
  return typeof ms === 'number' ? String(ms / 1000) : '';
}

/** A new backend of `kind`, to be filled in. */
export function blankBackend(kind: BackendKind, index: number): { adapter: Record<string, unknown>; pollIntervalMs: number; training: false } {
  const base = { kind, id: `${kind}-${index + 1}`, label: '' };
  const adapter: Record<string, unknown> =
    kind === 'mail' ? { ...base, host: '', port: 993, tls: 'implicit', user: '', folders: ['INBOX', 'Sent'] } : kind === 'procedure' ? { ...base, baseUrl: '', username: '' } : { ...base, baseUrl: '', clientId: '' };
  return { adapter, pollIntervalMs: kind === 'mail' ? 60_000 : 30_000, training: false };
}
