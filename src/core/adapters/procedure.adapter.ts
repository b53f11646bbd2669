/**
 * Adapter for the administrative-procedure system (DVCQG-style JSON over HTTP(S)).
 * Protocol: docs/backend-protocols.md §1 (reads) and §4 (actions, exactly once under an Idempotency-Key).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DossierRegisterActionSchema, type Applicant, type DossierAction, type DossierRegisterAction, type ItemAction, type StagedAttachment } from '../../shared/actions';
import type { DossierDetail, FileRef } from '../../shared/work-item';
import {
  AdapterError,
  type AdapterCapabilities,
  type AdapterDeps,
  type BackendAdapter,
  type NormalizedRecord,
  type PerformContext,
  type PerformResult,
  type PullPage,
  type QuarantinedRecord,
} from './adapter';
import {
  checkAction,
  commonAdapterConfigFields,
  performFailure,
  requireIdempotencyKey,
  joinSearchText,
  mimeTypeFromName,
  quarantine,
  raceAbort,
  summariseZodError,
  throwIfAborted,
  truncateUtf8,
} from './adapter.util';
import { formatVnDateTime } from './backend-date.util';
import { HttpClient, IDEMPOTENCY_KEY_HEADER } from './http-client';
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
  /**
   * Dossiers per page (`SoLuong`), each page landed in one transaction. 500: a first sync lands
   * ~25–35 % faster than with 200 (fewer commits rewriting the same encrypted index pages; 1,000 gained
   * nothing more, see the README's performance notes).
   */
  pageSize: z.number().int().min(1).max(1000).default(500),
});
export type ProcedureAdapterConfig = z.input<typeof ProcedureAdapterConfigSchema>;

