/**
 * The IT-staff settings methods (issue #5 points 6–9), spread into the core's handlers by core.ts.
 * Only role 'it' may call them; 'supervisor' may also read sync health and the log. Everyone else
 * gets `unauthorized` with a Vietnamese reason.
 */
import type Database from 'better-sqlite3';
import type { BackendStatus, CoreEvent, Role } from '../../shared/api';
import { ApiFailure, type ApiHandlers } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { WorkstationConfig } from '../config/config.schema';
import { SECRET_KEYS } from '../secrets/config-secrets';
import type { SecretStore } from '../secrets/secret-store';
import { ConnectionConfigError, connectionTarget, runConnectionTest } from './connection-test.service';
import type { LogRing } from './log-ring';
import { SettingsService } from './settings.service';
import { SyncHealthService } from './sync-health.service';

export interface SettingsHandlerDeps {
  dataDir: string;
  config: WorkstationConfig;
  secrets: SecretStore | null;
  db: Database.Database;
  audit: AuditLog;
  now: () => number;
  statuses: () => BackendStatus[];
  subscribe: (listener: (event: CoreEvent) => void) => () => void;
  logRing: LogRing;
  /** Adapter configs with secrets resolved whose secret values are redacted from the log (core.ts leaves out the training sandbox's public accounts). */
  resolvedAdapters: Array<Record<string, unknown>>;
  /** Per-step deadline of test connection (default 10 s). */
  connectionTimeoutMs?: number;
}

type SettingsMethod =
  | 'config.get'
  | 'config.validate'
  | 'config.save'
  | 'connection.test'
  | 'calendar.get'
  | 'calendar.set'
  | 'calendar.export'
  | 'calendar.import'
  | 'profile.export'
  | 'profile.import'
  | 'health.get'
  | 'logs.tail';

function secretValuesOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) secretValuesOf(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEYS.has(k) && typeof v === 'string') out.push(v);
      else secretValuesOf(v, out);
    }
  }
  return out;
}

export function settingsHandlers(deps: SettingsHandlerDeps): Pick<ApiHandlers, SettingsMethod> {
  const role: Role = deps.config.user.role;
  const actor = deps.config.user.username;
  const settings = new SettingsService({ dataDir: deps.dataDir, running: deps.config, secrets: deps.secrets, audit: deps.audit, now: deps.now, db: deps.db });
  const health = new SyncHealthService(deps.db);
  deps.subscribe((event) => health.onEvent(event));
  deps.logRing.addSecrets(deps.resolvedAdapters.flatMap((a) => secretValuesOf(a)));
  const timeoutMs = deps.connectionTimeoutMs ?? 10_000;

  const only = (allowed: readonly Role[]): void => {
    if (!allowed.includes(role)) {
      throw new ApiFailure(
        'unauthorized',
        allowed.includes('supervisor')
          ? 'Chỉ cán bộ CNTT hoặc lãnh đạo được xem tình trạng đồng bộ và nhật ký hệ thống.'
          : 'Chỉ cán bộ CNTT được xem và thay đổi cấu hình kết nối.',
      );
    }
  };
  const it = (): void => only(['it']);

  return {
    'config.get': async () => {
      it();
      return settings.view();
    },
    'config.validate': ({ config }) => {
      it();
      const issues = settings.validate(config);
      return { ok: issues.length === 0, issues };
    },
    'config.save': ({ config }) => {
      it();
      return settings.save(config, actor);
    },
    'connection.test': async (input) => {
      it();
      const adapter = await settings.resolvedAdapter(input);
      let target;
      try {
        target = connectionTarget(adapter, timeoutMs);
      } catch (error) {
        if (error instanceof ConnectionConfigError) throw new ApiFailure('invalid_input', 'Cấu hình chưa hợp lệ, chưa kiểm tra được.', error.issues);
        throw error;
      }
      return runConnectionTest(target, timeoutMs);
    },
    'calendar.get': () => {
      it();
      return settings.calendarView();
    },
    'calendar.set': ({ data }) => {
      it();
      return settings.setCalendar(data, actor);
    },
    'calendar.export': () => {
      it();
      return settings.exportCalendar();
    },
    'calendar.import': ({ content }) => {
      it();
      return settings.importCalendar(content, actor);
    },
    'profile.export': () => {
      it();
      return settings.exportProfile();
    },
    'profile.import': ({ content }) => {
      it();
      return settings.importProfile(content, actor);
    },
    'health.get': () => {
      only(['it', 'supervisor']);
      const now = deps.now();
      return { backends: health.health(deps.statuses(), now), now };
    },
    'logs.tail': (input) => {
      only(['it', 'supervisor']);
      return deps.logRing.tail(input);
    },
  };
}
