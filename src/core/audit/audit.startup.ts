/**
 * What the audit trail records about the session itself: the start of work by the configured
 * official, each backend sign-in success or failure (seen through the sync engine's status: a first
 * successful cycle means the adapter logged in; `auth_failed` means it could not), and configuration
 * changes — a fingerprint of the configuration WITHOUT its secrets, recorded when it differs from
 * the last recorded one. Passwords, client secrets, tokens, keys and CA material never reach the log.
 */
import type { BackendStatus } from '../../shared/api';
import type { WorkstationConfig } from '../config/config.schema';
import { canonicalJson, sha256Hex, type AuditLog } from './audit.log';

const SECRET_KEY = /(pass|secret|token|key|credential|cookie|^ca$|cert)/i;

function stripUrlCredentials(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return value;
  }
}

/** A deep copy with secret-looking members removed and credentials stripped from URLs. */
export function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return stripUrlCredentials(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key)) continue;
    out[key] = withoutSecrets(v);
  }
  return out;
}

/** The configuration as recorded: no secrets; an inline calendar only by its hash. */
export function redactedConfig(config: WorkstationConfig): Record<string, unknown> {
  const calendar =
    config.calendar === undefined
      ? 'default'
      : config.calendar.path !== undefined
        ? { path: config.calendar.path }
        : { inlineSha256: sha256Hex(canonicalJson(config.calendar.data)) };
  return withoutSecrets({
    office: config.office,
    user: config.user,
    calendar,
    backends: config.backends,
    outbox: config.outbox ?? null,
    // Only when set, so fingerprints of configurations without rules are unchanged.
    ...(config.mailRules !== undefined ? { mailRules: config.mailRules } : {}),
  }) as Record<string, unknown>;
}

export function configFingerprint(config: WorkstationConfig): string {
  return sha256Hex(canonicalJson(redactedConfig(config)));
}

/** Start of a session: the official's sign-in, and the configuration when it changed. */
export function recordStartup(audit: AuditLog, config: WorkstationConfig): void {
  const actor = config.user.username;
  const training = config.backends.some((b) => b.training);
  audit.append({
    actor,
    kind: 'sign_in',
    summary: `Bắt đầu phiên làm việc: ${config.user.fullName} (${actor})${training ? ' — chế độ đào tạo' : ''}`,
    data: { event: 'app_start', username: actor, fullName: config.user.fullName, role: config.user.role, training },
  });
  const fingerprint = configFingerprint(config);
  const last = audit.lastOf('config');
  const previous = typeof last?.data['fingerprint'] === 'string' ? last.data['fingerprint'] : null;
  if (previous === fingerprint) return;
  audit.append({
    actor,
    kind: 'config',
    summary: previous === null ? 'Ghi nhận cấu hình ban đầu' : 'Cấu hình đã thay đổi',
    data: { fingerprint, previousFingerprint: previous, config: redactedConfig(config) },
  });
}

/**
 * Backend sign-ins as the sync engine reports them: one entry when a backend is first reached in
 * this session (or again after a failed sign-in), one when it refuses the credentials.
 */
export function backendSignInRecorder(audit: AuditLog, actor: string): (status: BackendStatus) => void {
  const last = new Map<string, 'ok' | 'failed'>();
  return (status) => {
    const previous = last.get(status.id);
    if (status.state === 'online' && previous !== 'ok') {
      last.set(status.id, 'ok');
      audit.append({
        actor,
        kind: 'sign_in',
        summary: `Đăng nhập thành công: ${status.label}`,
        data: { event: 'backend_sign_in', backendId: status.id, ok: true },
      });
    } else if (status.state === 'error' && status.lastError?.code === 'auth_failed' && previous !== 'failed') {
      last.set(status.id, 'failed');
      audit.append({
        actor,
        kind: 'sign_in',
        summary: `Đăng nhập thất bại: ${status.label}`,
        data: { event: 'backend_sign_in', backendId: status.id, ok: false, message: status.lastError.message.slice(0, 300) },
      });
    }
  };
}
