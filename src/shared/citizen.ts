/**
 * Citizens (issue #6): the CCCD chip card's QR code, ID-number checks, privacy masks and the
 * contract schemas of the citizen view and the unified search. Pure: no Node, no DOM.
 *
 * QR text (DOMAIN.md): `ID number|old CMND|full name|ddmmyyyy|sex|address|issue date ddmmyyyy`.
 * A 12-digit CCCD = 3-digit province code + century/sex digit (1900s: male 0, female 1; 2000s: 2/3;
 * 2100s: 4/5) + 2 digits of the birth year + 6 digits. Old CMND numbers have 9 digits.
 */
import { z } from 'zod';
import { SourceSchema, SlaStateSchema, SLA_STATES, SOURCES } from './domain';
import { WorkItemSchema } from './work-item';
import { foldVietnamese } from './text';

/**
 * Province codes of the CCCD number (the 63 provinces of registration, Circular 07/2016/TT-BCA; the
 * 2025 province mergers did not renumber issued cards).
 */
export const CCCD_PROVINCES: Readonly<Record<string, string>> = {
  '001': 'Hà Nội', '002': 'Hà Giang', '004': 'Cao Bằng', '006': 'Bắc Kạn', '008': 'Tuyên Quang', '010': 'Lào Cai',
  '011': 'Điện Biên', '012': 'Lai Châu', '014': 'Sơn La', '015': 'Yên Bái', '017': 'Hòa Bình', '019': 'Thái Nguyên',
  '020': 'Lạng Sơn', '022': 'Quảng Ninh', '024': 'Bắc Giang', '025': 'Phú Thọ', '026': 'Vĩnh Phúc', '027': 'Bắc Ninh',
  '030': 'Hải Dương', '031': 'Hải Phòng', '033': 'Hưng Yên', '034': 'Thái Bình', '035': 'Hà Nam', '036': 'Nam Định',
  '037': 'Ninh Bình', '038': 'Thanh Hóa', '040': 'Nghệ An', '042': 'Hà Tĩnh', '044': 'Quảng Bình', '045': 'Quảng Trị',
  '046': 'Thừa Thiên Huế', '048': 'Đà Nẵng', '049': 'Quảng Nam', '051': 'Quảng Ngãi', '052': 'Bình Định', '054': 'Phú Yên',
  '056': 'Khánh Hòa', '058': 'Ninh Thuận', '060': 'Bình Thuận', '062': 'Kon Tum', '064': 'Gia Lai', '066': 'Đắk Lắk',
  '067': 'Đắk Nông', '068': 'Lâm Đồng', '070': 'Bình Phước', '072': 'Tây Ninh', '074': 'Bình Dương', '075': 'Đồng Nai',
  '077': 'Bà Rịa - Vũng Tàu', '079': 'TP. Hồ Chí Minh', '080': 'Long An', '082': 'Tiền Giang', '083': 'Bến Tre',
  '084': 'Trà Vinh', '086': 'Vĩnh Long', '087': 'Đồng Tháp', '089': 'An Giang', '091': 'Kiên Giang', '092': 'Cần Thơ',
  '093': 'Hậu Giang', '094': 'Sóc Trăng', '095': 'Bạc Liêu', '096': 'Cà Mau',
};

export const SEXES = ['male', 'female'] as const;
export type CitizenSex = (typeof SEXES)[number];

/** What a CCCD number itself says: province, sex and birth year (null when it is not a valid CCCD). */
export interface CccdFacts {
  province: string;
  provinceName: string;
  sex: CitizenSex;
  birthYear: number;
}

export function cccdFacts(idNumber: string): CccdFacts | null {
  if (!/^\d{12}$/.test(idNumber)) return null;
  const province = idNumber.slice(0, 3);
  const provinceName = CCCD_PROVINCES[province];
  if (provinceName === undefined) return null;
  const digit = Number(idNumber[3]);
  if (digit > 5) return null;
  const century = 1900 + Math.floor(digit / 2) * 100;
  return { province, provinceName, sex: digit % 2 === 0 ? 'male' : 'female', birthYear: century + Number(idNumber.slice(4, 6)) };
}

