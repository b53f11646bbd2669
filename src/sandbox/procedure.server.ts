/**
 * Simulated administrative-procedure system (DVCQG-style JSON API, docs/backend-protocols.md §1):
 * DangNhap, LayDanhSachHoSo (keyset by NgayCapNhat, MaHoSo), TraCuuHoSo, LayDanhSachTTHC,
 * CapNhatTienDoHoSoMC (actions) and DongBoHoSoMC (new dossiers at the counter, issue #6; §4a).
 * Application outcomes are HTTP 200 with `error_code`; simulated transport faults are HTTP 5xx.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Official } from './commune-data';
import { PROCEDURES, officialByUsername, toDossierJson, toProcedureJson, type Citizen, type DossierJson, type DossierRecord } from './data-generator';
import { DossierActionBodySchema, ScannedPapersWireSchema, applicantWireFields, paperDigest, applyDossierAction, checkApplicantWire, checkDossierAction, dossierKindOf, vnDisplay } from './dossier-actions';
import { IDEMPOTENCY_KEY_PATTERN, IdempotencyStore, idempotencyKeyOf } from './idempotency';
import { BadBodyError, SandboxHttpServer, json, parseJsonBody, type FaultInjector, type Reply, type RequestContext } from './http-kit';
import type { SandboxWorld } from './sandbox-world';
import { formatVnTimestamp, parseVnTimestamp } from './vn-time';

export interface ProcedureServerOptions {
  world: SandboxWorld;
  clock: () => number;
  seed: number;
  credentials: { username: string; password: string };
  sessionTtlMs: number;
  /** Called by POST /__sandbox/emit. */
  emit: (count: number) => string[];
}

const LoginSchema = z.object({ TenDangNhap: z.string().min(1).max(200), MatKhau: z.string().max(200) });
const ListSchema = z.object({
  TuThoiDiem: z.string().regex(/^(\d{14})?$/, 'TuThoiDiem must be yyyyMMddHHmmss or ""').default(''),
  SauMaHoSo: z.string().max(200).default(''),
  SoLuong: z.number().int().min(1).max(1000),
});
const LookupSchema = z.object({ MaHoSo: z.string().min(1).max(200) });
const CatalogueSchema = z.object({});

const OK = { error_code: '0', message: 'Thành công' } as const;
const ACTION_PATH = '/api/CapNhatTienDoHoSoMC';
/** Issue #6: DongBoHoSoMC, upsert of dossiers; the sandbox creates (isUpdating false) one dossier per call. */
const REGISTER_PATH = '/api/DongBoHoSoMC';

const regText = (max: number): z.ZodString => z.string().trim().min(1).max(max);
/**
 * DongBoHoSoMC body: `{ isUpdating: false, NguoiXuLy?, HoSo: {...} }` — one dossier received at the
 * counter by a citizen (KenhThucHien 1, LoaiDoiTuong 1). NgaySinhChuHoSo yyyyMMdd, GioiTinh 1 nam / 2 nữ;
 * optional TaiLieuNop (the papers handed in) and DanhSachLePhi (absent = the catalogue fee).
 */
export const RegisterBodySchema = z.object({
  isUpdating: z.boolean(),
  NguoiXuLy: regText(100).optional(),
  HoSo: z
    .object({
      MaTTHC: regText(100),
      ...applicantWireFields,
      Email: z.string().trim().max(320).optional(),
      TrichYeuHoSo: regText(1000),
      KenhThucHien: z.literal(1),
      LoaiDoiTuong: z.literal(1),
      TaiLieuNop: ScannedPapersWireSchema.optional(),
      DanhSachLePhi: z.array(z.object({ TenPhiLePhi: regText(300), MucPhi: z.number().int().min(0).max(1_000_000_000), DaThanhToan: z.boolean() })).max(20).optional(),
    })
    .superRefine((h, ctx) => checkApplicantWire(h, ctx)),
});

/** Ways a dossier is corrupted when the malformed fault fires. */
export const DOSSIER_CORRUPTIONS = ['missing_MaHoSo', 'bad_status', 'bad_date', 'wrong_type', 'missing_NgayCapNhat'] as const;
export type DossierCorruption = (typeof DOSSIER_CORRUPTIONS)[number];
/** Corruptions that leave the record usable as a paging cursor (allowed on a page's last item). */
const CURSOR_SAFE: readonly DossierCorruption[] = ['bad_status', 'bad_date', 'wrong_type'];

export function corruptDossier(d: DossierJson, kind: DossierCorruption): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...d };
  switch (kind) {
    case 'missing_MaHoSo':
      delete copy.MaHoSo;
      break;
    case 'bad_status':
      copy.TrangThaiHoSo = '99';
      break;
    case 'bad_date':
      copy.NgayHenTra = 'not-a-date';
      break;
    case 'wrong_type':
      copy.KenhThucHien = 'qua mạng';
      copy.QuaTrinhXuLy = 'không có';
      break;
    case 'missing_NgayCapNhat':
      delete copy.NgayCapNhat;
      break;
  }
  return copy;
}

