import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../../src/core/core';
import { ConfigError, type WorkstationConfigInput } from '../../../src/core/config/config.schema';
import { DatabaseTooNewError, MIGRATIONS } from '../../../src/core/db/migrations';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { keyFileCacheKey } from '../../../src/core/db/cache-key';
import { apiContract, API_METHODS, type CoreEvent } from '../../../src/shared/api';
import { FakeAdapter } from './fixtures/fake.adapter';
import { at, document, dossier, NOW, tempDir } from './fixtures/records.fixture';
import { ok } from '../../support/envelope';

let dir: string;
let cleanup: () => void;
let core: Core | null;
let adapters: Map<string, FakeAdapter>;
let logs: Array<{ level: string; msg: string; data?: unknown }>;

const config: WorkstationConfigInput = {
  office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
  user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
  backends: [
    { adapter: { kind: 'procedure', id: 'p', password: 'secret-pw-123' }, pollIntervalMs: 60_000, training: true },
    { adapter: { kind: 'document', id: 'd' }, pollIntervalMs: 60_000 },
  ],
};

function fakeFactory(cfg: unknown): FakeAdapter {
  const id = (cfg as { id: string }).id;
  const adapter = new FakeAdapter(id);
  adapters.set(id, adapter);
  return adapter;
}

async function open(extra: Partial<Parameters<typeof createCore>[0]> = {}): Promise<Core> {
  const c = await createCore({
    dataDir: dir,
    config,
    now: () => NOW,
    createAdapter: fakeFactory,
    log: (level, msg, data) => logs.push({ level, msg, data }),
    ...extra,
  });
  core = c;
  return c;
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-core-'));
  core = null;
  adapters = new Map();
  logs = [];
});

afterEach(async () => {
  await core?.close();
  cleanup();
});

