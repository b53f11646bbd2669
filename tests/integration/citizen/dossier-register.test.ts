/**
 * Issue #6 "declare once", end to end under Node: `dossier.register` through the real core (temp
 * SQLite cache, outbox, runner) → the procedure adapter → the training sandbox over HTTP
 * (`POST /api/DongBoHoSoMC`). Checked against the sandbox's own ground truth: exactly one new dossier
 * with the applicant's fields, code `<unit>-<YYMMDD>-<4 digits>`, received at the counter with the
 * due date from the procedure's duration on the sandbox calendar; the cache and the citizen view have
 * it; resending the same entry (the same Idempotency-Key, as after a crash) creates nothing more;
 * invalid input is refused with a Vietnamese message and nothing is queued or sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProcedureAdapter } from '../../../src/core/adapters/procedure.adapter';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { computeDue, defaultCalendar } from '../../../src/core/deadline';
import { PROCEDURES, UNIT_CODE } from '../../../src/sandbox/commune-data';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { parseVnTimestamp } from '../../../src/sandbox/vn-time';
import type { DossierRegisterAction } from '../../../src/shared/actions';
import type { BackendStatus, Envelope, OutboxEntry } from '../../../src/shared/api';
import type { CitizenView } from '../../../src/shared/citizen';
import type { WorkItem } from '../../../src/shared/work-item';
import { ok } from '../../support/envelope';

const WAIT = { timeout: 30_000, interval: 50 };
const P = 'training-procedure';

let sandbox: TrainingSandbox;
let core: Core;
let dataDir: string;

const procedure = PROCEDURES.find((p) => p.key === 'xacNhanHonNhan');
if (!procedure) throw new Error('the sandbox catalogue lost "xacNhanHonNhan"');

/** A citizen the sandbox has never seen (province 001, female born 1990). */
const ACTION: DossierRegisterAction = {
  kind: 'dossier.register',
  procedureCode: procedure.code,
  applicantName: 'Đặng Thị Hồng Nhung',
  idNumber: '001190765432',
  birthDate: '1990-03-14',
  sex: 'female',
  address: 'Số 7 ngõ 12 phố Ngọc Hà, phường Ngọc Hà, Hà Nội',
  phone: '0983 456 789',
  summary: 'Cấp Giấy xác nhận tình trạng hôn nhân để đăng ký kết hôn',
};

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 616, days: 5, streamIntervalMs: 0, mail: false });
  dataDir = mkdtempSync(join(tmpdir(), 'cw-register-it-'));
  core = await createCore({
    dataDir,
    config: trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 600_000 }),
    backoff: { baseMs: 50, maxMs: 200 },
  });
  core.start();
  await vi.waitFor(async () => {
    const statuses = ok<BackendStatus[]>(await core.handle('backends.list', {}));
    expect(statuses.every((b) => b.state === 'online' && b.lastSyncAt !== null)).toBe(true);
  }, WAIT);
}, 60_000);

