/**
 * Actions on dossiers as the procedure system applies them (`POST /api/CapNhatTienDoHoSoMC`,
 * docs/backend-protocols.md §4): the request body, the legality check against ACTION_TRANSITIONS,
 * and the change itself — a processing step by the acting official, the new status, handler, dates,
 * supplement/fee/result lists, and the due date moved by the paused working time (deadline engine).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { computeDue, type WorkCalendar } from '../core/deadline';
import { ACTION_TRANSITIONS, type ItemActionKind } from '../shared/actions';
import { DOSSIER_STATUS_WORDS, type ProcedureStatusCode } from '../shared/domain';
import { officialsWithRole, type Official } from './commune-data';
import { officialByUsername, type DossierRecord } from './data-generator';
import { formatVnTimestamp, parseVnTimestamp } from './vn-time';
import { cccdFacts } from '../shared/citizen';

export const DOSSIER_HANH_DONG = [
  'receive', 'refuse', 'forward', 'sendBack', 'requestSupplement', 'supplementReceived',
  'requestFees', 'recordResult', 'returnResult', 'stop', 'apology',
] as const;
export type HanhDong = (typeof DOSSIER_HANH_DONG)[number];

/** `HanhDong` ↔ the shared action kind (`receive` ↔ `dossier.receive`). */
export function dossierKindOf(action: HanhDong): ItemActionKind {
  return `dossier.${action}`;
}

/** What each action is called in Vietnamese ("không thể <verb>"). */
export const DOSSIER_ACTION_WORDS: Readonly<Record<HanhDong, string>> = {
  receive: 'tiếp nhận',
  refuse: 'từ chối tiếp nhận',
  forward: 'chuyển xử lý',
  sendBack: 'trả lại bước trước',
  requestSupplement: 'yêu cầu bổ sung',
  supplementReceived: 'nhận hồ sơ bổ sung',
  requestFees: 'yêu cầu thực hiện nghĩa vụ tài chính',
  recordResult: 'cập nhật kết quả',
  returnResult: 'trả kết quả',
  stop: 'dừng xử lý',
  apology: 'gửi phiếu xin lỗi và hẹn lại ngày trả kết quả',
};

const text = (max: number): z.ZodString => z.string().trim().min(1).max(max);
const Timestamp = z.string().regex(/^\d{14}$/, 'phải có dạng yyyyMMddHHmmss');

