/**
 * Issue #6 "declare once", end to end under Node: `dossier.register` through the real core (temp
 * SQLite cache, outbox, runner) → the procedure adapter → the training sandbox over HTTP
 * (`POST /api/DongBoHoSoMC`). Checked against the sandbox's own ground truth: exactly one new dossier
 * with the applicant's fields, code `<unit>-<YYMMDD>-<4 digits>`, received at the counter with the
 * due date from the procedure's duration on the sandbox calendar; the cache and the citizen view have
 * it; resending the same entry (the same Idempotency-Key, as after a crash) creates nothing more;
 * invalid input is refused with a Vietnamese message and nothing is queued or sent. The new dossier
 * carries the papers handed in (TaiLieuNop) and its fees (DanhSachLePhi) both ways.
 * The supplement (issue #6): `dossier.supplementReceived` with the papers received and the corrected
 * applicant on a status-5 dossier → CapNhatTienDoHoSoMC: status 4, NgayTiepNhanBoSung, the papers in
 * TaiLieuNop, the applicant's new details — on the sandbox and in the cache; sent exactly once while the
 * outbox retries an unreadable answer; invalid papers or applicant refused in Vietnamese, nothing queued.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
import type { DossierAction, DossierRegisterAction, StagedAttachment } from '../../../src/shared/actions';
import type { BackendStatus, Envelope, OutboxEntry } from '../../../src/shared/api';
import type { CitizenView } from '../../../src/shared/citizen';
import type { DossierDetail, WorkItem } from '../../../src/shared/work-item';
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
  papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', 'Bản sao Căn cước công dân'],
  fees: [{ name: 'Lệ phí cấp Giấy xác nhận tình trạng hôn nhân', amount: 15_000, paid: true }],
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

/** One full sync of the procedure backend (what the next poll would read). */
async function syncOnce(): Promise<void> {
  const before = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === P)?.lastSyncAt ?? 0;
  ok(await core.handle('sync.now', { backendId: P }));
  await vi.waitFor(async () => {
    const now = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === P)?.lastSyncAt ?? 0;
    expect(now).toBeGreaterThan(before);
  }, WAIT);
}

async function waitDone(entry: OutboxEntry): Promise<OutboxEntry> {
  let last: OutboxEntry | undefined;
  await vi.waitFor(async () => {
    last = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { itemId: entry.itemId, limit: 50 })).entries.find((e) => e.id === entry.id);
    expect(last?.state).toBe('done');
  }, WAIT);
  if (!last) throw new Error('unreachable');
  return last;
}

function withId(id: string): ReturnType<TrainingSandbox['dossiers']> {
  return sandbox.dossiers().filter((d) => d.SoGiayToChuHoSo === id);
}

