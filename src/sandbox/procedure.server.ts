/**
 * Simulated administrative-procedure system (DVCQG-style JSON API, docs/backend-protocols.md §1):
 * DangNhap, LayDanhSachHoSo (keyset by NgayCapNhat, MaHoSo), TraCuuHoSo, LayDanhSachTTHC.
 * Application outcomes are HTTP 200 with `error_code`; simulated transport faults are HTTP 5xx.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PROCEDURES, officialByUsername, toDossierJson, toProcedureJson, type DossierJson } from './data-generator';
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

  constructor(private readonly opts: ProcedureServerOptions) {
    this.http = new SandboxHttpServer('procedure', opts.seed ^ 0x51, {
      handle: (ctx) => this.handle(ctx),
      errorBody: () => ({ error_code: '500', message: 'Lỗi hệ thống (mô phỏng lỗi máy chủ)' }),
      state: () => {
        const c = opts.world.counts();
        return { total: c.dossiers, byStatus: c.dossiersByStatus, sessions: this.sessions.size, now: formatVnTimestamp(opts.clock()) };
      },
      emit: (count) => opts.emit(count),
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

  private authed(ctx: RequestContext, run: () => Reply): Reply {
    const header = ctx.headers.session;
    const token = Array.isArray(header) ? header[0] : header;
    const session = token ? this.sessions.get(token) : undefined;
    if (!token || !session) return json(200, { error_code: '2', message: 'Phiên làm việc không tồn tại hoặc đã hết hạn, vui lòng đăng nhập lại' });
    if (this.opts.clock() >= session.expiresAt) {
      this.sessions.delete(token);
      return json(200, { error_code: '2', message: 'Phiên làm việc đã hết hạn, vui lòng đăng nhập lại' });
    }
    return run();
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