describe('createCore + dispatcher', () => {
  it('answers session.get from the config and the core clock', async () => {
    const c = await open();
    expect(ok(await c.handle('session.get', {}))).toEqual({
      user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
      officeName: 'UBND phường Ngọc Hà',
      officials: [],
      training: true,
      now: NOW,
      mailAccounts: [],
    });
    // A transport may send no input for a method without parameters.
    expect((await c.handle('session.get', undefined)).ok).toBe(true);
  });

  it('rejects unknown methods and invalid input with invalid_input and issue paths', async () => {
    const c = await open();
    expect(await c.handle('queue.drop', {})).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Unknown method "queue.drop"' },
    });
    expect(await c.handle('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const bad = await c.handle('queue.list', { filter: { sla: ['late'], scope: 'team' }, limit: 5000, extra: 1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_input');
      expect(bad.error.details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^filter\.sla\.0: /),
          expect.stringMatching(/^filter\.scope: /),
          expect.stringMatching(/^limit: /),
          expect.stringMatching(/^\(input\): .*extra/),
        ]),
      );
    }
    expect(await c.handle('item.get', { id: '' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await c.handle('queue.counts', 'nope')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await c.handle('queue.list', { filter: { q: 'x'.repeat(201) } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', details: [expect.stringMatching(/^filter\.q: /)] },
    });
  });

  it('serves every contract method, and each answer matches the output schema', async () => {
    const c = await open();
    const events: CoreEvent[] = [];
    c.subscribe((e) => events.push(e));
    adapters.get('p')!.records = [
      dossier({ externalId: 'A', dueAt: at('2026-11-24T17:00:00') }),
      dossier({ externalId: 'B', applicant: 'Nguyễn Văn Đức', dueAt: at('2026-11-25T16:00:00'), assignee: 'canbo.hung' }),
    ];
    adapters.get('d')!.records = [document({ externalId: 'D1', urgency: 3, receivedAt: at('2026-11-25T08:30:00') })];
    c.start();
    await vi.waitFor(() =>
      expect(events.filter((e) => e.type === 'backend.status' && e.backend.state === 'online')).toHaveLength(2),
    );
    const inputs: Record<string, unknown> = {
      'session.get': {},
      'queue.list': {},
      'queue.counts': {},
      'item.get': { id: 'p:B' },
      'backends.list': {},
      'sync.now': {},
      'action.submit': { itemId: 'p:B', action: { kind: 'dossier.forward', toUser: 'canbo.mai' }, baseUpdatedAt: NOW - 60_000 },
      'outbox.list': {},
      'audit.list': {},
      'audit.verify': {},
      'audit.export': {},
      // Issue #7 notifications and tray (feature `desktop`).
      'notify.list': {},
      'notify.markRead': {},
      // Issue #5 supervisor: the matrix is readable in every role (the queue row's mark).
      'authority.get': {},
      // Issue #6 citizens (tests/integration/citizen/ checks the answers against the sandbox).
      'citizen.find': { q: '001084000999' },
      'citizen.view': { idNumber: '001084000999' },
      'search.query': { q: 'khai sinh' },
      // Issue #6 declare once (tests/integration/citizen/dossier-register.test.ts sends it to the sandbox).
      'dossier.register': {
        backendId: 'p',
        action: { kind: 'dossier.register', procedureCode: '1.001193.000.00.00.H26', applicantName: 'Nguyễn Văn Đức', idNumber: '001084000999', birthDate: '1984-05-12', sex: 'male', address: 'Số 12 ngõ 34 phố Trung Kính', phone: '0912345678', summary: 'Đăng ký khai sinh cho con' },
      },
    };
    // Need an entry in a given state (outbox tests) or a mail backend (tests/integration/mail/*).
    const skipped = new Set([
      'outbox.retry',
      'outbox.discard',
      'outbox.resolveConflict',
      'links.add',
      'links.remove',
      'mail.body',
      'mail.remoteImages',
      'mail.stageAttachment',
      'mail.compose',
      'mail.saveAttachment',
      // Issue #5 settings: role 'it' only (this config signs in an official); tests/integration/settings/ serves each.
      'config.get',
      'config.validate',
      'config.save',
      'connection.test',
      'calendar.get',
      'calendar.set',
      'calendar.export',
      'calendar.import',
      'profile.export',
      'profile.import',
      'health.get',
      'logs.tail',
      // Issue #5 supervisor: role 'supervisor' only (this config signs in an official: refused with
      // 'unauthorized'); tests/integration/core/dashboard.test.ts serves each as a supervisor.
      'dashboard.get',
      'dashboard.export',
      'dashboard.reassign',
      'authority.set',
      // Training mode only (this config's backends are not training ones: refused with 'unauthorized');
      // tests/integration/host/training-role.test.ts serves it through the real training web app.
      'training.setRole',
      // Issue #7 shell: role 'it' only; tests/integration/shell/diagnostics-bundle.test.ts serves it (and its refusal).
      'diagnostics.bundle',
      // Issue #6 declare once: reads the live catalogue (LayDanhSachTTHC), which these fake adapters lack;
      // tests/integration/citizen/dossier-register.test.ts serves it from the sandbox.
      'procedures.list',
    ]);
    for (const method of API_METHODS) {
      if (skipped.has(method)) continue;
      const envelope = await c.handle(method, inputs[method]);
      expect(envelope.ok, method).toBe(true);
      if (envelope.ok) expect(apiContract[method].output.safeParse(envelope.data).success, method).toBe(true);
    }
    const list = ok<{ items: Array<{ id: string; sla: string }> }>(await c.handle('queue.list', {}));
    expect(list.items.map((i) => [i.id, i.sla])).toEqual([
      ['p:A', 'overdue'],
      ['d:D1', 'due_today'],
      ['p:B', 'due_today'],
    ]);
    expect(ok(await c.handle('queue.list', { filter: { scope: 'mine', q: 'nguyen van duc' } }))).toMatchObject({ items: [] });
    expect(ok(await c.handle('queue.list', { filter: { q: 'nguyen van duc' } }))).toMatchObject({ items: [{ id: 'p:B' }] });
    expect(ok(await c.handle('queue.counts', { filter: { sla: ['due_today'] } }))).toMatchObject({
      total: 2,
      bySource: { procedure: 1, document: 1, mail: 0 },
    });
    const backends = ok<Array<{ id: string; state: string; itemCount: number; training: boolean }>>(
      await c.handle('backends.list', {}),
    );
    expect(backends.map((b) => [b.id, b.state, b.itemCount, b.training])).toEqual([
      ['p', 'online', 2, true],
      ['d', 'online', 1, false],
    ]);
    expect(ok(await c.handle('sync.now', { backendId: 'd' }))).toEqual({ started: ['d'] });
  });

  it('answers not_found for unknown items and backends', async () => {
    const c = await open();
    expect(await c.handle('item.get', { id: 'p:nope' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No item with id "p:nope"' },
    });
    expect(await c.handle('sync.now', { backendId: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('maps unexpected failures to internal without leaking details', async () => {
    const c = await open();
    c.start();
    await vi.waitFor(() => expect(adapters.get('p')!.pulls.length).toBeGreaterThan(0));
    // Corrupt a cached row behind the core's back.
    const db = openCacheDatabase(dir, { key: keyFileCacheKey(dir) });
    db.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, status, received_at, updated_at, due_key,
      is_open, clock_running, paused, search_folded, detail_json)
      VALUES ('p:X', 'procedure', 'p', 'X', 'X', 't', '4', 0, 0, 9007199254740991, 1, 1, 0, 'x', 'not json')`).run();
    db.close();
    const answer = await c.handle('item.get', { id: 'p:X' });
    expect(answer).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error in the workstation core' } });
    expect(logs.some((l) => l.level === 'error' && l.msg === 'api call failed')).toBe(true);
  });

  it('never writes adapter secrets into the database or the logs', async () => {
    const c = await open();
    c.start();
    await vi.waitFor(() => expect(adapters.get('p')!.pulls.length).toBeGreaterThan(0));
    await c.close();
    core = null;
    const { readFileSync, readdirSync } = await import('node:fs');
    for (const file of readdirSync(dir)) {
      expect(readFileSync(`${dir}/${file}`).includes('secret-pw-123'), file).toBe(false);
    }
    expect(JSON.stringify(logs)).not.toContain('secret-pw-123');
  });

  it('answers unavailable after close, and close is idempotent', async () => {
    const c = await open();
    c.start();
    await Promise.all([c.close(), c.close()]);
    expect(await c.handle('session.get', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect([...adapters.values()].every((a) => a.closed)).toBe(true);
    core = null;
  });

  it('refuses an invalid adapter config or calendar, and leaves the database closed', async () => {
    await expect(
      createCore({ dataDir: dir, config: { ...config, backends: [{ adapter: { kind: 'procedure', id: 'p' } }] } }),
    ).rejects.toMatchObject({ name: 'AdapterConfigError', code: 'config_invalid' });
    await expect(
      createCore({ dataDir: dir, config: { ...config, calendar: { data: { officeHours: [] } } }, createAdapter: fakeFactory }),
    ).rejects.toMatchObject({ name: 'CalendarDataError' });
    // The file is not held open: a fresh core opens it.
    const c = await open();
    expect((await c.handle('session.get', {})).ok).toBe(true);
  });

  it('validates the config and refuses a newer database', async () => {
    await expect(
      createCore({ dataDir: dir, config: { ...config, user: { username: '', fullName: 'x', role: 'boss' } } as never }),
    ).rejects.toBeInstanceOf(ConfigError);
    const db = openCacheDatabase(dir, {
      migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', up: () => {} }],
    });
    db.close();
    await expect(open()).rejects.toBeInstanceOf(DatabaseTooNewError);
    core = null;
  });
});

describe('outbox and audit through the core', () => {
  it('lists the configured officials in the session (the training config has the sandbox six)', async () => {
    const { trainingConfig } = await import('../../../src/core/config/config.schema');
    const training = trainingConfig({ procedureUrl: 'http://127.0.0.1:1', documentUrl: 'http://127.0.0.1:2' });
    const c = await createCore({ dataDir: dir, config: training, now: () => NOW, createAdapter: fakeFactory });
    core = c;
    const session = ok<{ officials: Array<{ username: string; fullName: string; title: string | null }> }>(await c.handle('session.get', {}));
    expect(session.officials.map((o) => o.username)).toEqual(['canbo.lan', 'canbo.mai', 'canbo.hung', 'canbo.tuan', 'canbo.huong', 'lanhdao.thang']);
    expect(session.officials[5]).toEqual({ username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', title: 'Phó Chủ tịch UBND phường' });
  });

  it('submits, sends, confirms and audits an action end to end; the audit chain verifies and exports', async () => {
    const c = await open();
    const events: CoreEvent[] = [];
    c.subscribe((e) => events.push(e));
    adapters.get('p')!.records = [dossier({ externalId: 'A', status: '4', updatedAt: NOW - 60_000 })];
    c.start();
    await vi.waitFor(async () => expect(ok<{ items: unknown[] }>(await c.handle('queue.list', {})).items).toHaveLength(1));
    const refused = await c.handle('action.submit', { itemId: 'p:A', action: { kind: 'dossier.receive' }, baseUpdatedAt: NOW - 60_000 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/not allowed on A in status 4/) } });
    const entry = ok<{ id: string; state: string }>(
      await c.handle('action.submit', { itemId: 'p:A', action: { kind: 'dossier.requestSupplement', missing: 'Tờ khai' }, baseUpdatedAt: NOW - 60_000 }),
    );
    expect(entry.state).toBe('pending');
    await vi.waitFor(async () => {
      const listed = ok<{ entries: Array<{ id: string; state: string }>; counts: Record<string, number> }>(await c.handle('outbox.list', {}));
      expect(listed.entries[0]).toMatchObject({ id: entry.id, state: 'done' });
      expect(listed.counts).toMatchObject({ done: 1, pending: 0 });
    });
    expect(ok(await c.handle('item.get', { id: 'p:A' }))).toMatchObject({ item: { status: '5', pendingActions: 0, attention: 'none' } });
    expect(events.filter((e) => e.type === 'outbox.changed').map((e) => (e.type === 'outbox.changed' ? e.entry.state : null))).toEqual([
      'pending',
      'sending',
      'done',
    ]);
    const auditList = ok<{ entries: Array<{ kind: string; actor: string; summary: string }>; total: number }>(await c.handle('audit.list', { limit: 50 }));
    expect(auditList.entries.map((e) => e.kind).reverse()).toEqual(expect.arrayContaining(['sign_in', 'config', 'action', 'outbox']));
    expect(auditList.entries.some((e) => e.kind === 'action' && e.actor === 'canbo.lan' && e.summary === 'Yêu cầu bổ sung hồ sơ A')).toBe(true);
    expect(ok(await c.handle('audit.verify', {}))).toMatchObject({ ok: true, firstBadSeq: null });
    const exported = ok<{ filename: string; content: string }>(await c.handle('audit.export', {}));
    expect(exported.filename).toBe('nhat-ky-2026-11-25.jsonl');
    expect(exported.content.trimEnd().split('\n')).toHaveLength(auditList.total);
    expect(exported.content).not.toContain('secret-pw-123');
    expect(await c.handle('outbox.retry', { id: entry.id })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await c.handle('outbox.discard', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('records the configuration once, and again only when it changes', async () => {
    await (await open()).close();
    await (await open()).close();
    core = await open({ config: { ...config, office: { ...config.office, name: 'UBND phường Kim Mã' } } });
    const entries = ok<{ entries: Array<{ kind: string; summary: string }> }>(await core.handle('audit.list', {})).entries.reverse();
    expect(entries.filter((e) => e.kind === 'config').map((e) => e.summary)).toEqual(['Ghi nhận cấu hình ban đầu', 'Cấu hình đã thay đổi']);
    expect(entries.filter((e) => e.kind === 'sign_in')).toHaveLength(3);
  });
});