describe('dossier.register against the sandbox', () => {
  it('lists the sandbox catalogue for the picker, with component papers and fees', async () => {
    const out = ok<{ procedures: { backendId: string; code: string; name: string; papers: string[]; fees: { name: string; amount: number }[] }[] }>(
      await core.handle('procedures.list', {}),
    );
    expect(out.procedures).toHaveLength(PROCEDURES.length);
    expect(out.procedures).toContainEqual(
      expect.objectContaining({ backendId: P, code: procedure.code, name: procedure.name, papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân'], fees: [] }),
    );
    const chuKy = PROCEDURES.find((p) => p.key === 'chuKy');
    expect(out.procedures.find((p) => p.code === chuKy?.code)).toMatchObject({
      papers: ['Giấy tờ, văn bản cần chứng thực chữ ký', 'Căn cước công dân'],
      fees: [{ name: 'Phí chứng thực chữ ký', amount: 10_000 }],
    });
  });

  it('offers the catalogue last read, marked with its time, while the procedure system answers only errors', async () => {
    const before = Date.now();
    const live = ok<{ procedures: { code: string }[]; stale: unknown[] }>(await core.handle('procedures.list', {}));
    expect(live.stale).toEqual([]);
    sandbox.setFaults({ errorRate: 1 }, 'procedure');
    try {
      const kept = ok<{ procedures: { backendId: string; code: string; papers: string[] }[]; stale: { backendId: string; fetchedAt: number | null; reason: string }[] }>(
        await core.handle('procedures.list', {}),
      );
      expect(kept.procedures.map((p) => p.code)).toEqual(live.procedures.map((p) => p.code));
      expect(kept.procedures.find((p) => p.code === procedure.code)?.papers).toEqual(['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân']);
      expect(kept.stale).toHaveLength(1);
      expect(kept.stale[0]).toMatchObject({ backendId: P });
      expect(kept.stale[0]?.fetchedAt).toBeGreaterThanOrEqual(before);
      expect(kept.stale[0]?.reason).not.toBe('');
    } finally {
      sandbox.setFaults({ errorRate: 0 }, 'procedure');
    }
  }, 60_000);

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
      DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí cấp Giấy xác nhận tình trạng hôn nhân', MucPhi: 15_000, DaThanhToan: true }],
    });
    // Exactly the papers handed in, named, no file behind them.
    expect(d.TaiLieuNop.map((f) => f.TenTepDinhKem)).toEqual(ACTION.papers);
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
    // …with its papers and fees as the backend answered (and as the next sync reads them).
    await syncOnce();
    const detail = ok<{ detail: DossierDetail }>(await core.handle('item.get', { id: `${P}:${code}` })).detail;
    expect(detail.files.map((f) => f.name)).toEqual(ACTION.papers);
    expect(detail.fees).toEqual([{ name: 'Lệ phí cấp Giấy xác nhận tình trạng hôn nhân', amount: 15_000, paid: true }]);
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

  it('carries scanned papers: staged, sent with their content once, listed with their size; the outbox folder is cleared', async () => {
    // A small PDF-like scan and a JPEG-like one, with bytes of every value.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256))]);
    const jpg = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7) % 256));
    const stage = async (filename: string, contentType: string, data: Buffer): Promise<StagedAttachment> =>
      ok<StagedAttachment>(await core.handle('mail.stageAttachment', { filename, contentType, dataBase64: data.toString('base64') }));
    const files = [await stage('To khai ket hon.pdf', 'application/pdf', pdf), await stage('CCCD mặt trước.jpg', 'image/jpeg', jpg)];
    const action: DossierRegisterAction = { ...ACTION, idNumber: '001190765433', applicantName: 'Đặng Thị Hồng Nhi', papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân'], files };
    const sent = ok<OutboxEntry>(await core.handle('dossier.register', { backendId: P, action }));
    const folder = join(dataDir, 'outbox-files', sent.id);
    await vi.waitFor(async () => {
      const now = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { itemId: sent.itemId }));
      expect(now.entries[0]?.state).toBe('done');
    }, WAIT);
    const created = withId(action.idNumber);
    expect(created).toHaveLength(1);
    const d = created[0];
    if (!d) throw new Error('unreachable');
    expect(d.TaiLieuNop.map((f) => [f.TenTepDinhKem, f.KichThuoc ?? null])).toEqual([
      ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', null],
      ['To khai ket hon.pdf', pdf.length],
      ['CCCD mặt trước.jpg', jpg.length],
    ]);
    // The backend received the very bytes.
    const record = sandbox.dossierRecords().find((r) => r.code === d.MaHoSo);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(record?.papers?.map((p) => p.sha256 ?? null)).toEqual([null, sha(pdf), sha(jpg)]);
    // The cache lists them with their sizes; the entry's folder is gone once done.
    await syncOnce();
    const detail = ok<{ detail: DossierDetail }>(await core.handle('item.get', { id: `${P}:${d.MaHoSo}` })).detail;
    expect(detail.files.map((f) => [f.name, f.size])).toEqual([
      ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', null],
      ['To khai ket hon.pdf', pdf.length],
      ['CCCD mặt trước.jpg', jpg.length],
    ]);
    await vi.waitFor(() => expect(existsSync(folder)).toBe(false), WAIT);
  });

  it('refuses scanned papers over the limits in Vietnamese, and a staged file that is gone', async () => {
    const registers = async (): Promise<number> =>
      ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { limit: 500 })).entries.filter((e) => e.action.kind === 'dossier.register').length;
    const queuedBefore = await registers();
    const sentBefore = sandbox.actionLog().filter((a) => a.action === 'dossier.register').length;
    const big = { id: '00000000-0000-4000-8000-000000000001', filename: 'scan.pdf', contentType: 'application/pdf', size: 6 * 1024 * 1024 };
    const tooBig = await core.handle('dossier.register', { backendId: P, action: { ...ACTION, files: [big] } });
    expect(tooBig.ok).toBe(false);
    expect(JSON.stringify(tooBig)).toContain('Mỗi tệp đính kèm tối đa 5 MB');
    const many = Array.from({ length: 3 }, (_, i) => ({ ...big, id: `00000000-0000-4000-8000-00000000001${i}`, size: 4 * 1024 * 1024 }));
    const tooMuch = await core.handle('dossier.register', { backendId: P, action: { ...ACTION, files: many } });
    expect(JSON.stringify(tooMuch)).toContain('Tổng dung lượng tệp đính kèm tối đa 10 MB');
    // Never staged (or already swept): refused before anything is queued.
    const missing = await core.handle('dossier.register', { backendId: P, action: { ...ACTION, files: [{ ...big, size: 1000 }] } });
    expect(missing.ok).toBe(false);
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // Nothing queued, nothing reached the backend.
    expect(await registers()).toBe(queuedBefore);
    expect(sandbox.actionLog().filter((a) => a.action === 'dossier.register')).toHaveLength(sentBefore);
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
      [{ papers: ['x'] }, /Tên giấy tờ quá ngắn/],
      [{ fees: [{ name: 'Lệ phí', amount: -5, paid: false }] }, /Mức phí không được âm/],
      [{ fees: [{ name: 'Lệ phí', amount: 1.5, paid: false }] }, /số đồng nguyên/],
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

