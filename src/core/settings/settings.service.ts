/**
 * IT-staff settings over `<dataDir>/config.json` (issue #5 points 6–8): the configuration without
 * secret values, full validation, atomic save (typed secrets go to the SecretStore, never to the
 * file), the working calendar (kept inline in config.json so one atomic write changes it) and
 * configuration profiles (a versioned document with a kind marker, secrets stripped to references;
 * an import is validated entirely before the one write that applies it).
 *
 * Changes are applied when the workstation starts again: the running sync loops and adapters are
 * not swapped live (every answer says `restartRequired`). In the built-in training mode there is no
 * config.json: reading works, writing is refused with a clear message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PROFILE_KIND, PROFILE_VERSION, SecretMarkerSchema, type CalendarView, type ConfigView } from '../../shared/settings';
import { createAdapterRegistry } from '../adapters/adapter.registry';
import { ApiFailure } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import { configFingerprint } from '../audit/audit.startup';
import { ConfigError, parseConfig, WorkstationConfigSchema, type WorkstationConfig } from '../config/config.schema';
import { writeAtomically } from '../config/config.file';
import type Database from 'better-sqlite3';
import { AuthorityRuleSchema, type AuthorityRule } from '../../shared/dashboard';
import { CalendarDataSchema } from '../deadline';
import shippedCalendar from '../../../resources/calendars/vn-public-sector.json';
import { isSecretRef, moveSecretsOutOfConfig, resolveAdapterSecrets, SECRET_KEYS, secretRefsIn } from '../secrets/config-secrets';
import { SecretStoreError, type SecretStore } from '../secrets/secret-store';

type Json = unknown;
type JsonRecord = Record<string, Json>;

function isRecord(value: Json): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}


/** Problems of a configuration, in plain lines naming the field. Empty = valid. */
export function configIssues(json: Json): string[] {
  const issues: string[] = [];
  try {
    parseConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues);
    else throw error;
  }
  if (!isRecord(json) || !Array.isArray(json['backends'])) return issues;
  const registry = createAdapterRegistry();
  const ids = new Map<string, number>();
  json['backends'].forEach((entry: Json, i: number) => {
    if (!isRecord(entry) || !isRecord(entry['adapter'])) return;
    // Secret references stand for strings the adapter will get from the keyring.
    const adapter = replaceSecrets(entry['adapter'], () => 'secret-reference');
    const kind = adapter['kind'];
    const factory = kind === 'procedure' || kind === 'document' || kind === 'mail' ? registry.get(kind) : undefined;
    if (!factory) {
      issues.push(`backends.${i}.adapter.kind: loại hệ thống "${String(kind)}" không được hỗ trợ (procedure, document, mail)`);
      return;
    }
    const { kind: _kind, ...rest } = adapter;
    const parsed = factory.configSchema.safeParse(rest);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const message = issue.code === 'unrecognized_keys' ? `trường không được hỗ trợ: ${issue.keys.join(', ')}` : issue.message;
        issues.push(`backends.${i}.adapter.${issue.path.map(String).join('.')}: ${message}`);
      }
    }
    const id = adapter['id'];
    if (typeof id === 'string') {
      const first = ids.get(id);
      if (first !== undefined) issues.push(`backends.${i}.adapter.id: mã "${id}" đã dùng cho backends.${first}`);
      else ids.set(id, i);
    }
  });
  const calendar = json['calendar'];
  if (isRecord(calendar) && calendar['data'] !== undefined) {
    const parsed = CalendarDataSchema.safeParse(calendar['data']);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i) => `calendar.data.${i.path.map(String).join('.')}: ${i.message}`));
  }
  return issues;
}

/** A copy where every secret field (refs, markers and plain strings under SECRET_KEYS) is `replace(value)`. */
function replaceSecrets(value: JsonRecord, replace: (v: Json, path: string[]) => Json, path: string[] = []): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(value)) {
    const here = [...path, k];
    if (isSecretRef(v) || SecretMarkerSchema.safeParse(v).success || (SECRET_KEYS.has(k) && typeof v === 'string')) out[k] = replace(v, here);
    else if (isRecord(v)) out[k] = replaceSecrets(v, replace, here);
    else if (Array.isArray(v)) out[k] = v.map((x: Json, j) => (isRecord(x) ? replaceSecrets(x, replace, [...here, String(j)]) : x));
    else out[k] = v;
  }
  return out;
}

function valueAt(root: Json, path: string[]): Json {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isRecord(current)) current = current[key];
    else return undefined;
  }
  return current;
}

/**
 * A secret typed over one already stored under a reference keeps that reference's name: the typed
 * value is taken out (to be stored under that name) and the reference put back in its place.
 */
