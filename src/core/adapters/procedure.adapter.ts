/**
 * Adapter for the administrative-procedure system (DVCQG-style JSON over HTTP(S)).
 * Protocol: docs/backend-protocols.md §1.
 */
import { z } from 'zod';
import type { DossierDetail, FileRef } from '../../shared/work-item';
import {
  AdapterError,
  type AdapterCapabilities,
  type AdapterDeps,
  type BackendAdapter,
  type NormalizedRecord,
  type PullPage,
  type QuarantinedRecord,
} from './adapter';
import {
  commonAdapterConfigFields,
  joinSearchText,
  mimeTypeFromName,
  quarantine,
  raceAbort,
  summariseZodError,
  throwIfAborted,
  truncateUtf8,
} from './adapter.util';
import { formatVnDateTime } from './backend-date.util';
import { HttpClient } from './http-client';
import {
  CursorKeySchema,
  DossierListAnswerSchema,
  DossierLookupAnswerSchema,
  DossierPayloadSchema,
  LoginAnswerSchema,
  ProcedureEnvelopeSchema,
  ProcedureListAnswerSchema,
  ProcedurePayloadSchema,
  type DossierPayload,
  type ProcedureInfo,
} from './procedure.schema';

export type { ProcedureInfo } from './procedure.schema';


export const ProcedureAdapterConfigSchema = z.strictObject({
  ...commonAdapterConfigFields,
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(500),
  pageSize: z.number().int().min(1).max(1000).default(200),
});
export type ProcedureAdapterConfig = z.input<typeof ProcedureAdapterConfigSchema>;

export const PROCEDURE_CAPABILITIES: AdapterCapabilities = Object.freeze({
  cursor: true,
  incremental: true,
  paging: true,
  sessionRenewal: true,
  push: false,
  actions: false,
});

/** Keyset cursor `"<NgayCapNhat>|<MaHoSo>"`. */
export function parseProcedureCursor(cursor: string | null): { since: string; after: string } {
  if (cursor === null || cursor === '') return { since: '', after: '' };
  const sep = cursor.indexOf('|');
  const since = sep < 0 ? '' : cursor.slice(0, sep);
  const after = sep < 0 ? '' : cursor.slice(sep + 1);
  if (!/^\d{14}$/.test(since) || after.length === 0) {
    throw new AdapterError('unknown', `Invalid procedure cursor "${truncateUtf8(cursor, 80)}"`, false);
  }
  return { since, after };
}

const OK_CODES = new Set(['0', '00']);

/** Map a validated dossier to the cache's record. */
export function normalizeDossier(d: DossierPayload): NormalizedRecord {
  const receivedAt = d.NgayTiepNhan ?? d.NgayNopHoSo;
  if (receivedAt === null) {
    // The schema refinement guarantees this never happens; kept for the type checker.
    throw new Error('dossier without NgayTiepNhan/NgayNopHoSo');
  }
  const files: FileRef[] = d.TaiLieuNop.map((f) => ({
    name: f.TenTepDinhKem,
    mimeType: mimeTypeFromName(f.TenTepDinhKem),
    size: f.KichThuoc ?? null,
    description: null,
  }));
  const results: FileRef[] = d.DanhSachGiayToKetQua.map((r) => ({
    name: r.TenGiayTo,
    mimeType: mimeTypeFromName(r.TenGiayTo),
    size: null,
    description: r.MaGiayToKetQua,
  }));
  const detail: DossierDetail = {
    source: 'procedure',
    code: d.MaHoSo,
    procedureCode: d.MaTTHC,
    procedureName: d.TenTTHC,
    fieldCode: d.MaLinhVuc,
    fieldName: d.TenLinhVuc,
    channel: d.KenhThucHien,
    applicant: d.ChuHoSo,
    applicantIdNumber: d.SoGiayToChuHoSo ?? d.DinhDanhCHS[0]?.SoDinhDanh ?? null,
    applicantType: d.LoaiDoiTuong,
    phone: d.SoDienThoai,
    email: d.Email,
    address: d.DiaChiChuHoSo,
    summary: d.TrichYeuHoSo,
    submittedAt: d.NgayNopHoSo,
    receivedAt: d.NgayTiepNhan,
    appointmentAt: d.NgayHenTra,
    returnedAt: d.NgayTra,
    finishedAt: d.NgayKetThucXuLy,
    refusedAt: d.NgayTuChoi,
    handlingUnit: d.DonViXuLy,
    returnMethod: d.HinhThuc,
    identities: d.DinhDanhCHS.map((i) => ({ type: i.LoaiDinhDanh, number: i.SoDinhDanh })),
    files,
    fees: d.DanhSachLePhi.map((f) => ({ name: f.TenPhiLePhi, amount: f.MucPhi, paid: f.DaThanhToan })),
    supplements: d.DanhSachHoSoBoSung.map((s) => ({
      requestedAt: s.NgayYeuCauBoSung,
      receivedAt: s.NgayTiepNhanBoSung,
      reason: s.NoiDungYeuCauBoSung,
      oldDueAt: s.NgayHenTraCu,
      newDueAt: s.NgayHenTraMoi,
    })),
    results,
    steps: d.QuaTrinhXuLy.map((s) => ({
      official: s.NguoiXuLy,
      title: s.ChucDanh,
      department: s.PhongBanXuLy,
      at: s.ThoiDiemXuLy,
      content: s.NoiDungXuLy,
      status: s.TrangThai,
      startedAt: s.NgayBatDau,
      dueAt: s.NgayKetThucTheoQuyDinh,
    })),
  };
  return {
    source: 'procedure',
    externalId: d.MaHoSo,
    ref: d.MaHoSo,
    title: d.TrichYeuHoSo,
    party: d.ChuHoSo,
    kind: d.TenTTHC,
    status: d.TrangThaiHoSo,
    receivedAt,
    dueAt: d.NgayHenTra,
    urgency: 0,
    assignee: d.NguoiXuLyHienTai?.TenDangNhap ?? null,
    assigneeName: d.NguoiXuLyHienTai?.HoTen ?? null,
    updatedAt: d.NgayCapNhat,
    searchText: joinSearchText([
      d.SoGiayToChuHoSo,
      ...d.DinhDanhCHS.map((i) => i.SoDinhDanh),
      d.SoDienThoai,
      d.Email,
      d.TenTTHC,
      d.MaTTHC,
      d.TenLinhVuc,
      d.DiaChiChuHoSo,
      d.NguoiXuLyHienTai?.HoTen,
    ]),
    detail,
  };
}