export class ProcedureServer {
  readonly http: SandboxHttpServer;
  private readonly sessions = new Map<string, { username: string; expiresAt: number }>();
  /** Idempotency-Key → final answer of CapNhatTienDoHoSoMC. */
  readonly idempotency: IdempotencyStore;

  constructor(private readonly opts: ProcedureServerOptions) {
    this.idempotency = new IdempotencyStore(opts.clock);
    this.http = new SandboxHttpServer('procedure', opts.seed ^ 0x51, {
      handle: (ctx) => this.handle(ctx),
      errorBody: () => ({ error_code: '500', message: 'Lỗi hệ thống (mô phỏng lỗi máy chủ)' }),
      state: () => {
        const c = opts.world.counts();
        return { total: c.dossiers, byStatus: c.dossiersByStatus, sessions: this.sessions.size, idempotencyKeys: this.idempotency.size, actions: opts.world.actions.filter((a) => a.system === 'procedure').length, now: formatVnTimestamp(opts.clock()) };
      },
      emit: (count) => opts.emit(count),
      isAction: (ctx) => ctx.method === 'POST' && (ctx.url.pathname === ACTION_PATH || ctx.url.pathname === REGISTER_PATH),
      onActionDelivery: (ctx) => {
        const key = idempotencyKeyOf(ctx.headers);
        if (key !== '') this.idempotency.countDelivery(key);
      },
    });
  }

  get faults(): FaultInjector {
    return this.http.faults;
  }

  /** Forget every session (clients must log in again). */
  dropSessions(): void {
    this.sessions.clear();
  }

  private handle(ctx: RequestContext): Reply {
    if (ctx.method !== 'POST') return json(404, { error_code: '404', message: `Không có dịch vụ ${ctx.method} ${ctx.url.pathname}` });
    if (ctx.url.pathname === ACTION_PATH) return this.authed(ctx, (username) => this.action(ctx, username));
    if (ctx.url.pathname === REGISTER_PATH) return this.authed(ctx, (username) => this.keyed(ctx, () => this.register(ctx, username)));
    let body: unknown;
    try {
      body = parseJsonBody(ctx);
    } catch (err) {
      if (err instanceof BadBodyError) return json(200, { error_code: '3', message: `Tham số không hợp lệ: ${err.message}` });
      throw err;
    }
    switch (ctx.url.pathname) {
      case '/api/DangNhap':
        return this.login(body);
      case '/api/LayDanhSachHoSo':
        return this.authed(ctx, () => this.list(body));
      case '/api/TraCuuHoSo':
        return this.authed(ctx, () => this.lookup(body));
      case '/api/LayDanhSachTTHC':
        return this.authed(ctx, () => this.catalogue(body));
      default:
        return json(404, { error_code: '404', message: `Không có dịch vụ ${ctx.url.pathname}` });
    }
  }

  private invalid(error: z.ZodError): Reply {
    const detail = error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return json(200, { error_code: '3', message: `Tham số không hợp lệ: ${detail}` });
  }

  private login(body: unknown): Reply {
    const parsed = LoginSchema.safeParse(body);
    if (!parsed.success) return this.invalid(parsed.error);
    const { TenDangNhap, MatKhau } = parsed.data;
    const { credentials } = this.opts;
    const knownUser = TenDangNhap === credentials.username || officialByUsername(TenDangNhap) !== undefined;
    if (!knownUser || MatKhau !== credentials.password) {
      return json(200, { error_code: '1', message: 'Tên đăng nhập hoặc mật khẩu không đúng' });
    }
    const token = randomBytes(24).toString('hex');
    const expiresAt = this.opts.clock() + this.opts.sessionTtlMs;
    this.sessions.set(token, { username: TenDangNhap, expiresAt });
    return json(200, { ...OK, session: token, HetHan: formatVnTimestamp(expiresAt) });
  }

  private authed(ctx: RequestContext, run: (username: string) => Reply): Reply {
    const header = ctx.headers.session;
    const token = Array.isArray(header) ? header[0] : header;
    const session = token ? this.sessions.get(token) : undefined;
    if (!token || !session) return json(200, { error_code: '2', message: 'Phiên làm việc không tồn tại hoặc đã hết hạn, vui lòng đăng nhập lại' });
    if (this.opts.clock() >= session.expiresAt) {
      this.sessions.delete(token);
      return json(200, { error_code: '2', message: 'Phiên làm việc đã hết hạn, vui lòng đăng nhập lại' });
    }
    return run(session.username);
  }