function typedOverRefs(json: Json, current: JsonRecord): { config: Json; typed: Array<{ name: string; value: string }> } {
  const typed: Array<{ name: string; value: string }> = [];
  if (!isRecord(json) || !Array.isArray(json['backends'])) return { config: json, typed };
  const currentBackends = Array.isArray(current['backends']) ? current['backends'].filter(isRecord) : [];
  const backends = json['backends'].map((entry: Json) => {
    if (!isRecord(entry) || !isRecord(entry['adapter']) || entry['training'] === true) return entry;
    const id = entry['adapter']['id'];
    const before = currentBackends.find((b) => isRecord(b['adapter']) && b['adapter']['id'] === id);
    if (!before) return entry;
    const adapter = replaceSecrets(entry['adapter'], (v, path) => {
      const old = valueAt(before['adapter'], path);
      if (typeof v === 'string' && v !== '' && isSecretRef(old)) {
        typed.push({ name: old.$secret, value: v });
        return { $secret: old.$secret };
      }
      return v;
    });
    return { ...entry, adapter };
  });
  return { config: { ...json, backends }, typed };
}

export interface SettingsServiceDeps {
  dataDir: string;
  /** The configuration the core runs with (training mode: built in memory). */
  running: WorkstationConfig;
  secrets: SecretStore | null;
  audit: AuditLog;
  now: () => number;
  /** The cache, for the authority matrix a profile carries (table `authority`, migration 007). */
  db?: Database.Database;
}

const ProfileSchema = z.strictObject({
  kind: z.literal(PROFILE_KIND),
  version: z.number().int(),
  exportedAt: z.string(),
  from: z.string().optional(),
  backends: z.array(z.unknown()),
  calendar: z.unknown().optional(),
  outbox: z.unknown().optional(),
  mailRules: z.unknown().optional(),
  /** The supervisor's authority matrix (issue #5), so every workstation of the office flags the same items. */
  authority: z.array(AuthorityRuleSchema).max(20_000).optional(),
});