/** `yyyyMMdd` naming a real day. */
export function validYmd(v: string): boolean {
  const iso = `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/**
 * The applicant's fields as DongBoHoSoMC's `HoSo` and CapNhatTienDoHoSoMC's `ThongTinChuHoSo` carry
 * them (issue #6): NgaySinhChuHoSo yyyyMMdd, GioiTinh 1 nam / 2 nữ, DinhDanhCHS[0] = SoGiayToChuHoSo.
 */
export const applicantWireFields = {
  ChuHoSo: text(200),
  SoGiayToChuHoSo: z.string().regex(/^(\d{9}|\d{12})$/, 'phải là CCCD 12 chữ số hoặc CMND 9 chữ số'),
  DinhDanhCHS: z.array(z.object({ LoaiDinhDanh: z.union([z.literal(1), z.literal(2)]), SoDinhDanh: z.string().regex(/^(\d{9}|\d{12})$/) })).min(1).max(2),
  NgaySinhChuHoSo: z.string().regex(/^\d{8}$/, 'phải có dạng yyyyMMdd'),
  GioiTinh: z.union([z.literal(1), z.literal(2)]),
  DiaChiChuHoSo: text(500),
  SoDienThoai: z.string().trim().regex(/^(0\d{9,10})?$/, 'không phải số điện thoại'),
};
type ApplicantWire = Omit<{ [K in keyof typeof applicantWireFields]: z.infer<(typeof applicantWireFields)[K]> }, 'NgaySinhChuHoSo' | 'GioiTinh'> & {
  NgaySinhChuHoSo?: string | undefined;
  GioiTinh?: 1 | 2 | undefined;
};

/** ThongTinChuHoSo of a supplement: birth date and sex may be unknown to the official (absent = unchanged). */
export const ApplicantCorrectionWireSchema = z.object({
  ...applicantWireFields,
  NgaySinhChuHoSo: applicantWireFields.NgaySinhChuHoSo.optional(),
  GioiTinh: applicantWireFields.GioiTinh.optional(),
});

/** Cross-field rules of the applicant's fields (ID type and number, CCCD digits, real birth date). */
export function checkApplicantWire(h: ApplicantWire, ctx: z.RefinementCtx, at: readonly (string | number)[] = []): void {
  const first = h.DinhDanhCHS[0];
  if (first && first.SoDinhDanh !== h.SoGiayToChuHoSo) ctx.addIssue({ code: 'custom', path: [...at, 'DinhDanhCHS', 0, 'SoDinhDanh'], message: 'khác SoGiayToChuHoSo' });
  if (first && (first.LoaiDinhDanh === 1) !== (first.SoDinhDanh.length === 12)) ctx.addIssue({ code: 'custom', path: [...at, 'DinhDanhCHS', 0, 'LoaiDinhDanh'], message: '1 = CCCD 12 chữ số, 2 = CMND 9 chữ số' });
  const facts = h.SoGiayToChuHoSo.length === 12 ? cccdFacts(h.SoGiayToChuHoSo) : null;
  if (h.SoGiayToChuHoSo.length === 12 && facts === null) ctx.addIssue({ code: 'custom', path: [...at, 'SoGiayToChuHoSo'], message: 'số CCCD không hợp lệ (mã tỉnh hoặc chữ số thế kỷ/giới tính)' });
  if (h.NgaySinhChuHoSo !== undefined && !validYmd(h.NgaySinhChuHoSo)) ctx.addIssue({ code: 'custom', path: [...at, 'NgaySinhChuHoSo'], message: 'không phải ngày có thật' });
  else if (h.NgaySinhChuHoSo !== undefined && facts && String(facts.birthYear) !== h.NgaySinhChuHoSo.slice(0, 4)) ctx.addIssue({ code: 'custom', path: [...at, 'NgaySinhChuHoSo'], message: 'năm sinh không khớp với số CCCD' });
  if (h.GioiTinh !== undefined && facts && (facts.sex === 'male' ? 1 : 2) !== h.GioiTinh) ctx.addIssue({ code: 'custom', path: [...at, 'GioiTinh'], message: 'giới tính không khớp với số CCCD' });
}

/** A paper handed in (TaiLieuNop / TaiLieuBoSung): its name, KichThuoc when a file came with it. */
export const PaperWireSchema = z.object({ TenTepDinhKem: text(300), KichThuoc: z.number().int().min(0).max(100_000_000).optional() });

/** Scanned papers of one new dossier or supplement, decoded bytes in all. */
export const SCANNED_PAPERS_MAX_BYTES = 10 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A paper: a name, or a scanned file with its type, size and content (base64; the size must match the content). */
const ScannedPaperWireSchema = PaperWireSchema.extend({
  LoaiTep: z.string().trim().min(1).max(200).optional(),
  NoiDungTep: z.string().max(Math.ceil((6 * 1024 * 1024) / 3) * 4).regex(BASE64, 'nội dung tệp phải là base64').optional(),
}).superRefine((f, ctx) => {
  if (f.NoiDungTep === undefined) return;
  const bytes = Buffer.from(f.NoiDungTep, 'base64').length;
  if (f.KichThuoc !== bytes) ctx.addIssue({ code: 'custom', path: ['KichThuoc'], message: `kích thước ${String(f.KichThuoc)} không khớp với nội dung tệp (${bytes} byte)` });
});

/** TaiLieuNop of DongBoHoSoMC / TaiLieuBoSung of CapNhatTienDoHoSoMC: ≤ 40 papers, ≤ 10 MB of scanned content. */
export const ScannedPapersWireSchema = z
  .array(ScannedPaperWireSchema)
  .max(40)
  .refine((p) => p.reduce((n, f) => n + (f.NoiDungTep !== undefined ? (f.KichThuoc ?? 0) : 0), 0) <= SCANNED_PAPERS_MAX_BYTES, {
    message: `tổng dung lượng tệp quá ${SCANNED_PAPERS_MAX_BYTES / 1024 / 1024} MB`,
  });

/** The SHA-256 of a scanned paper's content, kept with the paper (nothing for a named paper). */
export function paperDigest(f: { NoiDungTep?: string | undefined }): { sha256?: string } {
  return f.NoiDungTep !== undefined ? { sha256: createHash('sha256').update(Buffer.from(f.NoiDungTep, 'base64')).digest('hex') } : {};
}

export const DossierActionBodySchema = z
  .object({
    MaHoSo: text(200),
    HanhDong: z.enum(DOSSIER_HANH_DONG),
    /** NgayCapNhat the official saw; '' or absent = no conflict check. */
    PhienBan: z.union([Timestamp, z.literal('')]).optional(),
    /** Acting official; absent = the session's user. */
    NguoiXuLy: text(100).optional(),
    NoiDung: z.string().trim().max(2000).optional(),
    LyDo: z.string().trim().max(1000).optional(),
    NguoiNhan: text(100).optional(),
    ThieuGiayTo: z.string().trim().max(1000).optional(),
    LePhi: z.array(z.object({ TenPhiLePhi: text(300), MucPhi: z.number().int().min(0).max(1_000_000_000) })).max(20).optional(),
    TenKetQua: z.string().trim().max(300).optional(),
    HinhThucTra: z.union([z.literal(0), z.literal(1)]).optional(),
    NgayHenTraMoi: Timestamp.optional(),
    /** Issue #6, supplementReceived only: the papers the citizen brought (appended to TaiLieuNop). */
    TaiLieuBoSung: ScannedPapersWireSchema.optional(),
    /** Issue #6, supplementReceived only: the applicant's fields as the official corrected them. */
    ThongTinChuHoSo: ApplicantCorrectionWireSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.ThongTinChuHoSo) checkApplicantWire(b.ThongTinChuHoSo, ctx, ['ThongTinChuHoSo']);
    if (b.HanhDong !== 'supplementReceived') {
      if (b.TaiLieuBoSung !== undefined) ctx.addIssue({ code: 'custom', path: ['TaiLieuBoSung'], message: 'chỉ dùng với HanhDong supplementReceived' });
      if (b.ThongTinChuHoSo !== undefined) ctx.addIssue({ code: 'custom', path: ['ThongTinChuHoSo'], message: 'chỉ dùng với HanhDong supplementReceived' });
    }
    const need = (field: keyof typeof b, ok: boolean, message: string): void => {
      if (!ok) ctx.addIssue({ code: 'custom', path: [field], message });
    };
    const long = (v: string | undefined): boolean => (v ?? '').length >= 3;
    switch (b.HanhDong) {
      case 'refuse':
      case 'sendBack':
      case 'stop':
        need('LyDo', long(b.LyDo), 'cần nêu lý do (ít nhất 3 ký tự)');
        break;
      case 'forward':
        need('NguoiNhan', b.NguoiNhan !== undefined, 'cần người nhận');
        if (b.NguoiNhan !== undefined) need('NguoiNhan', officialByUsername(b.NguoiNhan) !== undefined, `không có cán bộ "${b.NguoiNhan}"`);
        break;
      case 'requestSupplement':
        need('ThieuGiayTo', long(b.ThieuGiayTo), 'cần nêu giấy tờ phải bổ sung (ít nhất 3 ký tự)');
        break;
      case 'requestFees':
        need('LePhi', (b.LePhi ?? []).length > 0, 'cần ít nhất một khoản phí, lệ phí');
        break;
      case 'recordResult':
        need('TenKetQua', (b.TenKetQua ?? '').length > 0, 'cần tên giấy tờ kết quả');
        break;
      case 'returnResult':
        need('HinhThucTra', b.HinhThucTra !== undefined, 'cần hình thức trả (0 tại quầy, 1 qua bưu chính)');
        break;
      case 'apology':
        need('LyDo', long(b.LyDo), 'cần nêu lý do chậm (ít nhất 3 ký tự)');
        need('NgayHenTraMoi', b.NgayHenTraMoi !== undefined && parseVnTimestamp(b.NgayHenTraMoi) !== null, 'cần ngày hẹn trả mới hợp lệ');
        break;
      default:
        break;
    }
  });
export type DossierActionBody = z.infer<typeof DossierActionBodySchema>;

/** `dd/MM/yyyy HH:mm` in office time, for messages and step texts. */
export function vnDisplay(ms: number): string {
  const t = formatVnTimestamp(ms);
  return `${t.slice(8, 10)}:${t.slice(10, 12)} ${t.slice(6, 8)}/${t.slice(4, 6)}/${t.slice(0, 4)}`;
}

export type ActionRefusal = { code: '3' | '422'; message: string };

/** The official handling the dossier before the current one (sendBack target), or null. */
export function previousHandler(rec: DossierRecord): Official | null {
  const current = rec.assignee?.username ?? rec.steps[rec.steps.length - 1]?.official.username;
  for (let i = rec.steps.length - 1; i >= 0; i--) {
    const step = rec.steps[i];
    if (step && step.official.username !== current) return step.official;
  }
  return null;
}

/** Is the dossier late (so an apology letter is due)? While paused: only if it was late when paused. */
export function isDossierOverdue(rec: DossierRecord, now: number): boolean {
  if (rec.dueAt === null) return false;
  if (rec.status === '5') {
    const open = rec.supplements.find((s) => s.receivedAt === null);
    return open ? open.requestedAt > rec.dueAt : rec.dueAt < now;
  }
  return rec.dueAt < now;
}

/**
 * Why this action cannot be applied now (422 illegal / 3 bad parameters), or null when it can.
 * The version check (409) is the caller's, before this.
 */
export function checkDossierAction(rec: DossierRecord, body: DossierActionBody, now: number): ActionRefusal | null {
  const rule = ACTION_TRANSITIONS[dossierKindOf(body.HanhDong)];
  const verb = DOSSIER_ACTION_WORDS[body.HanhDong];
  if (!rule.from.includes(rec.status)) {
    return { code: '422', message: `Hồ sơ đang ở trạng thái "${DOSSIER_STATUS_WORDS[rec.status] ?? rec.status}"; không thể ${verb}.` };
  }
  switch (body.HanhDong) {
    case 'supplementReceived':
      if (body.ThongTinChuHoSo && rec.organisation) {
        return { code: '422', message: `Hồ sơ ${rec.code} do tổ chức "${rec.organisation.name}" nộp; không sửa thông tin cá nhân người nộp được.` };
      }
      return null;
    case 'sendBack':
      if (!previousHandler(rec)) return { code: '422', message: 'Hồ sơ chưa qua bước xử lý nào trước đó; không thể trả lại bước trước.' };
      return null;
    case 'apology': {
      if (!isDossierOverdue(rec, now)) {
        const due = rec.dueAt === null ? 'chưa có ngày hẹn trả' : `hẹn trả ${vnDisplay(rec.dueAt)}`;
        return { code: '422', message: `Hồ sơ chưa quá hạn (${due}); chỉ gửi phiếu xin lỗi và hẹn lại khi hồ sơ đã quá hạn.` };
      }
      const newDue = parseVnTimestamp(body.NgayHenTraMoi ?? '') ?? 0;
      if (newDue <= now) return { code: '3', message: `Tham số không hợp lệ: NgayHenTraMoi phải sau thời điểm hiện tại (${vnDisplay(now)}).` };
      return null;
    }
    default:
      return null;
  }
}

const RECEPTION = officialsWithRole('reception');

function withNote(base: string, note: string | undefined): string {
  const n = (note ?? '').trim();
  return n === '' ? base : `${base}. ${n}`;
}

function formatMoney(amount: number): string {
  return `${amount.toLocaleString('vi-VN')} đồng`;
}

/**
 * Apply a legal action (checkDossierAction passed) at write time `t` (whole seconds, after the
 * newest key) by `actor`. The caller re-indexes the record; `rec.updatedAt` becomes `t`.
 */
export function applyDossierAction(cal: WorkCalendar, rec: DossierRecord, body: DossierActionBody, actor: Official, t: number): void {
  const p = rec.procedure;
  let status = rec.status;
  let content: string;
  switch (body.HanhDong) {
    case 'receive': {
      rec.receivedAt = t;
      rec.dueAt = computeReceivedDue(cal, rec, t);
      rec.feesPaid = p.fee.kind !== 'none' && !p.feeAfterProcessing;
      content = withNote(`Tiếp nhận hồ sơ${rec.channel === 2 ? ' trực tuyến' : rec.channel === 3 ? ' qua dịch vụ bưu chính công ích' : ''}`, body.NoiDung);
      status = '2';
      rec.assignee = actor;
      break;
    }
    case 'refuse':
      rec.refusedAt = t;
      content = `Từ chối tiếp nhận hồ sơ: ${body.LyDo ?? ''}`;
      status = '3';
      rec.assignee = null;
      break;
    case 'forward': {
      const to = officialByUsername(body.NguoiNhan ?? '') ?? actor;
      content = withNote(`Chuyển hồ sơ đến ${to.fullName} (${to.department}) xử lý`, body.NoiDung);
      status = '4';
      rec.assignee = to;
      break;
    }
    case 'sendBack': {
      const back = previousHandler(rec) ?? actor;
      content = `Trả lại hồ sơ cho ${back.fullName} (${back.department}): ${body.LyDo ?? ''}`;
      status = '4';
      rec.assignee = back;
      break;
    }
    case 'requestSupplement': {
      const missing = body.ThieuGiayTo ?? '';
      rec.supplements.push({ requestedAt: t, receivedAt: null, reason: withNote(missing, body.NoiDung), oldDueAt: rec.dueAt ?? t, newDueAt: null });
      content = `Yêu cầu bổ sung hồ sơ: ${missing}`;
      status = '5';
      rec.assignee = actor;
      break;
    }
    case 'supplementReceived': {
      const open = rec.supplements.find((s) => s.receivedAt === null);
      if (open) {
        // The clock stood still while the citizen gathered the papers: the due moves by that working time.
        const paused = cal.workingMinutesBetween(open.requestedAt, t);
        const oldDue = rec.dueAt ?? open.oldDueAt;
        const newDue = paused > 0 ? Math.floor(cal.addWorkingMinutes(oldDue, paused) / 1000) * 1000 : oldDue;
        open.receivedAt = t;
        open.newDueAt = newDue;
        rec.dueAt = newDue;
      }
      const papers = body.TaiLieuBoSung ?? [];
      if (papers.length > 0) {
        rec.supplementPapers = (rec.supplementPapers ?? []).concat(papers.map((f) => ({ name: f.TenTepDinhKem, size: f.KichThuoc ?? null, at: t, ...paperDigest(f) })));
      }
      const who = body.ThongTinChuHoSo;
      if (who) {
        // A copy: generated dossiers of one citizen share the record.
        const ymd = who.NgaySinhChuHoSo;
        rec.applicant = {
          ...rec.applicant,
          fullName: who.ChuHoSo,
          idNumber: who.SoGiayToChuHoSo,
          idType: who.SoGiayToChuHoSo.length === 12 ? 1 : 2,
          ...(ymd !== undefined ? { birthDate: `${ymd.slice(6, 8)}${ymd.slice(4, 6)}${ymd.slice(0, 4)}`, birthYear: Number(ymd.slice(0, 4)) } : {}),
          ...(who.GioiTinh !== undefined ? { sex: who.GioiTinh === 1 ? ('male' as const) : ('female' as const) } : {}),
          address: who.DiaChiChuHoSo,
          phone: who.SoDienThoai,
        };
      }
      const received = papers.length > 0 ? `Tiếp nhận hồ sơ bổ sung: ${papers.map((f) => f.TenTepDinhKem).join('; ')}` : 'Tiếp nhận hồ sơ bổ sung';
      content = withNote(who ? `${received}. Cập nhật thông tin người nộp` : received, body.NoiDung);
      status = '4';
      // Back to the official who asked for the papers.
      const requester = [...rec.steps].reverse().find((s) => s.status === '5')?.official;
      rec.assignee = requester ?? rec.assignee ?? actor;
      break;
    }
    case 'requestFees': {
      const fees = (body.LePhi ?? []).map((f) => ({ name: f.TenPhiLePhi, amount: f.MucPhi, paid: false }));
      rec.extraFees = (rec.extraFees ?? []).concat(fees);
      content = `Thông báo thực hiện nghĩa vụ tài chính: ${fees.map((f) => `${f.name} ${formatMoney(f.amount)}`).join('; ')}`;
      status = '6';
      rec.assignee = rec.assignee ?? actor;
      break;
    }
    case 'recordResult': {
      if (rec.status === '6') {
        rec.feesPaid = true;
        for (const f of rec.extraFees ?? []) f.paid = true;
        for (const f of rec.counterFees ?? []) f.paid = true;
      }
      const results = rec.results ?? [];
      results.push({ name: body.TenKetQua ?? p.result, code: `${rec.code}-KQ${results.length + 1}` });
      rec.results = results;
      rec.finishedAt = t;
      content = withNote(`Cập nhật kết quả giải quyết: ${body.TenKetQua ?? p.result}`, body.NoiDung);
      status = '9';
      rec.assignee = RECEPTION[0] ?? actor;
      break;
    }
    case 'returnResult':
      rec.returnMethod = body.HinhThucTra ?? 0;
      rec.returnedAt = t;
      content = withNote(rec.returnMethod === 1 ? 'Trả kết quả qua dịch vụ bưu chính công ích' : 'Trả kết quả cho công dân tại Bộ phận Một cửa', body.NoiDung);
      status = '10';
      rec.assignee = null;
      break;
    case 'stop':
      rec.finishedAt = t;
      content = `Dừng xử lý hồ sơ: ${body.LyDo ?? ''}`;
      status = '8';
      rec.assignee = null;
      break;
    case 'apology': {
      const newDue = parseVnTimestamp(body.NgayHenTraMoi ?? '') ?? t;
      if (rec.originalDueAt === undefined && rec.dueAt !== null) rec.originalDueAt = rec.dueAt;
      rec.dueAt = newDue;
      content = `Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả (${vnDisplay(newDue)}): ${body.LyDo ?? ''}`;
      break;
    }
  }
  pushActionStep(rec, t, actor, content, status);
}

/** NgayHenTra at reception: the deadline engine with the procedure's statutory duration. */
function computeReceivedDue(cal: WorkCalendar, rec: DossierRecord, t: number): number {
  const due = computeDue(cal, { receivedAt: t, duration: { hours: rec.procedure.hours, unit: rec.procedure.unit } });
  return Math.floor(due / 1000) * 1000;
}

function pushActionStep(rec: DossierRecord, t: number, actor: Official, content: string, status: ProcedureStatusCode): void {
  const prev = rec.steps[rec.steps.length - 1];
  rec.steps.push({ at: t, startedAt: prev ? prev.at : rec.submittedAt, dueAt: rec.dueAt, official: actor, content, status });
  rec.status = status;
  rec.updatedAt = t;
}
