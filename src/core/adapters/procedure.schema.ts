/**
 * zod schemas for the procedure system (DVCQG-style JSON), see docs/backend-protocols.md §1.
 * Lenient where real systems are known to vary (numbers sent as strings, "" for empty dates),
 * strict where the cache depends on it (codes, status, update time).
 */
import { z } from 'zod';
import { PROCEDURE_STATUS_CODES } from '../../shared/domain';
import { OptionalVnDateTimeSchema, VnDateTimeSchema } from './backend-date.util';

/** Integer sent as a number or a numeric string. */
export const IntLike = z.union([z.number(), z.string().trim().regex(/^-?\d+$/, 'expected an integer')]).transform(Number).pipe(z.number().int());
/** Number sent as a number or a numeric string ("50000", "50000.0"). */
export const NumberLike = z
  .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'expected a number')])
  .transform(Number)
  .pipe(z.number().finite());
/** Boolean sent as a boolean, 0/1 or "true"/"false"/"0"/"1". */
export const BoolLike = z.union([
  z.boolean(),
  z.literal(0).transform(() => false),
  z.literal(1).transform(() => true),
  z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true'),
]);
/** Optional text: absent, null or blank → null. */
export const OptText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v).trim() || null));
const NonEmpty = z.string().trim().min(1, 'must not be empty');
const optArray = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);

export const ProcessingStepPayloadSchema = z.object({
  MaHoSo: z.string().optional(),
  NguoiXuLy: NonEmpty,
  ChucDanh: OptText,
  ThoiDiemXuLy: VnDateTimeSchema,
  PhongBanXuLy: OptText,
  NoiDungXuLy: z.string().nullish().transform((v) => v ?? ''),
  TrangThai: z.union([z.string(), z.number()]).transform(String),
  NgayBatDau: OptionalVnDateTimeSchema,
  NgayKetThucTheoQuyDinh: OptionalVnDateTimeSchema,
});

export const DossierPayloadSchema = z.object({
  MaHoSo: NonEmpty,
  MaTTHC: NonEmpty,
  TenTTHC: NonEmpty,
  MaLinhVuc: OptText,
  TenLinhVuc: OptText,
  KenhThucHien: IntLike.pipe(z.number().int().min(1).max(3)),
  ChuHoSo: NonEmpty,
  SoGiayToChuHoSo: OptText,
  LoaiDoiTuong: IntLike.pipe(z.number().int().min(1).max(4)),
  SoDienThoai: OptText,
  Email: OptText,
  DiaChiChuHoSo: OptText,
  TrichYeuHoSo: z.string(),
  NgayNopHoSo: OptionalVnDateTimeSchema,
  NgayTiepNhan: OptionalVnDateTimeSchema,
  NgayHenTra: OptionalVnDateTimeSchema,
  /** Only after an apology letter: the original due (issue #5: on-time is judged against it). */
  NgayHenTraBanDau: OptionalVnDateTimeSchema,
  TrangThaiHoSo: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .pipe(z.enum(PROCEDURE_STATUS_CODES)),
  NgayTra: OptionalVnDateTimeSchema,
  NgayKetThucXuLy: OptionalVnDateTimeSchema,
  NgayTuChoi: OptionalVnDateTimeSchema,
  DonViXuLy: OptText,
  HinhThuc: z
    .union([IntLike.pipe(z.number().int().min(0).max(1)), z.literal('')])
    .nullish()
    .transform((v) => (typeof v === 'number' ? v : null)),
  DinhDanhCHS: optArray(
    z.object({
      LoaiDinhDanh: IntLike.pipe(z.number().int().min(1).max(2)),
      SoDinhDanh: z.union([NonEmpty, z.number()]).transform(String),
    }),
  ),
  TaiLieuNop: optArray(
    z.object({
      TepDinhKemId: z.union([z.string(), z.number()]).nullish(),
      TenTepDinhKem: NonEmpty,
      DuongDanTaiTepTin: OptText,
      KichThuoc: NumberLike.pipe(z.number().min(0)).nullish(),
    }),
  ),
  DanhSachLePhi: optArray(
    z.object({
      TenPhiLePhi: NonEmpty,
      MucPhi: NumberLike.pipe(z.number().min(0)),
      DaThanhToan: BoolLike,
    }),
  ),
  DanhSachHoSoBoSung: optArray(
    z.object({
      NgayYeuCauBoSung: VnDateTimeSchema,
      NgayTiepNhanBoSung: OptionalVnDateTimeSchema,
      NoiDungYeuCauBoSung: z.string().nullish().transform((v) => v ?? ''),
      NgayHenTraCu: OptionalVnDateTimeSchema,
      NgayHenTraMoi: OptionalVnDateTimeSchema,
    }),
  ),
  DanhSachGiayToKetQua: optArray(
    z.object({
      TenGiayTo: NonEmpty,
      MaGiayToKetQua: OptText,
    }),
  ),
  NguoiXuLyHienTai: z
    .object({ TenDangNhap: NonEmpty, HoTen: OptText })
    .nullish()
    .transform((v) => v ?? null),
  NgayCapNhat: VnDateTimeSchema,
  QuaTrinhXuLy: optArray(ProcessingStepPayloadSchema),
});
export type DossierPayload = z.output<typeof DossierPayloadSchema>;