  /**
   * CapNhatTienDoHoSoMC: an action on a dossier (docs/backend-protocols.md §4). Order: session,
   * Idempotency-Key (missing → 3; known → the stored answer, nothing changes), body (3), dossier (404),
   * version (409 with the current dossier), legality (422), apply. Every answer after the key check is
   * final and stored under the key.
   */
  private action(ctx: RequestContext, sessionUser: string): Reply {
    const key = idempotencyKeyOf(ctx.headers);
    if (key === '') return json(200, { error_code: '3', message: 'Tham số không hợp lệ: thiếu header Idempotency-Key (bắt buộc với thao tác cập nhật hồ sơ)' });
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) return json(200, { error_code: '3', message: 'Tham số không hợp lệ: Idempotency-Key phải gồm 1–200 ký tự ASCII in được' });
    const stored = this.idempotency.get(key);
    if (stored) return stored;
    return this.idempotency.put(key, this.applyAction(ctx, sessionUser, key));
  }

  private applyAction(ctx: RequestContext, sessionUser: string, key: string): Reply {
    let raw: unknown;
    try {
      raw = parseJsonBody(ctx);
    } catch (err) {
      if (err instanceof BadBodyError) return json(200, { error_code: '3', message: `Tham số không hợp lệ: ${err.message}` });
      throw err;
    }
    const parsed = DossierActionBodySchema.safeParse(raw);
    if (!parsed.success) return this.invalid(parsed.error);
    const body = parsed.data;
    const username = body.NguoiXuLy ?? sessionUser;
    const actor = actingOfficial(username, sessionUser);
    if (!actor) return json(200, { error_code: '3', message: `Tham số không hợp lệ: NguoiXuLy "${username}" không phải cán bộ của đơn vị` });
    const world = this.opts.world;
    const rec = world.dossierByCode.get(body.MaHoSo);
    if (!rec) return json(200, { error_code: '404', message: `Không tìm thấy hồ sơ ${body.MaHoSo}` });
    if (body.PhienBan !== undefined && body.PhienBan !== '' && body.PhienBan !== formatVnTimestamp(rec.updatedAt)) {
      return json(200, { error_code: '409', message: conflictMessage(rec, body.PhienBan), result: toDossierJson(rec) });
    }
    const now = this.opts.clock();
    const refusal = checkDossierAction(rec, body, now);
    if (refusal) return json(200, { error_code: refusal.code, message: refusal.message });
    const at = world.updateDossier(rec, now, (t) => applyDossierAction(world.dataset.calendar, rec, body, actor, t));
    world.logAction({ key, system: 'procedure', id: rec.code, action: dossierKindOf(body.HanhDong), at });
    return json(200, { ...OK, message: 'Cập nhật tiến độ hồ sơ thành công', result: toDossierJson(rec) });
  }

  /** Idempotency-Key handling shared by the writing services (missing/odd key → 3; seen key → stored answer). */
  private keyed(ctx: RequestContext, run: () => Reply): Reply {
    const key = idempotencyKeyOf(ctx.headers);
    if (key === '') return json(200, { error_code: '3', message: 'Tham số không hợp lệ: thiếu header Idempotency-Key (bắt buộc với thao tác cập nhật hồ sơ)' });
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) return json(200, { error_code: '3', message: 'Tham số không hợp lệ: Idempotency-Key phải gồm 1–200 ký tự ASCII in được' });
    const stored = this.idempotency.get(key);
    if (stored) return stored;
    return this.idempotency.put(key, run());
  }

  /**
   * DongBoHoSoMC with isUpdating false (issue #6): a dossier received at the counter now — status 2,
   * KenhThucHien 1, NgayNopHoSo = NgayTiepNhan = now, NgayHenTra from the procedure's duration on the
   * sandbox calendar, the next code of the day. Unknown MaTTHC → 422. Every answer is final and stored
   * under the Idempotency-Key, so the same key twice gives the same dossier, created once.
   */
  private register(ctx: RequestContext, sessionUser: string): Reply {
    let raw: unknown;
    try {
      raw = parseJsonBody(ctx);
    } catch (err) {
      if (err instanceof BadBodyError) return json(200, { error_code: '3', message: `Tham số không hợp lệ: ${err.message}` });
      throw err;
    }
    const parsed = RegisterBodySchema.safeParse(raw);
    if (!parsed.success) return this.invalid(parsed.error);
    const body = parsed.data;
    if (body.isUpdating) {
      return json(200, { error_code: '3', message: 'Tham số không hợp lệ: môi trường đào tạo chỉ nhận hồ sơ mới (isUpdating = false); cập nhật hồ sơ dùng CapNhatTienDoHoSoMC' });
    }
    const username = body.NguoiXuLy ?? sessionUser;
    const actor = actingOfficial(username, sessionUser);
    if (!actor) return json(200, { error_code: '3', message: `Tham số không hợp lệ: NguoiXuLy "${username}" không phải cán bộ của đơn vị` });
    const h = body.HoSo;
    const procedure = PROCEDURES.find((p) => p.code === h.MaTTHC);
    if (!procedure) return json(200, { error_code: '422', message: `Thủ tục mã ${h.MaTTHC} không có trong danh mục thủ tục hành chính của đơn vị; vui lòng chọn thủ tục khác.` });
    const ymd = h.NgaySinhChuHoSo;
    const applicant: Citizen = {
      fullName: h.ChuHoSo,
      sex: h.GioiTinh === 1 ? 'male' : 'female',
      birthDate: `${ymd.slice(6, 8)}${ymd.slice(4, 6)}${ymd.slice(0, 4)}`,
      birthYear: Number(ymd.slice(0, 4)),
      idNumber: h.SoGiayToChuHoSo,
      idType: h.SoGiayToChuHoSo.length === 12 ? 1 : 2,
      oldIdNumber: null,
      phone: h.SoDienThoai,
      email: h.Email !== undefined && h.Email !== '' ? h.Email : null,
      address: h.DiaChiChuHoSo,
      issueDate: '',
    };
    const world = this.opts.world;
    const rec = world.registerDossier(
      {
        procedure,
        applicant,
        summary: h.TrichYeuHoSo,
        reception: actor,
        papers: (h.TaiLieuNop ?? []).map((f) => ({
          name: f.TenTepDinhKem,
          size: f.KichThuoc ?? null,
          ...paperDigest(f),
        })),
        ...(h.DanhSachLePhi ? { fees: h.DanhSachLePhi.map((f) => ({ name: f.TenPhiLePhi, amount: f.MucPhi, paid: f.DaThanhToan })) } : {}),
      },
      this.opts.clock(),
    );
    world.logAction({ key: idempotencyKeyOf(ctx.headers), system: 'procedure', id: rec.code, action: 'dossier.register', at: rec.updatedAt });
    return json(200, { ...OK, message: `Đã tiếp nhận hồ sơ ${rec.code}`, result: toDossierJson(rec) });
  }

  private list(body: unknown): Reply {
    const parsed = ListSchema.safeParse(body);
    if (!parsed.success) return this.invalid(parsed.error);
    const { TuThoiDiem, SauMaHoSo, SoLuong } = parsed.data;
    let cursor: { time: number; id: string } | null = null;
    if (TuThoiDiem !== '') {
      const time = parseVnTimestamp(TuThoiDiem);
      if (time === null) return json(200, { error_code: '3', message: `Tham số không hợp lệ: TuThoiDiem "${TuThoiDiem}" không phải thời điểm hợp lệ` });
      cursor = { time, id: SauMaHoSo };
    }
    const index = this.opts.world.dossierIndex;
    const total = index.length;
    const start = index.firstAfter(cursor);
    const page = index.slice(start, start + SoLuong);
    const faults = this.http.faults;
    const result: unknown[] = page.map((rec, i) => {
      const d = toDossierJson(rec);
      if (!faults.malformed()) return d;
      const isLast = i === page.length - 1;
      return corruptDossier(d, faults.pick(isLast ? CURSOR_SAFE : DOSSIER_CORRUPTIONS));
    });
    return json(200, { ...OK, result, CoTiep: start + page.length < total, TongSo: total - start });
  }

  private lookup(body: unknown): Reply {
    const parsed = LookupSchema.safeParse(body);
    if (!parsed.success) return this.invalid(parsed.error);
    const rec = this.opts.world.dossierByCode.get(parsed.data.MaHoSo);
    if (!rec) return json(200, { error_code: '404', message: `Không tìm thấy hồ sơ ${parsed.data.MaHoSo}` });
    return json(200, { ...OK, result: toDossierJson(rec) });
  }

  private catalogue(body: unknown): Reply {
    const parsed = CatalogueSchema.safeParse(body);
    if (!parsed.success) return this.invalid(parsed.error);
    return json(200, { ...OK, result: PROCEDURES.map(toProcedureJson) });
  }
}

/** The official acting: a known official, or the session's own user (custom training credentials). */
function actingOfficial(username: string, sessionUser: string): Official | null {
  const known = officialByUsername(username);
  if (known) return known;
  if (username !== sessionUser) return null;
  return { username, fullName: username, title: 'Cán bộ', department: 'Bộ phận Một cửa', role: 'reception' };
}

function conflictMessage(rec: DossierRecord, seen: string): string {
  const last = rec.steps[rec.steps.length - 1];
  const who = last ? ` bởi ${last.official.fullName}` : '';
  return `Hồ sơ ${rec.code} đã được cập nhật lúc ${vnDisplay(rec.updatedAt)}${who} (sau phiên bản ${seen}); vui lòng tải lại hồ sơ trước khi thao tác.`;
}