/** Full validation of one raw dossier, including the cross-field rules. */
const DossierRecordSchema = DossierPayloadSchema.refine((d) => d.NgayTiepNhan !== null || d.NgayNopHoSo !== null, {
  message: 'NgayTiepNhan and NgayNopHoSo are both empty',
  path: ['NgayTiepNhan'],
});

/** Validate one raw dossier: a record, or a quarantine entry with the reason. */
export function validateDossier(raw: unknown): { record: NormalizedRecord } | { quarantined: QuarantinedRecord } {
  const parsed = DossierRecordSchema.safeParse(raw);
  if (!parsed.success) return { quarantined: quarantine(raw, 'MaHoSo', summariseZodError(parsed.error)) };
  return { record: normalizeDossier(parsed.data) };
}

type Envelope = z.output<typeof ProcedureEnvelopeSchema>;

export class ProcedureAdapter implements BackendAdapter {
  readonly kind = 'procedure' as const;
  readonly capabilities = PROCEDURE_CAPABILITIES;
  readonly id: string;
  readonly label: string;
  private readonly config: z.output<typeof ProcedureAdapterConfigSchema>;
  private readonly http: HttpClient;
  private session: string | null = null;
  private login: Promise<string> | null = null;

  constructor(config: ProcedureAdapterConfig, deps: AdapterDeps = {}) {
    const parsed = ProcedureAdapterConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new AdapterError('config_invalid', `Invalid procedure adapter config: ${summariseZodError(parsed.error, 20)}`, false);
    }
    this.config = parsed.data;
    this.id = parsed.data.id;
    this.label = parsed.data.label;
    this.http = new HttpClient({
      baseUrl: parsed.data.baseUrl,
      timeoutMs: parsed.data.timeoutMs,
      retries: parsed.data.retries,
      ...(parsed.data.ca !== undefined ? { ca: parsed.data.ca } : {}),
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.onRetry ? { onRetry: deps.onRetry } : {}),
    });
  }

  async pull(cursor: string | null, signal?: AbortSignal): Promise<PullPage> {
    const { since, after } = parseProcedureCursor(cursor);
    const answer = await this.call(
      '/api/LayDanhSachHoSo',
      { TuThoiDiem: since, SauMaHoSo: after, SoLuong: this.config.pageSize },
      DossierListAnswerSchema,
      signal,
    );
    const records: NormalizedRecord[] = [];
    const quarantined: QuarantinedRecord[] = [];
    let next = cursor && cursor !== '' ? cursor : null;
    for (const raw of answer.result) {
      const outcome = validateDossier(raw);
      if ('record' in outcome) records.push(outcome.record);
      else quarantined.push(outcome.quarantined);
      // The cursor advances past every item whose keys are readable, valid or not.
      const key = CursorKeySchema.safeParse(raw);
      if (key.success) next = `${key.data.NgayCapNhat}|${key.data.MaHoSo}`;
    }
    if (answer.CoTiep && answer.result.length > 0 && next === (cursor || null)) {
      throw new AdapterError(
        'malformed',
        'LayDanhSachHoSo: no item of the page carries a readable NgayCapNhat/MaHoSo, the cursor cannot advance',
        false,
      );
    }
    return {
      records,
      quarantined,
      cursor: next,
      hasMore: answer.CoTiep && answer.result.length > 0,
      remaining: answer.TongSo ?? null,
    };
  }

  /** TraCuuHoSo: one dossier by code, or null when the backend does not know it. */
  async lookup(code: string, signal?: AbortSignal): Promise<NormalizedRecord | null> {
    const answer = await this.call('/api/TraCuuHoSo', { MaHoSo: code }, DossierLookupAnswerSchema, signal, {
      notFoundAsNull: true,
    });
    if (answer === null) return null;
    const parsed = DossierRecordSchema.safeParse(answer.result);
    if (!parsed.success) {
      throw new AdapterError('malformed', `TraCuuHoSo ${code}: ${summariseZodError(parsed.error)}`, false);
    }
    return normalizeDossier(parsed.data);
  }

  /** LayDanhSachTTHC: the procedure catalogue. Invalid entries are skipped; all invalid → malformed. */
  async listProcedures(signal?: AbortSignal): Promise<ProcedureInfo[]> {
    const answer = await this.call('/api/LayDanhSachTTHC', {}, ProcedureListAnswerSchema, signal);
    const out: ProcedureInfo[] = [];
    const errors: string[] = [];
    for (const raw of answer.result) {
      const parsed = ProcedurePayloadSchema.safeParse(raw);
      if (parsed.success) out.push(parsed.data);
      else errors.push(summariseZodError(parsed.error, 2));
    }
    if (out.length === 0 && errors.length > 0) {
      throw new AdapterError('malformed', `LayDanhSachTTHC: no valid procedure (${errors[0]})`, false);
    }
    return out;
  }

  async close(): Promise<void> {
    this.session = null;
    this.http.close();
  }

  // ---------- protocol plumbing ----------

  private call<S extends z.ZodType>(
    path: string,
    body: Record<string, unknown>,
    schema: S,
    signal: AbortSignal | undefined,
  ): Promise<z.output<S>>;
  private call<S extends z.ZodType>(
    path: string,
    body: Record<string, unknown>,
    schema: S,
    signal: AbortSignal | undefined,
    options: { notFoundAsNull: true },
  ): Promise<z.output<S> | null>;
  private async call<S extends z.ZodType>(
    path: string,
    body: Record<string, unknown>,
    schema: S,
    signal: AbortSignal | undefined,
    options: { notFoundAsNull?: boolean } = {},
  ): Promise<z.output<S> | null> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.ensureSession(signal);
      const res = await this.http.request({ method: 'POST', path, body, headers: { session: token }, signal });
      const envelope = this.envelope(path, res.data);
      const code = envelope.error_code;
      if (OK_CODES.has(code)) {
        const parsed = schema.safeParse(res.data);
        if (!parsed.success) {
          throw new AdapterError('malformed', `${path}: unexpected answer (${summariseZodError(parsed.error)})`, false);
        }
        return parsed.data;
      }
      if (code === '2') {
        if (this.session === token) this.session = null;
        if (!renewed) continue;
        throw new AdapterError('auth_failed', `${path}: session rejected again right after logging in`, false);
      }
      if (code === '404' && options.notFoundAsNull) return null;
      throw this.applicationError(path, envelope);
    }
  }

  private envelope(path: string, data: unknown): Envelope {
    const parsed = ProcedureEnvelopeSchema.safeParse(data);
    if (!parsed.success) {
      throw new AdapterError('malformed', `${path}: answer without error_code (${summariseZodError(parsed.error)})`, false);
    }
    return parsed.data;
  }

  private applicationError(path: string, envelope: Envelope): AdapterError {
    const message = envelope.message ? `: ${truncateUtf8(envelope.message, 200)}` : '';
    switch (envelope.error_code) {
      case '1':
        return new AdapterError('auth_failed', `${path}: wrong username or password (error_code 1)${message}`, false);
      case '3':
        return new AdapterError('unknown', `${path}: invalid parameters (error_code 3)${message}`, false);
      case '404':
        return new AdapterError('unknown', `${path}: not found (error_code 404)${message}`, false);
      default:
        return new AdapterError('unknown', `${path}: error_code ${envelope.error_code}${message}`, false);
    }
  }

  /** Current session token, logging in when there is none (concurrent callers share one login). */
  private ensureSession(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    if (this.session) return Promise.resolve(this.session);
    if (!this.login) {
      const pending = this.doLogin().finally(() => {
        if (this.login === pending) this.login = null;
      });
      this.login = pending;
    }
    return raceAbort(this.login, signal);
  }

  private async doLogin(): Promise<string> {
    const path = '/api/DangNhap';
    const res = await this.http.request({
      method: 'POST',
      path,
      body: { TenDangNhap: this.config.username, MatKhau: this.config.password },
    });
    const envelope = this.envelope(path, res.data);
    if (!OK_CODES.has(envelope.error_code)) throw this.applicationError(path, envelope);
    const parsed = LoginAnswerSchema.safeParse(res.data);
    if (!parsed.success) {
      throw new AdapterError('malformed', `${path}: answer without a session token`, false);
    }
    this.session = parsed.data.session;
    return parsed.data.session;
  }
}

/** For tests and the sandbox tooling: the cursor of a record. */
export function procedureCursorOf(updatedAt: number, code: string): string {
  return `${formatVnDateTime(updatedAt)}|${code}`;
}