afterAll(async () => {
  await core?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function withId(id: string): ReturnType<TrainingSandbox['dossiers']> {
  return sandbox.dossiers().filter((d) => d.SoGiayToChuHoSo === id);
}

describe('dossier.register against the sandbox', () => {
  it('lists the sandbox catalogue for the picker', async () => {
    const out = ok<{ procedures: { backendId: string; code: string; name: string }[] }>(await core.handle('procedures.list', {}));
    expect(out.procedures).toHaveLength(PROCEDURES.length);
    expect(out.procedures).toContainEqual(expect.objectContaining({ backendId: P, code: procedure.code, name: procedure.name }));
  });

  let entry: OutboxEntry;
  let code = '';

  it('creates exactly one dossier at the counter, lands it in the cache and on the citizen view', async () => {
    const before = sandbox.dossiers().length;
    expect(withId(ACTION.idNumber)).toHaveLength(0);
    entry = ok<OutboxEntry>(await core.handle('dossier.register', { backendId: P, action: ACTION }));
    expect(entry.itemId).toMatch(new RegExp(`^${P}:new:[0-9a-f-]{36}$`));
    expect(['pending', 'sending', 'done']).toContain(entry.state);

    await vi.waitFor(async () => {
      const now = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { itemId: entry.itemId }));
      expect(now.entries[0]?.state).toBe('done');
    }, WAIT);

    // The sandbox holds exactly one new dossier, with the applicant's fields.
    expect(sandbox.dossiers()).toHaveLength(before + 1);
    const created = withId(ACTION.idNumber);
    expect(created).toHaveLength(1);
    const d = created[0];
    if (!d) throw new Error('unreachable');
    code = d.MaHoSo;
    expect(code).toMatch(new RegExp(`^${UNIT_CODE.replaceAll('.', '\\.')}-\\d{6}-\\d{4}$`));
    expect(d).toMatchObject({
      MaTTHC: procedure.code,
      TenTTHC: procedure.name,
      ChuHoSo: ACTION.applicantName,
      SoGiayToChuHoSo: ACTION.idNumber,
      DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: ACTION.idNumber }],
      SoDienThoai: '0983456789',
      DiaChiChuHoSo: ACTION.address,
      TrichYeuHoSo: ACTION.summary,
      TrangThaiHoSo: '2',
      KenhThucHien: 1,
      LoaiDoiTuong: 1,
      NguoiXuLyHienTai: { TenDangNhap: 'canbo.lan' },
    });
    expect(d.NgayTiepNhan).toBe(d.NgayNopHoSo);
    const received = parseVnTimestamp(d.NgayTiepNhan);
    if (received === null) throw new Error(`bad NgayTiepNhan ${d.NgayTiepNhan}`);
    expect(Math.abs(received - Date.now())).toBeLessThan(120_000);
    // YYMMDD of the code is the day of receipt (Vietnam time).
    expect(code.split('-')[1]).toBe(d.NgayTiepNhan.slice(2, 8));
    // NgayHenTra: 3 working days on the sandbox calendar (the generator's deadline engine).
    expect(parseVnTimestamp(d.NgayHenTra)).toBe(computeDue(defaultCalendar(), { receivedAt: received, duration: { hours: procedure.hours, unit: procedure.unit } }));
    expect(sandbox.actionLog().filter((a) => a.action === 'dossier.register')).toHaveLength(1);

    // The cache has it as its own item (the record returned by the adapter); the entry points at it.
    const item = ok<{ item: WorkItem }>(await core.handle('item.get', { id: `${P}:${code}` })).item;
    expect(item).toMatchObject({ source: 'procedure', ref: code, status: '2', party: ACTION.applicantName });
    // The stand-in never became a cache item: no ghost in the queue.
    const ghost = await core.handle('item.get', { id: entry.itemId });
    expect(ghost.ok).toBe(false);
    const queue = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { q: ACTION.idNumber }, limit: 50 }));
    expect(queue.items.map((i) => i.id)).toEqual([`${P}:${code}`]);

    // The citizen view by that CCCD lists it.
    const view = ok<CitizenView>(await core.handle('citizen.view', { idNumber: ACTION.idNumber }));
    expect(view.timeline.map((e) => e.item.ref)).toContain(code);
    expect(view.citizen?.fullName).toBe(ACTION.applicantName);

    // Audited as the official's action.
    const audit = ok<{ entries: { kind: string; summary: string; data: Record<string, unknown> }[] }>(await core.handle('audit.list', { limit: 200 }));
    expect(audit.entries.some((e) => e.kind === 'action' && e.summary.startsWith('Tiếp nhận hồ sơ mới') && e.data['outboxId'] === entry.id)).toBe(true);
  });

  it('the same entry resent after a crash (same Idempotency-Key) creates no second dossier', async () => {
    expect(code).not.toBe('');
    const before = sandbox.dossiers().length;
    // A fresh adapter, as a restarted core would have: recoverInterrupted resends with the entry id as key.
    const adapter = new ProcedureAdapter({ id: P, label: 'x', baseUrl: sandbox.procedureUrl, username: 'canbo.lan', password: 'training' });
    try {
      const again = await adapter.perform(entry.itemId.slice(P.length + 1), ACTION, { idempotencyKey: entry.id, baseUpdatedAt: null, actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' } });
      expect(again.outcome).toBe('applied');
      if (again.outcome === 'applied') expect(again.record.externalId).toBe(code);
    } finally {
      await adapter.close();
    }
    expect(sandbox.dossiers()).toHaveLength(before);
    expect(withId(ACTION.idNumber)).toHaveLength(1);
    expect(sandbox.deliveries(entry.id)).toBe(2);
  });

  it('refuses invalid input in Vietnamese, queues and sends nothing', async () => {
    const before = sandbox.dossiers().length;
    const count = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', {})).entries.length;
    const bad: Array<[Partial<DossierRegisterAction>, RegExp]> = [
      [{ idNumber: '12345' }, /CCCD 12 chữ số hợp lệ hoặc CMND 9 chữ số/],
      [{ idNumber: '999190765432' }, /CCCD 12 chữ số hợp lệ/],
      [{ sex: 'male' }, /Giới tính không khớp với số CCCD/],
      [{ birthDate: '1990-02-30' }, /Ngày sinh không phải ngày có thật/],
      [{ phone: '12345' }, /Số điện thoại/],
      [{ procedureCode: '' }, /Chưa chọn thủ tục/],
    ];
    for (const [patch, message] of bad) {
      const res: Envelope<unknown> = await core.handle('dossier.register', { backendId: P, action: { ...ACTION, ...patch } });
      expect(res.ok, JSON.stringify(patch)).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('invalid_input');
        expect([res.error.message, ...(res.error.details ?? [])].join(' ')).toMatch(message);
      }
    }
    // Not a procedure backend that takes dossiers.
    const wrong = await core.handle('dossier.register', { backendId: 'training-document', action: ACTION });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toMatch(/không phải hệ thống một cửa điện tử/);
    // Never legal as an action on an existing item.
    const item = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { sources: ['procedure'] }, limit: 1 })).items[0];
    if (!item) throw new Error('no dossier in the cache');
    const onItem = await core.handle('action.submit', { itemId: item.id, action: ACTION, baseUpdatedAt: item.updatedAt });
    expect(onItem.ok).toBe(false);
    expect(ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', {})).entries).toHaveLength(count);
    expect(sandbox.dossiers()).toHaveLength(before);
  });

  it('an unknown procedure code is refused by the backend with its Vietnamese message', async () => {
    const before = sandbox.dossiers().length;
    const e = ok<OutboxEntry>(await core.handle('dossier.register', { backendId: P, action: { ...ACTION, idNumber: '001190765433', procedureCode: '9.999999.000.00.00.H26' } }));
    await vi.waitFor(async () => {
      const now = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { itemId: e.itemId }));
      expect(now.entries[0]?.state).toBe('needs_attention');
      expect(now.entries[0]?.lastError?.message).toMatch(/Thủ tục mã 9\.999999\.000\.00\.00\.H26 không có trong danh mục/);
    }, WAIT);
    expect(sandbox.dossiers()).toHaveLength(before);
  });

  it('the sandbox checks DongBoHoSoMC over HTTP: key required, body validated, isUpdating true refused', async () => {
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ error_code: string; message: string }> => {
      const res = await fetch(new URL(path, sandbox.procedureUrl), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return (await res.json()) as { error_code: string; message: string };
    };
    const login = (await post('/api/DangNhap', { TenDangNhap: 'canbo.lan', MatKhau: 'training' })) as { error_code: string; session?: string };
    expect(login.error_code).toBe('0');
    const session = login.session ?? '';
    const hoSo = { MaTTHC: procedure.code, ChuHoSo: 'Lê Văn Tám', SoGiayToChuHoSo: '001085123456', DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: '001085123456' }], NgaySinhChuHoSo: '19850101', GioiTinh: 1, DiaChiChuHoSo: 'Số 1 phố Đội Cấn, Hà Nội', SoDienThoai: '', TrichYeuHoSo: 'Xác nhận tình trạng hôn nhân', KenhThucHien: 1, LoaiDoiTuong: 1 };
    const before = sandbox.dossiers().length;
    expect(await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: hoSo }, { session })).toMatchObject({ error_code: '3', message: expect.stringMatching(/Idempotency-Key/) });
    expect(await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: hoSo }, { session: 'nope', 'idempotency-key': 'k-0' })).toMatchObject({ error_code: '2' });
    expect(await post('/api/DongBoHoSoMC', { isUpdating: true, HoSo: hoSo }, { session, 'idempotency-key': 'k-1' })).toMatchObject({ error_code: '3', message: expect.stringMatching(/isUpdating = false/) });
    const badId = await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: { ...hoSo, DinhDanhCHS: [{ LoaiDinhDanh: 2, SoDinhDanh: '001085123456' }] } }, { session, 'idempotency-key': 'k-2' });
    expect(badId).toMatchObject({ error_code: '3', message: expect.stringMatching(/LoaiDinhDanh/) });
    const badDate = await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: { ...hoSo, NgaySinhChuHoSo: '19850231' } }, { session, 'idempotency-key': 'k-3' });
    expect(badDate).toMatchObject({ error_code: '3', message: expect.stringMatching(/NgaySinhChuHoSo/) });
    expect(sandbox.dossiers()).toHaveLength(before);
    // A stored refusal stays the answer of its key.
    expect(await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: hoSo }, { session, 'idempotency-key': 'k-3' })).toEqual(badDate);
    const created = await post('/api/DongBoHoSoMC', { isUpdating: false, HoSo: hoSo }, { session, 'idempotency-key': 'k-4' });
    expect(created.error_code).toBe('0');
    expect(sandbox.dossiers()).toHaveLength(before + 1);
  });
});