describe('dossier.supplementReceived with papers and a corrected applicant (issue #6)', () => {
  /** A man born 1985 in Hà Nội the sandbox has never seen; his dossier is asked for papers (status 5). */
  const PERSON = { applicantName: 'Trần Văn Bình', idNumber: '001085123457', birthDate: '1985-07-02', sex: 'male' as const };
  const PAPERS = ['Giấy tờ chứng minh nơi cư trú', 'Bản sao Giấy chứng nhận kết hôn của cha mẹ'];
  let itemId = '';
  let code = '';

  const submit = async (action: DossierAction): Promise<OutboxEntry> => {
    const item = ok<{ item: WorkItem }>(await core.handle('item.get', { id: itemId })).item;
    return ok<OutboxEntry>(await core.handle('action.submit', { itemId, action, baseUpdatedAt: item.updatedAt }));
  };
  const onSandbox = (): ReturnType<TrainingSandbox['dossiers']>[number] => {
    const d = sandbox.dossiers().find((x) => x.MaHoSo === code);
    if (!d) throw new Error(`the sandbox lost ${code}`);
    return d;
  };
  const requestSupplement = async (): Promise<void> => {
    await waitDone(await submit({ kind: 'dossier.requestSupplement', missing: 'Bổ sung giấy tờ chứng minh nơi cư trú' }));
    expect(onSandbox().TrangThaiHoSo).toBe('5');
  };

  beforeAll(async () => {
    const e = ok<OutboxEntry>(
      await core.handle('dossier.register', { backendId: P, action: { ...ACTION, ...PERSON, papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân'], fees: [] } }),
    );
    await waitDone(e);
    const created = withId(PERSON.idNumber);
    expect(created).toHaveLength(1);
    code = created[0]?.MaHoSo ?? '';
    itemId = `${P}:${code}`;
    await requestSupplement();
  }, 60_000);

  it('records the papers and the corrected applicant once while the outbox retries; status 4, synced back', async () => {
    const before = onSandbox();
    expect(before.TaiLieuNop.map((f) => f.TenTepDinhKem)).toEqual(['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân']);
    const applicant = { fullName: 'Trần Văn Bính', idNumber: PERSON.idNumber, birthDate: PERSON.birthDate, sex: 'male' as const, address: 'Số 15 ngõ 40 phố Đội Cấn, phường Ngọc Hà, Hà Nội', phone: '0912 345 678' };
    // Every answer unreadable: the action lands on the first delivery, the outbox retries with the same key.
    sandbox.setFaults({ malformedRate: 1 }, 'procedure');
    let entry: OutboxEntry;
    try {
      entry = await submit({ kind: 'dossier.supplementReceived', papers: PAPERS, applicant, note: 'Công dân nộp bổ sung tại quầy' });
      await vi.waitFor(() => expect(sandbox.deliveries(entry.id)).toBeGreaterThanOrEqual(2), WAIT);
    } finally {
      sandbox.setFaults({ malformedRate: 0 }, 'procedure');
    }
    await waitDone(entry);

    // The sandbox's ground truth: one supplement step, the papers once, the applicant corrected.
    const d = onSandbox();
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.TaiLieuNop.map((f) => f.TenTepDinhKem)).toEqual(['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', ...PAPERS]);
    expect(d.QuaTrinhXuLy.filter((s) => s.NoiDungXuLy.startsWith('Tiếp nhận hồ sơ bổ sung'))).toHaveLength(1);
    expect(d.QuaTrinhXuLy.at(-1)?.NoiDungXuLy).toBe(`Tiếp nhận hồ sơ bổ sung: ${PAPERS.join('; ')}. Cập nhật thông tin người nộp. Công dân nộp bổ sung tại quầy`);
    expect(d.QuaTrinhXuLy).toHaveLength(before.QuaTrinhXuLy.length + 1);
    const supplement = d.DanhSachHoSoBoSung.at(-1);
    expect(supplement?.NgayTiepNhanBoSung).toMatch(/^\d{14}$/);
    expect(supplement?.NgayHenTraMoi).toMatch(/^\d{14}$/);
    expect(d).toMatchObject({ ChuHoSo: 'Trần Văn Bính', DiaChiChuHoSo: applicant.address, SoDienThoai: '0912345678', SoGiayToChuHoSo: PERSON.idNumber });
    expect(sandbox.actionLog().filter((a) => a.id === code && a.action === 'dossier.supplementReceived')).toHaveLength(1);
    expect(sandbox.deliveries(entry.id)).toBeGreaterThanOrEqual(2);

    // The cache, after a full sync: status 4, the papers, the corrected applicant, the supplement closed.
    await syncOnce();
    const got = ok<{ item: WorkItem; detail: DossierDetail }>(await core.handle('item.get', { id: itemId }));
    expect(got.item).toMatchObject({ status: '4', party: 'Trần Văn Bính' });
    expect(got.detail.files.map((f) => f.name)).toEqual(['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', ...PAPERS]);
    expect(got.detail).toMatchObject({ applicant: 'Trần Văn Bính', address: applicant.address, phone: '0912345678' });
    expect(got.detail.supplements.at(-1)?.receivedAt).not.toBeNull();
    const view = ok<CitizenView>(await core.handle('citizen.view', { idNumber: PERSON.idNumber }));
    expect(view.timeline.find((e) => e.item.ref === code)?.item.status).toBe('4');
  });

  it('the supplement from the action bar, without papers, still works and adds no paper', async () => {
    await requestSupplement();
    const papersBefore = onSandbox().TaiLieuNop.length;
    await waitDone(await submit({ kind: 'dossier.supplementReceived', note: 'Đã nhận đủ' }));
    const d = onSandbox();
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.TaiLieuNop).toHaveLength(papersBefore);
    expect(d.QuaTrinhXuLy.at(-1)?.NoiDungXuLy).toBe('Tiếp nhận hồ sơ bổ sung. Đã nhận đủ');
  });

  it('a supplement with a scanned paper: its bytes reach the backend once, the outbox folder is cleared', async () => {
    await requestSupplement();
    const scan = Buffer.from(Array.from({ length: 48_000 }, (_, i) => (i * 13) % 256));
    const staged = ok<StagedAttachment>(await core.handle('mail.stageAttachment', { filename: 'Xac nhan cu tru.jpg', contentType: 'image/jpeg', dataBase64: scan.toString('base64') }));
    const papersBefore = onSandbox().TaiLieuNop.length;
    const entry = await submit({ kind: 'dossier.supplementReceived', files: [staged] });
    await waitDone(entry);
    const d = onSandbox();
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.TaiLieuNop.slice(papersBefore).map((f) => [f.TenTepDinhKem, f.KichThuoc ?? null])).toEqual([['Xac nhan cu tru.jpg', scan.length]]);
    const record = sandbox.dossierRecords().find((r) => r.code === code);
    expect(record?.supplementPapers?.at(-1)?.sha256).toBe(createHash('sha256').update(scan).digest('hex'));
    expect(sandbox.actionLog().filter((a) => a.key === entry.id)).toHaveLength(1);
    await vi.waitFor(() => expect(existsSync(join(dataDir, 'outbox-files', entry.id))).toBe(false), WAIT);
  });

  it('refuses bad papers or applicant details in Vietnamese, queues and sends nothing', async () => {
    await requestSupplement();
    const count = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { limit: 500 })).entries.length;
    const steps = onSandbox().QuaTrinhXuLy.length;
    const applicant = { fullName: 'Trần Văn Bình', idNumber: PERSON.idNumber, birthDate: PERSON.birthDate, sex: 'male' as const, address: 'Số 1 phố Đội Cấn', phone: '' };
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ papers: ['x'] }, /Tên giấy tờ quá ngắn/],
      [{ papers: Array.from({ length: 31 }, (_, i) => `Giấy tờ số ${i + 1}`) }, /Tối đa 30 giấy tờ/],
      [{ papers: PAPERS, applicant: { ...applicant, sex: 'female' } }, /Giới tính không khớp với số CCCD/],
      [{ papers: PAPERS, applicant: { ...applicant, birthDate: '1990-07-02' } }, /Năm sinh không khớp với số CCCD/],
      [{ papers: PAPERS, applicant: { ...applicant, phone: '123' } }, /Số điện thoại/],
      [{ papers: PAPERS, applicant: { ...applicant, idNumber: '12345' } }, /CCCD 12 chữ số hợp lệ hoặc CMND 9 chữ số/],
    ];
    const item = ok<{ item: WorkItem }>(await core.handle('item.get', { id: itemId })).item;
    for (const [patch, message] of bad) {
      const res: Envelope<unknown> = await core.handle('action.submit', { itemId, action: { kind: 'dossier.supplementReceived', ...patch }, baseUpdatedAt: item.updatedAt });
      expect(res.ok, JSON.stringify(patch)).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('invalid_input');
        expect([res.error.message, ...(res.error.details ?? [])].join(' ')).toMatch(message);
      }
    }
    expect(ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { limit: 500 })).entries).toHaveLength(count);
    expect(onSandbox().QuaTrinhXuLy).toHaveLength(steps);
    expect(onSandbox().TrangThaiHoSo).toBe('5');
  });

  it('the sandbox checks the papers and applicant of a supplement over HTTP', async () => {
    const post = async (body: unknown, key: string): Promise<{ error_code: string; message: string }> => {
      const login = (await (await fetch(new URL('/api/DangNhap', sandbox.procedureUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ TenDangNhap: 'canbo.lan', MatKhau: 'training' }) })).json()) as { session: string };
      const res = await fetch(new URL('/api/CapNhatTienDoHoSoMC', sandbox.procedureUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', session: login.session, 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { error_code: string; message: string };
    };
    const who = { ChuHoSo: 'Trần Văn Bình', SoGiayToChuHoSo: PERSON.idNumber, DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: PERSON.idNumber }], NgaySinhChuHoSo: '19850702', GioiTinh: 1, DiaChiChuHoSo: 'Số 1 phố Đội Cấn', SoDienThoai: '' };
    const steps = onSandbox().QuaTrinhXuLy.length;
    expect(await post({ MaHoSo: code, HanhDong: 'forward', NguoiNhan: 'canbo.lan', TaiLieuBoSung: [{ TenTepDinhKem: 'Giấy tờ' }] }, 's-1')).toMatchObject({
      error_code: '3',
      message: expect.stringMatching(/TaiLieuBoSung: chỉ dùng với HanhDong supplementReceived/),
    });
    expect(await post({ MaHoSo: code, HanhDong: 'supplementReceived', ThongTinChuHoSo: { ...who, GioiTinh: 2 } }, 's-2')).toMatchObject({
      error_code: '3',
      message: expect.stringMatching(/ThongTinChuHoSo\.GioiTinh: giới tính không khớp với số CCCD/),
    });
    expect(await post({ MaHoSo: code, HanhDong: 'supplementReceived', TaiLieuBoSung: [{ TenTepDinhKem: '' }] }, 's-3')).toMatchObject({ error_code: '3' });
    expect(onSandbox().QuaTrinhXuLy).toHaveLength(steps);
    // A correct one applies once; the same key again answers the same and changes nothing.
    const first = await post({ MaHoSo: code, HanhDong: 'supplementReceived', TaiLieuBoSung: [{ TenTepDinhKem: 'Đơn đề nghị' }], ThongTinChuHoSo: who }, 's-4');
    expect(first.error_code).toBe('0');
    expect(await post({ MaHoSo: code, HanhDong: 'supplementReceived', TaiLieuBoSung: [{ TenTepDinhKem: 'Đơn đề nghị' }], ThongTinChuHoSo: who }, 's-4')).toEqual(first);
    expect(onSandbox().QuaTrinhXuLy).toHaveLength(steps + 1);
    expect(onSandbox().TaiLieuNop.filter((f) => f.TenTepDinhKem === 'Đơn đề nghị')).toHaveLength(1);
    expect(onSandbox()).toMatchObject({ TrangThaiHoSo: '4', ChuHoSo: 'Trần Văn Bình' });
  });
});