/** Envelope every procedure answer shares. */
export const ProcedureEnvelopeSchema = z.looseObject({
  error_code: z.union([z.string(), z.number()]).transform((v) => String(v).trim()),
  message: z.string().nullish(),
});

export const LoginAnswerSchema = z.looseObject({
  session: z.string().min(1),
  HetHan: z.string().nullish(),
});

export const DossierListAnswerSchema = z.looseObject({
  result: z.array(z.unknown()),
  CoTiep: BoolLike,
  TongSo: NumberLike.pipe(z.number().int().min(0)).nullish(),
});

export const DossierLookupAnswerSchema = z.looseObject({
  result: z.unknown(),
});

/** Keys the keyset cursor needs from a raw record, even a record that fails full validation. */
export const CursorKeySchema = z.looseObject({
  MaHoSo: NonEmpty,
  NgayCapNhat: z.string().regex(/^\d{14}$/),
});

export const PROCEDURE_UNITS = ['working', 'calendar', 'same_day'] as const;
export type ProcedureUnit = (typeof PROCEDURE_UNITS)[number];

function unitOf(value: string): ProcedureUnit | null {
  const v = value.trim().toLowerCase().normalize('NFC');
  if (v === 'ngày làm việc' || v === 'working') return 'working';
  if (v === 'ngày' || v === 'calendar') return 'calendar';
  if (v === 'trong ngày' || v === 'same_day') return 'same_day';
  return null;
}

export const ProcedurePayloadSchema = z
  .object({
    MaTTHC: NonEmpty,
    TenTTHC: NonEmpty,
    MaLinhVuc: OptText,
    TenLinhVuc: OptText,
    ThoiGianGiaiQuyet: NumberLike.pipe(z.number().min(0)),
    DonViTinh: z.string().transform((value, ctx) => {
      const unit = unitOf(value);
      if (!unit) {
        ctx.addIssue({ code: 'custom', message: `unknown DonViTinh "${value.slice(0, 40)}"` });
        return z.NEVER;
      }
      return unit;
    }),
    /** Issue #6: component papers (thành phần hồ sơ); absent on catalogues that do not list them. */
    ThanhPhanHoSo: optArray(z.object({ TenGiayTo: NonEmpty })),
    /** Issue #6: fees and charges of the procedure. */
    LePhi: optArray(z.object({ TenPhiLePhi: NonEmpty, MucPhi: NumberLike.pipe(z.number().min(0)) })),
  })
  .transform((p) => ({
    code: p.MaTTHC,
    name: p.TenTTHC,
    fieldCode: p.MaLinhVuc,
    fieldName: p.TenLinhVuc,
    hours: p.ThoiGianGiaiQuyet,
    unit: p.DonViTinh,
    papers: p.ThanhPhanHoSo.map((t) => t.TenGiayTo),
    fees: p.LePhi.map((f) => ({ name: f.TenPhiLePhi, amount: Math.round(f.MucPhi) })),
  }));

/** A procedure of the catalogue (LayDanhSachTTHC). `hours` is the statutory duration. */
export type ProcedureInfo = z.output<typeof ProcedurePayloadSchema>;

export const ProcedureListAnswerSchema = z.looseObject({
  result: z.array(z.unknown()),
});
