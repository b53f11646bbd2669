/**
 * The IT-staff settings methods through a real core (temp data folder, real SQLite file, config.json
 * on disk, an in-memory secret store): roles, config without secrets, atomic validated save with
 * typed secrets moved to the store, the working calendar (edit, export/import round trip, deadlines
 * computed from it after a restart), configuration profiles (round trip, foreign and invalid files,
 * nothing half-applied, no secret in the exported bytes), sync health and the log viewer fed by real
 * connection failures (a closed local port).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/shared/api';
import type { BackendHealth, CalendarView, ConfigView } from '../../../src/shared/settings';
import { PROFILE_KIND } from '../../../src/shared/settings';
import { createCore, type Core } from '../../../src/core/core';
import { loadConfigFile } from '../../../src/core/config/config.file';
import { computeDue, loadCalendar } from '../../../src/core/deadline';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { ok } from '../../support/envelope';
import { freePort as closedPort } from '../../support/ports';

const PASSWORD = 'Mật-khẩu-DVC-2026!';
const CLIENT_SECRET = 'bi-mat-qlvb-7788';

let dir: string;
let store: MemorySecretStore;
let cores: Core[];
let port: number;


function writeConfig(role: 'it' | 'official' | 'supervisor', target = dir): void {
  writeFileSync(
    join(target, 'config.json'),
    JSON.stringify({
      office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
      user: { username: 'it.minh', fullName: 'Trần Văn Minh', role },
      backends: [
        {
          adapter: { kind: 'procedure', id: 'dvc', label: 'Một cửa điện tử', baseUrl: `http://127.0.0.1:${port}`, username: 'ngocha', password: { $secret: 'mat-khau-dvc' }, retries: 0 },
          pollIntervalMs: 200,
        },
        {
          adapter: { kind: 'document', id: 'qlvb', label: 'Quản lý văn bản', baseUrl: `http://127.0.0.1:${port}`, clientId: 'ws', clientSecret: { $secret: 'qlvb.clientSecret' }, retries: 0 },
          pollIntervalMs: 200,
        },
      ],
    }),
  );
}

async function startCore(target = dir): Promise<Core> {
  const loaded = await loadConfigFile(join(target, 'config.json'), store);
  const core = await createCore({ dataDir: target, config: loaded.config, secrets: store, backoff: { baseMs: 50, maxMs: 100 } });
  cores.push(core);
  return core;
}

async function call<T>(core: Core, method: string, input: unknown = {}): Promise<T> {
  return ok<T>(await core.handle(method, input));
}

async function fail(core: Core, method: string, input: unknown = {}): Promise<{ code: string; message: string; details?: string[] }> {
  const envelope: Envelope<unknown> = await core.handle(method, input);
  if (envelope.ok) throw new Error(`${method} succeeded`);
  return envelope.error;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-settings-'));
  store = new MemorySecretStore({ 'mat-khau-dvc': PASSWORD, 'qlvb.clientSecret': CLIENT_SECRET });
  cores = [];
  port = await closedPort();
});

afterEach(async () => {
  for (const c of cores) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roles', () => {
  it("only 'it' reads or changes the configuration; a supervisor may read health and the log", async () => {
    writeConfig('official');
    const official = await startCore();
    for (const method of ['config.get', 'calendar.get', 'profile.export', 'health.get', 'logs.tail', 'config.save', 'profile.import', 'calendar.set']) {
      const input = method === 'config.save' ? { config: {} } : method === 'profile.import' ? { content: '{}' } : method === 'calendar.set' ? { data: {} } : {};
      const error = await fail(official, method, input);
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(/^Chỉ cán bộ CNTT/);
    }
    await official.close();
    writeConfig('supervisor');
    const supervisor = await startCore();
    expect((await fail(supervisor, 'config.get')).code).toBe('unauthorized');
    const health = await call<{ backends: BackendHealth[] }>(supervisor, 'health.get');
    expect(health.backends.map((b) => b.id)).toEqual(['dvc', 'qlvb']);
  });
});

describe('configuration', () => {
  it('config.get shows whether each secret is set, never its value', async () => {
    store = new MemorySecretStore({ 'mat-khau-dvc': PASSWORD });
    writeConfig('it');
    const core = await startCore();
    const view = await call<ConfigView>(core, 'config.get');
    expect(view.editable).toBe(true);
    expect(view.backends[0]?.adapter['password']).toEqual({ $keep: true, set: true, ref: 'mat-khau-dvc' });
    expect(view.backends[1]?.adapter['clientSecret']).toEqual({ $keep: true, set: false, ref: 'qlvb.clientSecret' });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
  });

  it('config.save validates everything first: an invalid form changes no byte of config.json', async () => {
    writeConfig('it');
    const core = await startCore();
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    const view = await call<ConfigView>(core, 'config.get');
    const bad = structuredClone(view.config) as { backends: Array<{ pollIntervalMs: number; adapter: Record<string, unknown> }> };
    bad.backends[0]!.pollIntervalMs = 5;
    bad.backends[1]!.adapter['baseUrl'] = 'ftp://qlvb';
    const checked = await call<{ ok: boolean; issues: string[] }>(core, 'config.validate', { config: bad });
    expect(checked.ok).toBe(false);
    expect(checked.issues.some((i) => i.startsWith('backends.0.pollIntervalMs'))).toBe(true);
    expect(checked.issues.some((i) => i.startsWith('backends.1.adapter.baseUrl'))).toBe(true);
    const error = await fail(core, 'config.save', { config: bad });
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('chưa lưu gì');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
  });

  it('connection.test resolves the stored secret of a configured backend or of the form (markers), and reports the failing step', async () => {
    writeConfig('it');
    const core = await startCore();
    const byId = await call<{ ok: boolean; failedStep: string | null }>(core, 'connection.test', { backendId: 'dvc' });
    expect(byId.failedStep).toBe('tcp');
    const view = await call<ConfigView>(core, 'config.get');
    const fromForm = await call<{ failedStep: string | null; steps: Array<{ message: string }> }>(core, 'connection.test', { adapter: view.backends[0]?.adapter });
    expect(fromForm.failedStep).toBe('tcp');
    expect(JSON.stringify(fromForm)).not.toContain(PASSWORD);
    const renamed = { ...view.backends[0]?.adapter, id: 'dvc-moi' };
    const error = await fail(core, 'connection.test', { adapter: renamed });
    expect(error.code).toBe('invalid_input');
    expect(error.details?.[0]).toContain('chưa có mật khẩu đã lưu để giữ lại');
    expect((await fail(core, 'connection.test', { backendId: 'khong-co' })).code).toBe('not_found');
    const invalid = await fail(core, 'connection.test', { adapter: { kind: 'procedure', id: 'x', label: 'X', baseUrl: 'ftp://x', username: 'a', password: 'b' } });
    expect(invalid.details?.some((d) => d.startsWith('baseUrl'))).toBe(true);
  });

  it('config.save keeps stored secrets, moves a typed one to the store (never the file), and the next start uses it', async () => {
    writeConfig('it');
    const core = await startCore();
    const view = await call<ConfigView>(core, 'config.get');
    const next = structuredClone(view.config) as { backends: Array<{ pollIntervalMs: number; adapter: Record<string, unknown> }> };
    next.backends[0]!.pollIntervalMs = 45_000;
    next.backends[0]!.adapter['password'] = 'mat-khau-moi-5522';
    next.backends[1]!.adapter['clientSecret'] = 'bi-mat-moi-9911';
    const saved = await call<{ storedSecrets: string[]; restartRequired: boolean }>(core, 'config.save', { config: next });
    expect(saved.restartRequired).toBe(true);
    // A typed secret keeps the reference name the file already uses.
    expect(saved.storedSecrets).toEqual(['mat-khau-dvc', 'qlvb.clientSecret']);
    expect(await store.get('mat-khau-dvc')).toBe('mat-khau-moi-5522');
    expect(await store.get('qlvb.clientSecret')).toBe('bi-mat-moi-9911');
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text).not.toContain('bi-mat-moi-9911');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('mat-khau-moi-5522');
    const file = JSON.parse(text) as { backends: Array<{ pollIntervalMs: number; adapter: Record<string, unknown> }> };
    expect(file.backends[0]?.pollIntervalMs).toBe(45_000);
    expect(file.backends[0]?.adapter['password']).toEqual({ $secret: 'mat-khau-dvc' });
    expect(file.backends[1]?.adapter['clientSecret']).toEqual({ $secret: 'qlvb.clientSecret' });
    await core.close();
    const again = await startCore();
    const after = await call<ConfigView>(again, 'config.get');
    expect(after.backends[0]?.pollIntervalMs).toBe(45_000);
    const audit = await call<{ entries: Array<{ kind: string; summary: string }> }>(again, 'audit.list', { limit: 50 });
    expect(audit.entries.some((e) => e.kind === 'config' && e.summary.includes('lưu cấu hình'))).toBe(true);
  });
});

describe('working calendar', () => {
  it('adds a holiday, round-trips through export/import, refuses an invalid file, and deadlines use it after a restart', async () => {
    writeConfig('it');
    const core = await startCore();
    const view = await call<CalendarView>(core, 'calendar.get');
    expect(view.source).toBe('shipped');
    const data = structuredClone(view.data) as { holidays: Array<{ date: string; name: string }> };
    data.holidays.push({ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' });
    const set = await call<CalendarView>(core, 'calendar.set', { data });
    expect(set.source).toBe('inline');
    expect((set.data['holidays'] as Array<{ date: string }>).some((h) => h.date === '2026-11-24')).toBe(true);

    const exported = await call<{ filename: string; content: string }>(core, 'calendar.export');
    expect(exported.filename).toBe('lich-lam-viec-2025-2026.json');
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    const broken = JSON.parse(exported.content) as { workingSaturdays: Array<{ date: string; name: string }> };
    broken.workingSaturdays.push({ date: '2026-11-25', name: 'Thứ Tư?' });
    const error = await fail(core, 'calendar.import', { content: JSON.stringify(broken) });
    expect(error.code).toBe('invalid_input');
    expect(error.details?.join('\n')).toContain('2026-11-25');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect((await fail(core, 'calendar.import', { content: 'không phải JSON' })).message).toContain('không phải JSON');
    const reimported = await call<CalendarView>(core, 'calendar.import', { content: exported.content });
    expect(reimported.data).toEqual(set.data);

    // After a restart the core runs with the edited calendar: a 1-working-day period received on
    // Monday 23 Nov 2026 16:00 skips Tuesday 24 Nov (the new holiday).
    await core.close();
    const loaded = await loadConfigFile(join(dir, 'config.json'), store);
    const calendarSource = loaded.config.calendar;
    if (!calendarSource || calendarSource.data === undefined) throw new Error('calendar not inline');
    const edited = loadCalendar(calendarSource.data);
    const received = Date.parse('2026-11-23T16:00:00+07:00');
    const due = computeDue(edited, { receivedAt: received, duration: { unit: 'working', hours: 8 } });
    expect(new Date(due).toISOString()).toBe(new Date('2026-11-25T16:00:00+07:00').toISOString());
    const again = await startCore();
    expect(((await call<CalendarView>(again, 'calendar.get')).data['holidays'] as Array<{ date: string }>).some((h) => h.date === '2026-11-24')).toBe(true);
  });
});

describe('configuration profiles', () => {
  it('exports without secret bytes, imports into another commune (its office kept), refuses foreign and invalid files with nothing changed', async () => {
    writeConfig('it');
    const core = await startCore();
    const profile = await call<{ filename: string; content: string }>(core, 'profile.export');
    expect(profile.filename).toMatch(/^ho-so-cau-hinh-\d{4}-\d{2}-\d{2}\.json$/);
    expect(profile.content).not.toContain(PASSWORD);
    expect(profile.content).not.toContain(CLIENT_SECRET);
    const parsed = JSON.parse(profile.content) as { kind: string; version: number; backends: Array<{ adapter: Record<string, unknown> }> };
    expect(parsed.kind).toBe(PROFILE_KIND);
    expect(parsed.backends[0]?.adapter['password']).toEqual({ $secret: 'mat-khau-dvc' });

    // Another commune's workstation, with another office and one backend.
    const other = mkdtempSync(join(tmpdir(), 'cw-settings-other-'));
    try {
      writeFileSync(
        join(other, 'config.json'),
        JSON.stringify({
          office: { name: 'UBND xã Thanh Trì', unitCode: '000.26.40.H26' },
          user: { username: 'it.ha', fullName: 'Lê Thu Hà', role: 'it' },
          backends: [{ adapter: { kind: 'document', id: 'cu', label: 'Cũ', baseUrl: 'https://qlvb.thanhtri.example', clientId: 'a', clientSecret: { $secret: 'cu.clientSecret' } } }],
        }),
      );
      store = new MemorySecretStore({ 'mat-khau-dvc': PASSWORD });
      const target = await startCore(other);
      const before = readFileSync(join(other, 'config.json'), 'utf8');
      const foreign = await fail(target, 'profile.import', { content: JSON.stringify({ office: { name: 'x' }, backends: [] }) });
      expect(foreign.message).toContain('không phải hồ sơ cấu hình');
      const calendarFile = await call<{ content: string }>(target, 'calendar.export');
      expect((await fail(target, 'profile.import', { content: calendarFile.content })).message).toContain('không phải hồ sơ cấu hình');
      expect((await fail(target, 'profile.import', { content: '<html>' })).message).toContain('không phải JSON');
      const newer = await fail(target, 'profile.import', { content: JSON.stringify({ ...parsed, version: 99 }) });
      expect(newer.message).toContain('phiên bản 99');
      const invalid = structuredClone(parsed);
      invalid.backends[0]!.adapter['baseUrl'] = 'không phải địa chỉ';
      const invalidError = await fail(target, 'profile.import', { content: JSON.stringify(invalid) });
      expect(invalidError.message).toContain('Không có gì thay đổi');
      expect(invalidError.details?.some((d) => d.startsWith('backends.0.adapter.baseUrl'))).toBe(true);
      const leaking = structuredClone(parsed);
      leaking.backends[0]!.adapter['password'] = 'mat-khau-lo';
      expect((await fail(target, 'profile.import', { content: JSON.stringify(leaking) })).message).toContain('mật khẩu dạng chữ thường');
      expect(readFileSync(join(other, 'config.json'), 'utf8')).toBe(before);

      const badMatrix = { ...parsed, authority: [{ source: 'mail', kind: 'x', username: 'canbo.lan' }] };
      expect((await fail(target, 'profile.import', { content: JSON.stringify(badMatrix) })).details?.some((d) => d.startsWith('authority.0'))).toBe(true);
      expect(readFileSync(join(other, 'config.json'), 'utf8')).toBe(before);

      // The supervisor's authority matrix travels with the profile (every workstation flags the same items).
      const matrix = [
        { source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.lan' },
        { source: 'document', kind: 'Công văn', username: 'canbo.hung' },
      ];
      expect((JSON.parse(profile.content) as { authority?: unknown[] }).authority).toEqual([]);
      const withMatrix = JSON.stringify({ ...parsed, authority: matrix });
      const applied = await call<{ backends: number; missingSecrets: string[] }>(target, 'profile.import', { content: withMatrix });
      expect(applied.backends).toBe(2);
      expect(applied.missingSecrets).toEqual(['qlvb.clientSecret']);
      const written = JSON.parse(readFileSync(join(other, 'config.json'), 'utf8')) as { office: { name: string }; user: { username: string }; backends: Array<{ adapter: { id: string } }> };
      expect(written.office.name).toBe('UBND xã Thanh Trì');
      expect(written.user.username).toBe('it.ha');
      expect(written.backends.map((b) => b.adapter.id)).toEqual(['dvc', 'qlvb']);
      // Round trip: the profile exported from the importing machine carries the same backends.
      const back = JSON.parse((await call<{ content: string }>(target, 'profile.export')).content) as typeof parsed;
      expect(back.backends).toEqual(parsed.backends);
      expect((back as { authority?: unknown[] }).authority).toEqual(matrix);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('sync health and log', () => {
  it('counts real connection failures per backend, lists recent errors, and the log viewer filters without secrets', async () => {
    writeConfig('it');
    const core = await startCore();
    core.start();
    let health: { backends: BackendHealth[] } = { backends: [] };
    for (let i = 0; i < 100; i++) {
      health = await call<{ backends: BackendHealth[] }>(core, 'health.get');
      if (health.backends.every((b) => b.errorsTotal >= 2)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const dvc = health.backends.find((b) => b.id === 'dvc');
    expect(dvc?.errorsTotal).toBeGreaterThanOrEqual(2);
    expect(dvc?.errorsLast24h).toBe(dvc?.errorsTotal);
    expect(dvc?.errorsByCode['unreachable']).toBe(dvc?.errorsTotal);
    expect(dvc?.recentErrors[0]?.message).toContain('ECONNREFUSED');
    expect(dvc?.lastSuccessAt).toBeNull();
    expect(dvc?.lastAttemptAt).not.toBeNull();

    const all = await call<{ entries: Array<{ level: string; backend: string | null; msg: string; data: string | null }> }>(core, 'logs.tail', { limit: 1000 });
    expect(all.entries.length).toBeGreaterThan(0);
    const warnings = await call<typeof all>(core, 'logs.tail', { levels: ['warn'], backend: 'qlvb' });
    expect(warnings.entries.length).toBeGreaterThan(0);
    expect(warnings.entries.every((e) => e.level === 'warn' && e.backend === 'qlvb')).toBe(true);
    expect(warnings.entries.some((e) => e.msg === 'sync failed')).toBe(true);
    const text = JSON.stringify(all);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(CLIENT_SECRET);
  });
});