/** A scanned card, checked. Dates as ISO `yyyy-mm-dd`. */
export const ScannedCardSchema = z.object({
  idNumber: z.string().regex(/^\d{12}$/),
  oldIdNumber: z.string().regex(/^\d{9}$/).nullable(),
  fullName: z.string().min(1).max(200),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sex: z.enum(SEXES),
  address: z.string().max(500),
  issueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type ScannedCard = z.infer<typeof ScannedCardSchema>;

export const QR_ERROR_CODES = [
  'not_cccd',
  'partial',
  'id_format',
  'province',
  'century_sex',
  'birth_year',
  'old_id',
  'name',
  'birth_date',
  'sex',
  'issue_date',
] as const;
export type QrErrorCode = (typeof QR_ERROR_CODES)[number];

export type QrParseResult = { ok: true; card: ScannedCard } | { ok: false; code: QrErrorCode; message: string };

/** Does this text look like (the start of) a CCCD QR code? 12 digits, then a pipe. */
export function looksLikeCccdQr(text: string): boolean {
  return /^\s*\d{9,12}\|/.test(text);
}

const fail = (code: QrErrorCode, message: string): QrParseResult => ({ ok: false, code, message });

/** `ddmmyyyy` → ISO date, or null when it is not a real calendar date. */
export function parseDdMmYyyy(text: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${m[3]}-${m[2]}-${m[1]}`;
}

function isoOfEpoch(epochMs: number): string {
  // Vietnam is UTC+7 all year.
  return new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Parse and check a scanned CCCD QR code. `now` (epoch ms) bounds the dates. Every refusal carries a
 * plain Vietnamese message for the counter official.
 */
export function parseCccdQr(raw: string, now: number): QrParseResult {
  const text = raw.normalize('NFC').replace(/[\r\n]+$/u, '').trim();
  if (!looksLikeCccdQr(text)) {
    return fail('not_cccd', 'Không phải mã QR của thẻ căn cước công dân.');
  }
  const fields = text.split('|');
  if (fields.length < 7) {
    return fail('partial', `Mã QR quét chưa đủ (${fields.length}/7 trường). Vui lòng quét lại thẻ.`);
  }
  // Some card generations append more fields after the issue date; the first seven are the standard ones.
  const [id = '', oldId = '', name = '', birth = '', sex = '', address = '', issue = ''] = fields;
  if (!/^\d{12}$/.test(id)) return fail('id_format', 'Số định danh trên mã QR phải có đúng 12 chữ số.');
  if (CCCD_PROVINCES[id.slice(0, 3)] === undefined) {
    return fail('province', `Mã tỉnh ${id.slice(0, 3)} trong số định danh không tồn tại.`);
  }
  const facts = cccdFacts(id);
  if (!facts) return fail('century_sex', `Chữ số thứ tư của số định danh (${id[3] ?? ''}) không hợp lệ (chỉ từ 0 đến 5).`);
  if (oldId !== '' && !/^\d{9}$/.test(oldId)) return fail('old_id', 'Số CMND cũ trên mã QR phải có 9 chữ số.');
  const fullName = name.replace(/\s+/g, ' ').trim();
  if (fullName === '' || !/^[\p{L}][\p{L}\s'.-]*$/u.test(fullName) || fullName.length > 200) {
    return fail('name', 'Họ tên trên mã QR không đọc được.');
  }
  const birthDate = parseDdMmYyyy(birth);
  if (!birthDate) return fail('birth_date', `Ngày sinh "${birth}" không phải ngày hợp lệ (ddmmyyyy).`);
  const today = isoOfEpoch(now);
  if (birthDate > today) return fail('birth_date', 'Ngày sinh ở sau ngày hôm nay.');
  const sexFolded = foldVietnamese(sex.trim());
  const cardSex: CitizenSex | null = sexFolded === 'nam' ? 'male' : sexFolded === 'nu' ? 'female' : null;
  if (!cardSex) return fail('sex', `Giới tính "${sex}" không hợp lệ (Nam hoặc Nữ).`);
  const birthYear = Number(birthDate.slice(0, 4));
  if (facts.birthYear !== birthYear) {
    const centuryOk = Math.floor(facts.birthYear / 100) === Math.floor(birthYear / 100);
    return centuryOk
      ? fail('birth_year', `Số định danh ghi năm sinh ${facts.birthYear}, ngày sinh trên thẻ là năm ${birthYear}.`)
      : fail('century_sex', `Chữ số thế kỷ/giới tính của số định danh không khớp năm sinh ${birthYear}.`);
  }
  if (facts.sex !== cardSex) {
    return fail('century_sex', `Chữ số giới tính của số định danh không khớp giới tính "${sex.trim()}" trên thẻ.`);
  }
  const issueDate = parseDdMmYyyy(issue.trim());
  if (!issueDate) return fail('issue_date', `Ngày cấp "${issue}" không phải ngày hợp lệ (ddmmyyyy).`);
  if (issueDate < birthDate || issueDate > today) return fail('issue_date', 'Ngày cấp thẻ không hợp lệ (trước ngày sinh hoặc sau hôm nay).');
  return {
    ok: true,
    card: { idNumber: id, oldIdNumber: oldId === '' ? null : oldId, fullName, birthDate, sex: cardSex, address: address.trim(), issueDate },
  };
}

// ---------- privacy masks ----------

/** "Nguyễn Văn Đức" → "N. V. Đ." */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter((p) => p !== '')
    .map((p) => `${[...p][0] ?? ''}.`)
    .join(' ');
}

/** ID and phone numbers keep their last 3 digits. */
export function maskNumber(value: string): string {
  const digits = value.replace(/\s+/g, '');
  if (digits.length <= 3) return '•••';
  return `${'•'.repeat(Math.min(digits.length - 3, 9))}${digits.slice(-3)}`;
}

export const HIDDEN = '•••';

/** Phone number as stored and looked up: digits only, +84 → 0. */
export function normalizePhone(phone: string): string {
  let digits = phone.replace(/[^\d+]/g, '');
  if (digits.startsWith('+84')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('84') && digits.length === 11) digits = `0${digits.slice(2)}`;
  return digits.replace(/\D/g, '');
}

// ---------- contract ----------

/** Where a known value came from. */
export const ProvenanceSchema = z.object({
  /** 'dossier': the applicant of a cached dossier; 'scan': a CCCD scan; 'id': derived from the ID number. */
  kind: z.enum(['dossier', 'scan', 'id']),
  /** Dossier code, or null. */
  ref: z.string().nullable(),
  itemId: z.string().nullable(),
  at: z.number(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const CitizenSchema = z.object({
  idNumber: z.string(),
  fullName: z.string(),
  birthYear: z.number().int().nullable(),
  birthDate: z.string().nullable(),
  sex: z.enum(SEXES).nullable(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  /** Per field, where its value came from. */
  provenance: z.record(z.string(), ProvenanceSchema),
  dossierCount: z.number().int(),
  updatedAt: z.number(),
});
export type Citizen = z.infer<typeof CitizenSchema>;

export const CitizenFindInputSchema = z
  .object({
    /** ID number (12-digit CCCD or 9-digit CMND), a phone number, or a name with a birth year. */
    q: z.string().trim().min(1).max(200),
  })
  .strict();

export const CitizenFindOutputSchema = z.object({
  /** How the text was read. */
  by: z.enum(['id', 'phone', 'name_year', 'name']),
  citizens: z.array(CitizenSchema),
});

export const TimelineEntrySchema = z.object({
  item: WorkItemSchema,
  /** The date the timeline is ordered by (received). */
  at: z.number(),
  /** Why it belongs to this person. */
  via: z.enum(['applicant', 'cites_id', 'cites_dossier', 'linked']),
  /** Ids of the other timeline entries it is linked with. */
  linkedIds: z.array(z.string()),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const CitizenViewSchema = z.object({
  citizen: CitizenSchema.nullable(),
  idNumber: z.string(),
  timeline: z.array(TimelineEntrySchema),
});
export type CitizenView = z.infer<typeof CitizenViewSchema>;

export const CitizenViewInputSchema = z
  .object({
    idNumber: z
      .string()
      .regex(/^(\d{9}|\d{12})$/, 'Số định danh gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND)')
      .optional(),
    /** The raw text of a CCCD QR code just scanned: parsed and checked again by the core, stored as provenance. */
    scan: z.string().max(1000).optional(),
  })
  .strict()
  .refine((v) => (v.idNumber === undefined) !== (v.scan === undefined), { message: 'idNumber hoặc scan (chỉ một)' });

export const SearchFilterSchema = z
  .object({
    q: z.string().max(200),
    sources: z.array(SourceSchema).max(SOURCES.length).optional(),
    statuses: z.array(z.string().max(16)).max(20).optional(),
    sla: z.array(SlaStateSchema).max(SLA_STATES.length).optional(),
    /** Received between (epoch ms, inclusive). */
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    includeClosed: z.boolean().default(true),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type SearchFilter = z.input<typeof SearchFilterSchema>;

export const SearchHitSchema = z.object({
  item: WorkItemSchema,
  /** Where the words were found: the record itself, or the text of an attachment (its name). */
  inAttachment: z.string().nullable(),
});

export const SearchGroupSchema = z.object({
  /** Citizen ID number the hits belong to, or null (no known person). */
  citizenId: z.string().nullable(),
  citizenName: z.string().nullable(),
  /** The case (dossier code) or null. */
  caseRef: z.string().nullable(),
  hits: z.array(SearchHitSchema),
});
export type SearchGroup = z.infer<typeof SearchGroupSchema>;

export const SearchOutputSchema = z.object({
  groups: z.array(SearchGroupSchema),
  total: z.number().int(),
  /** The bound on candidate hits was reached (narrow the words). */
  truncated: z.boolean(),
});
export type SearchOutput = z.infer<typeof SearchOutputSchema>;

/** Issue #6 methods, spread into `apiContract` (src/shared/api.ts). */
export const citizenContract = {
  /** People by ID number, phone, or name (+ birth year). */
  'citizen.find': { input: CitizenFindInputSchema, output: CitizenFindOutputSchema },
  /** One person's dossiers, mails and documents on a timeline; every call is audited. */
  'citizen.view': { input: CitizenViewInputSchema, output: CitizenViewSchema },
  /** Unified search (records and attachment text), grouped by citizen and case. */
  'search.query': { input: SearchFilterSchema, output: SearchOutputSchema },
} as const;