export const PROCEDURE_CAPABILITIES: AdapterCapabilities = Object.freeze({
  cursor: true,
  incremental: true,
  paging: true,
  sessionRenewal: true,
  push: false,
  actions: true,
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
    // Only after an apology letter (issue #5): absent otherwise, so the dashboard can skip parsing.
    ...(d.NgayHenTraBanDau !== null ? { originalAppointmentAt: d.NgayHenTraBanDau } : {}),
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

/** The procedure system's action endpoint (docs/backend-protocols.md §4). */
export const DOSSIER_ACTION_PATH = '/api/CapNhatTienDoHoSoMC';

/** `HanhDong` of each dossier action. */
export const HANH_DONG: Readonly<Record<DossierAction['kind'], string>> = {
  'dossier.receive': 'receive',
  'dossier.refuse': 'refuse',
  'dossier.forward': 'forward',
  'dossier.sendBack': 'sendBack',
  'dossier.requestSupplement': 'requestSupplement',
  'dossier.supplementReceived': 'supplementReceived',
  'dossier.requestFees': 'requestFees',
  'dossier.recordResult': 'recordResult',
  'dossier.returnResult': 'returnResult',
  'dossier.stop': 'stop',
  'dossier.apology': 'apology',
};

/** The `CapNhatTienDoHoSoMC` body of a (validated) dossier action. Optional fields are omitted when empty. */
export function dossierActionBody(
  code: string,
  action: DossierAction,
  ctx: Pick<PerformContext, 'baseUpdatedAt' | 'actor'>,
  /** supplementReceived: the scanned papers read from the entry's folder. */
  files: readonly ScannedPaperWire[] = [],
): Record<string, unknown> {
  const body: Record<string, unknown> = { MaHoSo: code, HanhDong: HANH_DONG[action.kind] };
  if (ctx.baseUpdatedAt !== null) body['PhienBan'] = formatVnDateTime(ctx.baseUpdatedAt);
  body['NguoiXuLy'] = ctx.actor.username;
  const note = (value: string | undefined): void => {
    if (value !== undefined && value !== '') body['NoiDung'] = value;
  };
  switch (action.kind) {
    case 'dossier.receive':
      note(action.note);
      break;
    case 'dossier.supplementReceived':
      note(action.note);
      // Issue #6: the papers brought and the corrected applicant travel with the step (one call, one key).
      {
        const papers: Record<string, unknown>[] = [...(action.papers ?? []).map((name) => ({ TenTepDinhKem: name })), ...files];
        if (papers.length > 0) body['TaiLieuBoSung'] = papers;
      }
      if (action.applicant !== undefined) body['ThongTinChuHoSo'] = applicantWire(action.applicant);
      break;
    case 'dossier.refuse':
    case 'dossier.sendBack':
    case 'dossier.stop':
      body['LyDo'] = action.reason;
      break;
    case 'dossier.forward':
      body['NguoiNhan'] = action.toUser;
      note(action.note);
      break;
    case 'dossier.requestSupplement':
      body['ThieuGiayTo'] = action.missing;
      note(action.note);
      break;
    case 'dossier.requestFees':
      body['LePhi'] = action.fees.map((f) => ({ TenPhiLePhi: f.name, MucPhi: f.amount }));
      break;
    case 'dossier.recordResult':
      body['TenKetQua'] = action.resultName;
      note(action.note);
      break;
    case 'dossier.returnResult':
      body['HinhThucTra'] = action.method;
      break;
    case 'dossier.apology':
      body['LyDo'] = action.reason;
      body['NgayHenTraMoi'] = formatVnDateTime(action.newAppointmentAt);
      break;
  }
  return body;
}

/** Issue #6: the procedure system's dossier upsert (docs/backend-protocols.md §1), used to register new dossiers. */
export const DOSSIER_REGISTER_PATH = '/api/DongBoHoSoMC';

/** The applicant's fields as DongBoHoSoMC `HoSo` and CapNhatTienDoHoSoMC `ThongTinChuHoSo` carry them (birth date and sex when known). */
export function applicantWire(a: Applicant): Record<string, unknown> {
  return {
    ChuHoSo: a.fullName,
    SoGiayToChuHoSo: a.idNumber,
    DinhDanhCHS: [{ LoaiDinhDanh: a.idNumber.length === 12 ? 1 : 2, SoDinhDanh: a.idNumber }],
    ...(a.birthDate !== undefined ? { NgaySinhChuHoSo: a.birthDate.replaceAll('-', '') } : {}),
    ...(a.sex !== undefined ? { GioiTinh: a.sex === 'male' ? 1 : 2 } : {}),
    DiaChiChuHoSo: a.address,
    SoDienThoai: a.phone,
  };
}

/**
 * The scanned papers of an outbox entry, read from its folder (the runner hands over the paths); one
 * missing or changed → the action is rejected with `what` in the message and nothing is sent.
 */
async function readScannedPapers(
  staged: readonly StagedAttachment[] | undefined,
  ctx: Pick<PerformContext, 'attachmentPaths'>,
  what: string,
): Promise<ScannedPaperWire[] | PerformResult> {
  const files: ScannedPaperWire[] = [];
  for (const f of staged ?? []) {
    const file = ctx.attachmentPaths?.[f.id];
    const bytes = file === undefined ? null : await readFile(file).catch(() => null);
    if (bytes === null || bytes.length !== f.size) {
      return { outcome: 'rejected', message: `Tệp "${f.filename}" không còn trên máy nên ${what} và đính kèm lại tệp.` };
    }
    files.push({ TenTepDinhKem: f.filename, LoaiTep: f.contentType, KichThuoc: bytes.length, NoiDungTep: bytes.toString('base64') });
  }
  return files;
}

/** A scanned paper sent with a new dossier or a supplement: its name, type, size and content (base64). */
export interface ScannedPaperWire {
  TenTepDinhKem: string;
  LoaiTep: string;
  KichThuoc: number;
  NoiDungTep: string;
}

/**
 * The `DongBoHoSoMC` body (isUpdating false) of a new dossier received at the counter; `files` are
 * the scanned papers read from the outbox entry's folder (TaiLieuNop entries with their content).
 */
export function dossierRegisterBody(action: DossierRegisterAction, ctx: Pick<PerformContext, 'actor'>, files: readonly ScannedPaperWire[] = []): Record<string, unknown> {
  const { applicantName, idNumber, birthDate, sex, address, phone } = action;
  const papers: Record<string, unknown>[] = [...(action.papers ?? []).map((name) => ({ TenTepDinhKem: name })), ...files];
  return {
    isUpdating: false,
    NguoiXuLy: ctx.actor.username,
    HoSo: {
      MaTTHC: action.procedureCode,
      ...applicantWire({ fullName: applicantName, idNumber, birthDate, sex, address, phone }),
      TrichYeuHoSo: action.summary,
      KenhThucHien: 1,
      LoaiDoiTuong: 1,
      // Issue #6: papers handed in and fees (absent → the backend's catalogue fee).
      ...(papers.length > 0 ? { TaiLieuNop: papers } : {}),
      ...(action.fees !== undefined ? { DanhSachLePhi: action.fees.map((f) => ({ TenPhiLePhi: f.name, MucPhi: f.amount, DaThanhToan: f.paid })) } : {}),
    },
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
      ...(parsed.data.proxy !== undefined ? { proxy: parsed.data.proxy } : {}),
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

  /**
   * CapNhatTienDoHoSoMC: perform a dossier action exactly once (docs/backend-protocols.md §4).
   * error_code 0/00 → applied, 409 → conflict, 422 and 3 → rejected, 404 → not_found; other
   * codes and transport failures throw AdapterError.
   */
  async perform(externalId: string, action: ItemAction, ctx: PerformContext, signal?: AbortSignal): Promise<PerformResult> {
    throwIfAborted(signal);
    requireIdempotencyKey(ctx);
    if (action.kind === 'dossier.register') return this.register(action, ctx, signal);
    const checked = checkAction(action, 'procedure');
    if ('refusal' in checked) return { outcome: 'rejected', message: checked.refusal };
    const path = DOSSIER_ACTION_PATH;
    const scans = checked.action.kind === 'dossier.supplementReceived' ? checked.action.files : undefined;
    const files = await readScannedPapers(scans, ctx, 'bổ sung chưa được ghi nhận: hãy hủy thao tác này, ghi nhận lại');
    if (!Array.isArray(files)) return files;
    const body = dossierActionBody(externalId, checked.action, ctx, files);
    let answer: { envelope: Envelope; data: unknown };
    try {
      answer = await this.exchange(path, body, signal, {
        headers: { [IDEMPOTENCY_KEY_HEADER]: ctx.idempotencyKey },
        idempotent: false,
      });
    } catch (error) {
      throw performFailure(error);
    }
    const { envelope, data } = answer;
    const message = envelope.message?.trim() ?? '';
    const result = (data as { result?: unknown }).result;
    switch (envelope.error_code) {
      case '0':
      case '00': {
        const parsed = DossierRecordSchema.safeParse(result);
        if (!parsed.success) {
          // The action landed but its answer cannot be read: a retry with the same key gets the stored answer.
          throw new AdapterError(
            'malformed',
            `${path} ${externalId}: the dossier in the answer is invalid (${summariseZodError(parsed.error)})`,
            true,
          );
        }
        return { outcome: 'applied', record: normalizeDossier(parsed.data) };
      }
      case '409': {
        const parsed = DossierRecordSchema.safeParse(result);
        return {
          outcome: 'conflict',
          current: parsed.success ? normalizeDossier(parsed.data) : null,
          message: message || 'Hồ sơ đã được cập nhật bởi người khác kể từ khi bạn mở.',
        };
      }
      case '422':
      case '3':
        return { outcome: 'rejected', message: message || `Hệ thống từ chối thao tác (mã ${envelope.error_code}).` };
      case '404':
        return { outcome: 'not_found', message: message || `Không tìm thấy hồ sơ ${externalId}` };
      default:
        throw this.applicationError(path, envelope);
    }
  }

  /**
   * DongBoHoSoMC (isUpdating false): register a new dossier exactly once under the outbox entry's
   * Idempotency-Key; the created dossier is the record (it lands in the cache as its own item).
   * 0/00 → applied, 3/422 → rejected with the backend's message; others throw.
   */
  private async register(action: DossierRegisterAction, ctx: PerformContext, signal?: AbortSignal): Promise<PerformResult> {
    const checked = DossierRegisterActionSchema.safeParse(action);
    if (!checked.success) return { outcome: 'rejected', message: `Hồ sơ mới chưa hợp lệ, chưa gửi đến hệ thống: ${summariseZodError(checked.error, 3)}` };
    const path = DOSSIER_REGISTER_PATH;
    const files = await readScannedPapers(checked.data.files, ctx, 'hồ sơ mới chưa được gửi: hãy hủy thao tác này, tạo lại hồ sơ');
    if (!Array.isArray(files)) return files;
    let answer: { envelope: Envelope; data: unknown };
    try {
      answer = await this.exchange(path, dossierRegisterBody(checked.data, ctx, files), signal, {
        headers: { [IDEMPOTENCY_KEY_HEADER]: ctx.idempotencyKey },
        idempotent: false,
      });
    } catch (error) {
      throw performFailure(error);
    }
    const { envelope, data } = answer;
    const message = envelope.message?.trim() ?? '';
    switch (envelope.error_code) {
      case '0':
      case '00': {
        const parsed = DossierRecordSchema.safeParse((data as { result?: unknown }).result);
        if (!parsed.success) {
          // Created, but the answer cannot be read: the same key brings the stored answer back.
          throw new AdapterError('malformed', `${path}: the dossier in the answer is invalid (${summariseZodError(parsed.error)})`, true);
        }
        return { outcome: 'applied', record: normalizeDossier(parsed.data) };
      }
      case '3':
      case '422':
        return { outcome: 'rejected', message: message || `Hệ thống từ chối hồ sơ mới (mã ${envelope.error_code}).` };
      default:
        throw this.applicationError(path, envelope);
    }
  }

  async close(): Promise<void> {
    this.session = null;
    this.http.close();
  }

  // ---------- protocol plumbing ----------

  /**
   * POST with the session header; on error_code "2" logs in again and resends once (same headers,
   * so an action keeps its idempotency key). Returns the envelope of any other answer.
   */
  private async exchange(
    path: string,
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    options: { headers?: Record<string, string>; idempotent?: boolean } = {},
  ): Promise<{ envelope: Envelope; data: unknown }> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.ensureSession(signal);
      const res = await this.http.request({
        method: 'POST',
        path,
        body,
        headers: { ...options.headers, session: token },
        signal,
        ...(options.idempotent === false ? { idempotent: false } : {}),
      });
      const envelope = this.envelope(path, res.data);
      if (envelope.error_code !== '2') return { envelope, data: res.data };
      if (this.session === token) this.session = null;
      if (renewed) throw new AdapterError('auth_failed', `${path}: session rejected again right after logging in`, false);
    }
  }

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
    const { envelope, data } = await this.exchange(path, body, signal);
    const code = envelope.error_code;
    if (OK_CODES.has(code)) {
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new AdapterError('malformed', `${path}: unexpected answer (${summariseZodError(parsed.error)})`, false);
      }
      return parsed.data;
    }
    if (code === '404' && options.notFoundAsNull) return null;
    throw this.applicationError(path, envelope);
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