export class SettingsService {
  readonly configPath: string;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.configPath = join(deps.dataDir, 'config.json');
  }

  get editable(): boolean {
    return existsSync(this.configPath);
  }

  private requireEditable(): void {
    if (!this.editable) {
      throw new ApiFailure(
        'unavailable',
        'Máy đang chạy chế độ đào tạo (không có tệp config.json): cấu hình đào tạo không lưu được. ' +
          'Tạo tệp config.json trong thư mục dữ liệu (README, mục Configuration) rồi khởi động lại.',
      );
    }
  }

  /** The configuration as stored (references, not values); the running one in training mode. */
  private currentJson(): JsonRecord {
    if (!this.editable) return clone(this.deps.running) as unknown as JsonRecord;
    let json: Json;
    try {
      json = JSON.parse(readFileSync(this.configPath, 'utf8')) as Json;
    } catch (error) {
      throw new ApiFailure('unavailable', `Không đọc được tệp cấu hình: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isRecord(json)) throw new ApiFailure('unavailable', 'Tệp cấu hình không phải một đối tượng JSON.');
    return json;
  }

  private async secretIsSet(name: string): Promise<boolean> {
    if (!this.deps.secrets) return false;
    try {
      return (await this.deps.secrets.get(name)) !== null;
    } catch {
      return false;
    }
  }

  async view(): Promise<ConfigView> {
    const json = this.currentJson();
    const refs = Array.isArray(json['backends']) ? json['backends'].flatMap((b: Json) => secretRefsIn(b)) : [];
    const isSet = new Map<string, boolean>();
    for (const ref of refs) isSet.set(ref.name, await this.secretIsSet(ref.name));
    const masked = (adapter: JsonRecord): JsonRecord =>
      replaceSecrets(adapter, (v) =>
        isSecretRef(v) ? { $keep: true, set: isSet.get(v.$secret) ?? false, ref: v.$secret } : { $keep: true, set: typeof v === 'string' && v !== '', ref: null },
      );
    const backends = (Array.isArray(json['backends']) ? json['backends'] : []).filter(isRecord).map((b) => ({
      adapter: isRecord(b['adapter']) ? masked(b['adapter']) : {},
      pollIntervalMs: typeof b['pollIntervalMs'] === 'number' ? b['pollIntervalMs'] : 30_000,
      training: b['training'] === true,
    }));
    const { backends: _b, ...rest } = json;
    return { editable: this.editable, config: { ...rest, backends }, backends };
  }

  /** Secret markers from `config.get` back to what the file holds (reference or inline training value). */
  private resolveMarkers(json: Json, current: JsonRecord): { config: Json; issues: string[] } {
    const issues: string[] = [];
    if (!isRecord(json) || !Array.isArray(json['backends'])) return { config: json, issues };
    const currentBackends = Array.isArray(current['backends']) ? current['backends'].filter(isRecord) : [];
    const backends = json['backends'].map((entry: Json, i: number) => {
      if (!isRecord(entry) || !isRecord(entry['adapter'])) return entry;
      const id = entry['adapter']['id'];
      const before = currentBackends.find((b) => isRecord(b['adapter']) && b['adapter']['id'] === id);
      const adapter = replaceSecrets(entry['adapter'], (v, path) => {
        if (!SecretMarkerSchema.safeParse(v).success) return v;
        const old = before ? valueAt(before['adapter'], path) : undefined;
        if (isSecretRef(old) || (typeof old === 'string' && old !== '')) return old;
        issues.push(`backends.${i}.adapter.${path.join('.')}: chưa có mật khẩu đã lưu để giữ lại — hãy nhập mật khẩu`);
        return v;
      });
      return { ...entry, adapter };
    });
    return { config: { ...json, backends }, issues };
  }

  validate(json: JsonRecord): string[] {
    const { config, issues } = this.resolveMarkers(json, this.currentJson());
    return [...issues, ...configIssues(config)];
  }

  /**
   * Validate fully, store typed secrets in the keyring, write config.json atomically, audit it.
   * Nothing is written when anything is invalid or the keyring refuses a secret.
   */
  async save(json: JsonRecord, actor: string): Promise<{ saved: true; storedSecrets: string[]; restartRequired: boolean }> {
    this.requireEditable();
    const current = this.currentJson();
    const { config: resolved, issues: markerIssues } = this.resolveMarkers(json, current);
    const issues = [...markerIssues, ...configIssues(resolved)];
    if (issues.length > 0) throw new ApiFailure('invalid_input', 'Cấu hình chưa hợp lệ, chưa lưu gì.', issues.slice(0, 50));
    const overRefs = typedOverRefs(resolved, current);
    const moved = moveSecretsOutOfConfig(overRefs.config);
    const withRefs = moved.config;
    const secrets = [...overRefs.typed, ...moved.secrets.map((x) => ({ name: x.name, value: x.value }))];
    if (secrets.length > 0) {
      if (!this.deps.secrets) {
        throw new ApiFailure('unavailable', 'Máy này không có kho khóa để cất mật khẩu; chưa lưu gì. Dùng lệnh npm run secrets -- set <tên>.');
      }
      try {
        for (const s of secrets) await this.deps.secrets.set(s.name, s.value);
      } catch (error) {
        const why = error instanceof SecretStoreError ? error.message : String(error);
        throw new ApiFailure('unavailable', `Không cất được mật khẩu vào kho khóa, chưa lưu gì: ${why}`);
      }
    }
    writeAtomically(this.configPath, `${JSON.stringify(withRefs, null, 2)}\n`);
    this.deps.audit.append({
      actor,
      kind: 'config',
      summary: 'Cán bộ CNTT lưu cấu hình (có hiệu lực khi khởi động lại)',
      data: { fingerprint: configFingerprint(parseConfig(withRefs)), storedSecrets: secrets.map((s) => s.name), via: 'settings' },
    });
    return { saved: true, storedSecrets: secrets.map((s) => s.name), restartRequired: true };
  }

  /** Resolve a configured backend's or the form's adapter config to plain values, for test connection. */
  async resolvedAdapter(input: { backendId?: string | undefined; adapter?: JsonRecord | undefined }): Promise<JsonRecord> {
    const current = this.currentJson();
    let adapter: JsonRecord;
    if (input.backendId !== undefined) {
      const entry = (Array.isArray(current['backends']) ? current['backends'] : [])
        .filter(isRecord)
        .find((b) => isRecord(b['adapter']) && b['adapter']['id'] === input.backendId);
      if (!entry || !isRecord(entry['adapter'])) throw new ApiFailure('not_found', `Không có hệ thống "${input.backendId}" trong cấu hình.`);
      adapter = entry['adapter'];
    } else {
      const { config, issues } = this.resolveMarkers({ backends: [{ adapter: input.adapter ?? {} }] }, current);
      if (issues.length > 0) throw new ApiFailure('invalid_input', 'Cấu hình chưa đủ để kiểm tra kết nối.', issues);
      const first = isRecord(config) && Array.isArray(config['backends']) ? (config['backends'][0] as JsonRecord | undefined) : undefined;
      adapter = first && isRecord(first['adapter']) ? first['adapter'] : {};
    }
    try {
      return await resolveAdapterSecrets(adapter, this.deps.secrets);
    } catch (error) {
      throw new ApiFailure('invalid_input', error instanceof Error ? error.message : String(error));
    }
  }

  // ---------- calendar ----------

  calendarView(): CalendarView {
    const current = this.currentJson();
    const source = current['calendar'];
    let data: Json = shippedCalendar;
    let kind: CalendarView['source'] = 'shipped';
    if (isRecord(source) && typeof source['path'] === 'string') {
      const file = isAbsolute(source['path']) ? source['path'] : join(this.deps.dataDir, source['path']);
      try {
        data = JSON.parse(readFileSync(file, 'utf8')) as Json;
      } catch (error) {
        throw new ApiFailure('unavailable', `Không đọc được tệp lịch ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      kind = 'file';
    } else if (isRecord(source) && source['data'] !== undefined) {
      data = source['data'];
      kind = 'inline';
    }
    const parsed = CalendarDataSchema.safeParse(data);
    if (!parsed.success) throw new ApiFailure('unavailable', 'Lịch làm việc đang dùng không hợp lệ.', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    return { data: parsed.data as unknown as JsonRecord, source: kind, editable: this.editable };
  }

  /** Validate and store the calendar inline in config.json (one atomic write). */
  setCalendar(data: Json, actor: string): CalendarView {
    this.requireEditable();
    const parsed = CalendarDataSchema.safeParse(data);
    if (!parsed.success) {
      throw new ApiFailure(
        'invalid_input',
        'Lịch làm việc chưa hợp lệ, chưa lưu gì.',
        parsed.error.issues.slice(0, 50).map((i) => `${i.path.map(String).join('.') || '(lịch)'}: ${i.message}`),
      );
    }
    const current = this.currentJson();
    const next = { ...current, calendar: { data: parsed.data } };
    const issues = configIssues(next);
    if (issues.length > 0) throw new ApiFailure('invalid_input', 'Cấu hình chưa hợp lệ, chưa lưu gì.', issues.slice(0, 50));
    writeAtomically(this.configPath, `${JSON.stringify(next, null, 2)}\n`);
    this.deps.audit.append({
      actor,
      kind: 'config',
      summary: `Cán bộ CNTT cập nhật lịch làm việc (${parsed.data.holidays.length} ngày nghỉ, ${parsed.data.workingSaturdays.length} ngày làm bù)`,
      data: { via: 'settings', calendar: parsed.data.name, years: parsed.data.years },
    });
    return this.calendarView();
  }

  importCalendar(content: string, actor: string): CalendarView {
    let data: Json;
    try {
      data = JSON.parse(content) as Json;
    } catch (error) {
      throw new ApiFailure('invalid_input', `Tệp lịch không phải JSON hợp lệ: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.setCalendar(data, actor);
  }

  exportCalendar(): { filename: string; content: string } {
    const view = this.calendarView();
    const years = Array.isArray(view.data['years']) ? view.data['years'].join('-') : '';
    return { filename: `lich-lam-viec${years ? `-${years}` : ''}.json`, content: `${JSON.stringify(view.data, null, 2)}\n` };
  }

  // ---------- profiles ----------

  /** Backends (secrets → references, training backends left out), calendar, outbox and mail rules. */
  exportProfile(): { filename: string; content: string } {
    const current = this.currentJson();
    const backends = (Array.isArray(current['backends']) ? current['backends'] : []).filter(isRecord).filter((b) => b['training'] !== true);
    const { config: withRefs } = moveSecretsOutOfConfig({ backends });
    const stripped = (isRecord(withRefs) && Array.isArray(withRefs['backends']) ? withRefs['backends'] : []).map((b: Json) =>
      isRecord(b) && isRecord(b['adapter'])
        ? {
            ...b,
            // Anything left under a secret key that is not a reference is dropped, never exported.
            adapter: replaceSecrets(b['adapter'], (v) => (isSecretRef(v) ? v : { $secret: 'missing' })),
          }
        : b,
    );
    const calendar = this.calendarView().data;
    const office = isRecord(current['office']) && typeof current['office']['name'] === 'string' ? current['office']['name'] : undefined;
    const profile = {
      kind: PROFILE_KIND,
      version: PROFILE_VERSION,
      exportedAt: new Date(this.deps.now()).toISOString(),
      ...(office ? { from: office } : {}),
      backends: stripped,
      calendar,
      ...(current['outbox'] !== undefined ? { outbox: current['outbox'] } : {}),
      ...(current['mailRules'] !== undefined ? { mailRules: current['mailRules'] } : {}),
      ...(this.deps.db ? { authority: this.deps.db.prepare<[], AuthorityRule>('SELECT source, kind, username FROM authority ORDER BY source DESC, kind, username').all() } : {}),
    };
    const day = new Date(this.deps.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    return { filename: `ho-so-cau-hinh-${day}.json`, content: `${JSON.stringify(profile, null, 2)}\n` };
  }

  /**
   * Apply a profile: this machine keeps its office and user; backends, calendar, outbox and mail
   * rules come from the profile. Everything is validated before the single atomic write.
   */
  async importProfile(content: string, actor: string): Promise<{ applied: true; backends: number; missingSecrets: string[]; restartRequired: boolean }> {
    this.requireEditable();
    let json: Json;
    try {
      json = JSON.parse(content) as Json;
    } catch {
      throw new ApiFailure('invalid_input', 'Tệp không phải JSON: đây không phải hồ sơ cấu hình của Bàn làm việc một cửa. Không có gì thay đổi.');
    }
    if (!isRecord(json) || json['kind'] !== PROFILE_KIND) {
      throw new ApiFailure(
        'invalid_input',
        `Tệp này không phải hồ sơ cấu hình của Bàn làm việc một cửa (thiếu dấu hiệu "kind": "${PROFILE_KIND}"). Không có gì thay đổi.`,
      );
    }
    if (json['version'] !== PROFILE_VERSION) {
      throw new ApiFailure(
        'invalid_input',
        `Hồ sơ cấu hình phiên bản ${String(json['version'])} không được hỗ trợ (phiên bản này đọc được phiên bản ${PROFILE_VERSION}). Không có gì thay đổi.`,
      );
    }
    const profile = ProfileSchema.safeParse(json);
    if (!profile.success) {
      throw new ApiFailure(
        'invalid_input',
        'Hồ sơ cấu hình không hợp lệ. Không có gì thay đổi.',
        profile.error.issues.slice(0, 50).map((i) => `${i.path.map(String).join('.') || '(hồ sơ)'}: ${i.message}`),
      );
    }
    // A profile never carries a secret value: a plain string under a secret key is refused.
    const plain = moveSecretsOutOfConfig({ backends: profile.data.backends }).secrets;
    if (plain.length > 0) {
      throw new ApiFailure('invalid_input', 'Hồ sơ cấu hình chứa mật khẩu dạng chữ thường (hồ sơ chỉ được chứa tham chiếu). Không có gì thay đổi.', plain.map((s) => s.path.join('.')));
    }
    const current = this.currentJson();
    const next: JsonRecord = {
      office: current['office'],
      user: current['user'],
      backends: profile.data.backends,
      ...(profile.data.calendar !== undefined ? { calendar: { data: profile.data.calendar } } : {}),
      ...(profile.data.outbox !== undefined ? { outbox: profile.data.outbox } : {}),
      ...(profile.data.mailRules !== undefined ? { mailRules: profile.data.mailRules } : {}),
    };
    const issues = configIssues(next);
    if (issues.length > 0) throw new ApiFailure('invalid_input', 'Hồ sơ cấu hình không hợp lệ. Không có gì thay đổi.', issues.slice(0, 50));
    const names = [...new Set(profile.data.backends.flatMap((b) => secretRefsIn(b)).map((r) => r.name))];
    const missing: string[] = [];
    for (const name of names) if (!(await this.secretIsSet(name))) missing.push(name);
    const authority = profile.data.authority;
    const { db } = this.deps;
    const apply = (): void => {
      if (authority !== undefined && db) {
        // The matrix replaces this machine's; the file is written last inside the same transaction, so a
        // failed write rolls the matrix back: nothing half-applied.
        db.prepare('DELETE FROM authority').run();
        const insert = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO authority (source, kind, username) VALUES (?, ?, ?)');
        for (const r of authority) insert.run(r.source, r.kind, r.username);
      }
      writeAtomically(this.configPath, `${JSON.stringify(next, null, 2)}\n`);
    };
    if (db) db.transaction(apply)();
    else apply();
    this.deps.audit.append({
      actor,
      kind: 'config',
      summary: `Cán bộ CNTT nhập hồ sơ cấu hình${profile.data.from ? ` của ${profile.data.from}` : ''} (${profile.data.backends.length} hệ thống${authority !== undefined ? `, ma trận phân quyền ${authority.length} quyền` : ''})`,
      data: { via: 'profile', exportedAt: profile.data.exportedAt, fingerprint: configFingerprint(WorkstationConfigSchema.parse(next)), missingSecrets: missing },
    });
    return { applied: true, backends: profile.data.backends.length, missingSecrets: missing, restartRequired: true };
  }
}
