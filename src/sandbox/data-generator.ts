/**
 * Deterministic, realistic data of one commune (UBND phường Ngọc Hà, TP Hà Nội) for the training
 * sandbox: citizens, the procedure catalogue, dossiers with their processing history, and incoming
 * documents. Everything depends only on (seed, now, sizes) and the calendar.
 *
 * Records are kept compact (epoch ms, references to shared catalogue objects) and turned into the
 * wire shapes of docs/backend-protocols.md on request (`toDossierJson`, `toDocumentEntry`,
 * `renderEdxml` in edxml-render.ts), so 200,000 items fit in memory and generate in a few seconds.
 *
 * Due times (NgayHenTra) come from the deadline engine (`computeDue`) with the procedure's duration
 * and the closed supplement pauses; step times are placed in working time with the calendar.
 */
import { computeDue, defaultCalendar, endOfDateInOffice, type Pause, type WorkCalendar } from '../core/deadline';
import { foldVietnamese } from '../shared/text';
import type { DocumentStatusCode, ProcedureStatusCode } from '../shared/domain';
import {
  BABY_BOY_NAMES, BABY_GIRL_NAMES, DOC_SPHERES, DOC_TOPICS, DOC_TYPES, DON_VI_TINH, FAMILY_NAMES, FEMALE_GIVEN,
  FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, MOBILE_PREFIXES, OFFICIALS, PROCEDURES, PROVINCE_CODES, REFUSAL_REASONS,
  SENDERS, STREETS, SUPPLEMENT_REASONS, TO_DAN_PHO_COUNT, UNIT_CODE, UNIT_NAME, WARD_SUFFIX, officialsWithRole,
  type DocTypeDef, type Official, type OfficialRole, type ProcedureDef, type Sender,
} from './commune-data';
import { Rng, mixSeed } from './prng';
import { formatVnTimestamp, formatVnTimestampOrEmpty, vnSlashDate, vnYymmdd } from './vn-time';

export { mulberry32, mixSeed, Rng } from './prng';
export { OFFICIALS, PROCEDURES, UNIT_CODE, UNIT_NAME } from './commune-data';
export type { Official, ProcedureDef, Sender } from './commune-data';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// ================================================================ records (compact, ms times)

export type Sex = 'male' | 'female';

export interface Citizen {
  fullName: string;
  sex: Sex;
  /** `ddmmyyyy` as on the CCCD QR code. */
  birthDate: string;
  birthYear: number;
  /** 12-digit CCCD, or 9-digit CMND for the few who still use one. */
  idNumber: string;
  /** 1 = CCCD, 2 = CMND (LoaiDinhDanh). */
  idType: 1 | 2;
  /** Old 9-digit CMND of a CCCD holder (printed on the QR code), or null. */
  oldIdNumber: string | null;
  phone: string;
  email: string | null;
  address: string;
  /** `ddmmyyyy` issue date of the card. */
  issueDate: string;
}

export interface StepRecord {
  at: number;
  /** NgayBatDau: when this official got the dossier. */
  startedAt: number;
  /** NgayKetThucTheoQuyDinh, or null. */
  dueAt: number | null;
  official: Official;
  content: string;
  status: ProcedureStatusCode;
}

export interface SupplementRecord {
  requestedAt: number;
  receivedAt: number | null;
  reason: string;
  oldDueAt: number;
  newDueAt: number | null;
}

export interface DossierRecord {
  code: string;
  procedure: ProcedureDef;
  /** KenhThucHien 1 counter, 2 online, 3 post. */
  channel: 1 | 2 | 3;
  applicant: Citizen;
  /** Business name when the applicant is an organisation (LoaiDoiTuong 2/3), else null. */
  organisation: { name: string; taxCode: string } | null;
  applicantType: 1 | 2 | 3 | 4;
  summary: string;
  submittedAt: number;
  receivedAt: number | null;
  dueAt: number | null;
  status: ProcedureStatusCode;
  finishedAt: number | null;
  returnedAt: number | null;
  refusedAt: number | null;
  /** HinhThuc 0 counter, 1 post. */
  returnMethod: 0 | 1;
  /** Pages and copies (certified-copy fees). */
  pages: number;
  copies: number;
  feesPaid: boolean;
  supplements: SupplementRecord[];
  assignee: Official | null;
  /** NgayCapNhat (whole seconds). */
  updatedAt: number;
  steps: StepRecord[];
  /** Seed for per-file details (sizes, optional files). */
  fileSeed: number;
  /** Fees requested by an official after processing (requestFees action), after the catalogue fee. */
  extraFees?: { name: string; amount: number; paid: boolean }[];
  /** Result papers recorded by an official (recordResult action); default: the procedure's result. */
  results?: { name: string; code: string }[];
  /** NgayHenTraBanDau: the original due once an apology set a new appointment (still counted late). */
  originalDueAt?: number;
  /**
   * Issue #6: the papers handed in at the counter (DongBoHoSoMC TaiLieuNop) — replaces the generated
   * list from the procedure's component papers — and those brought with supplements (appended).
   */
  papers?: PaperRecord[];
  supplementPapers?: PaperRecord[];
  /** Issue #6: the fees sent with a new dossier (DongBoHoSoMC DanhSachLePhi), instead of the catalogue fee. */
  counterFees?: { name: string; amount: number; paid: boolean }[];
}

/** A paper a citizen handed in (issue #6): its name, size when a file came with it, when; the file's SHA-256 when its content came. */
export interface PaperRecord {
  name: string;
  size: number | null;
  at: number;
  sha256?: string;
}

export interface AttachmentRecord {
  name: string;
  description: string;
  pages: number;
}

export interface DocumentRecord {
  docId: string;
  sender: Sender;
  type: DocTypeDef;
  codeNumber: string;
  codeNotation: string;
  /** Promulgation date (office midnight). */
  promulgatedAt: number;
  subject: string;
  content: string;
  signer: { competence: string; position: string; fullName: string };
  /** DueDate `yyyy/MM/dd` or null; dueAt is the end of that working day. */
  dueDate: string | null;
  dueAt: number | null;
  priority: 0 | 1 | 2 | 3 | 4;
  steeringType: 0 | 1 | 2;
  pageCount: number;
  sphere: string;
  typist: string;
  promulgationAmount: number;
  responseFor: { organId: string; code: string; promulgationDate: string; documentId: string } | null;
  attachments: AttachmentRecord[];
  /** Trace timestamp at the sender. */
  sentAt: number;
  receivedAt: number;
  status: DocumentStatusCode;
  handler: { username: string; fullName: string } | null;
  incomingNumber: string | null;
  incomingDate: number | null;
  internalDueAt: number | null;
  /** UpdatedAt (whole seconds). */
  updatedAt: number;
  /** The leader's assignment (feedback 04 with Assignment), usernames. */
  assignment?: { lead: string; cooperating: string[]; forInfo: string[]; instruction: string | null };
  /** Why it was refused (feedback 02). */
  refusalReason?: string;
  /** Changes made on the backend by other people (touchDocument): who and what. */
  notes?: { at: number; by: string; text: string }[];
}

// ================================================================ wire shapes (docs/backend-protocols.md)

export interface StepJson {
  MaHoSo: string;
  NguoiXuLy: string;
  ChucDanh: string;
  ThoiDiemXuLy: string;
  PhongBanXuLy: string;
  NoiDungXuLy: string;
  TrangThai: string;
  NgayBatDau: string;
  NgayKetThucTheoQuyDinh: string;
}

export interface DossierJson {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  KenhThucHien: number;
  ChuHoSo: string;
  SoGiayToChuHoSo: string;
  LoaiDoiTuong: number;
  SoDienThoai: string;
  Email: string;
  DiaChiChuHoSo: string;
  TrichYeuHoSo: string;
  NgayNopHoSo: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  /** Only after an apology: the original due (the dossier still counts as late against it). */
  NgayHenTraBanDau?: string;
  TrangThaiHoSo: string;
  NgayTra: string;
  NgayKetThucXuLy: string;
  NgayTuChoi: string;
  DonViXuLy: string;
  HinhThuc: number;
  DinhDanhCHS: { LoaiDinhDanh: number; SoDinhDanh: string }[];
  TaiLieuNop: { TepDinhKemId: string; TenTepDinhKem: string; DuongDanTaiTepTin?: string; KichThuoc?: number }[];
  DanhSachLePhi: { TenPhiLePhi: string; MucPhi: number; DaThanhToan: boolean }[];
  DanhSachHoSoBoSung: {
    NgayYeuCauBoSung: string;
    NgayTiepNhanBoSung: string;
    NoiDungYeuCauBoSung: string;
    NgayHenTraCu: string;
    NgayHenTraMoi: string;
  }[];
  DanhSachGiayToKetQua: { TenGiayTo: string; MaGiayToKetQua: string }[];
  NguoiXuLyHienTai: { TenDangNhap: string; HoTen: string } | null;
  NgayCapNhat: string;
  QuaTrinhXuLy: StepJson[];
}

export interface ProcedureJson {
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  ThoiGianGiaiQuyet: number;
  DonViTinh: string;
  /** Issue #6: the component papers of the dossier (thành phần hồ sơ). */
  ThanhPhanHoSo: { TenGiayTo: string }[];
  /** Issue #6: the fees and charges (phí, lệ phí); MucPhi per dossier (certified copies: per page). */
  LePhi: { TenPhiLePhi: string; MucPhi: number }[];
}

export interface DocumentEntryJson {
  DocId: string;
  Status: string;
  UpdatedAt: string;
  ReceivedAt: string;
  Handler: { Username: string; FullName: string } | null;
  IncomingNumber: string | null;
  IncomingDate: string | null;
  InternalDueDate: string | null;
}

// ================================================================ dataset

export interface GenerateOptions {
  seed?: number;
  /** Generation instant (history ends here); default Date.now(). */
  now?: number;
  /** Working days of history (default 60). */
  days?: number;
  /** Average dossiers per working day (default 80). */
  dossiersPerDay?: number;
  /** Average incoming documents per working day (default 20). */
  documentsPerDay?: number;
  calendar?: WorkCalendar;
}

export interface Dataset {
  seed: number;
  now: number;
  calendar: WorkCalendar;
  citizens: Citizen[];
  dossiers: DossierRecord[];
  documents: DocumentRecord[];
  /** Counters that new items continue from. */
  counters: Counters;
  /** Stream for items created after generation (emit, the steady stream). */
  rng: Rng;
}

export interface Counters {
  /** Last dossier daily sequence per `YYMMDD`. */
  dossierSeq: Map<string, number>;
  /** Last document sequence per `yyyyMMdd` (DocId). */
  documentSeq: Map<string, number>;
  /** Last incoming-book number per year. */
  incomingByYear: Map<number, number>;
  /** Last số of each sender per year: key `<senderId>|<year>`. */
  senderNumbers: Map<string, number>;
}

export const DEFAULTS = { seed: 1, days: 60, dossiersPerDay: 80, documentsPerDay: 20 } as const;

/** Everything the generators need besides the random stream. */
interface Ctx {
  cal: WorkCalendar;
  citizens: Citizen[];
  counters: Counters;
}

/** Generate the history: `days` working days up to `now`, dossiers and documents in time order. */
export function generateDataset(options: GenerateOptions = {}): Dataset {
  const seed = options.seed ?? DEFAULTS.seed;
  const now = Math.floor(options.now ?? Date.now());
  const days = Math.max(0, Math.floor(options.days ?? DEFAULTS.days));
  const dossiersPerDay = Math.max(0, options.dossiersPerDay ?? DEFAULTS.dossiersPerDay);
  const documentsPerDay = Math.max(0, options.documentsPerDay ?? DEFAULTS.documentsPerDay);
  const cal = options.calendar ?? defaultCalendar();

  const workDays = workingDaysUpTo(cal, now, days);
  const expected = workDays.length * dossiersPerDay;
  const citizenCount = Math.min(60_000, Math.max(300, Math.round(expected * 0.6)));
  const citizens = generateCitizens(mixSeed(seed, 0xc1), citizenCount, now);
  const counters: Counters = {
    dossierSeq: new Map(),
    documentSeq: new Map(),
    incomingByYear: new Map(),
    senderNumbers: new Map(),
  };
  const ctx: Ctx = { cal, citizens, counters };

  const dossiers: DossierRecord[] = [];
  const documents: DocumentRecord[] = [];
  for (const dayStart of workDays) {
    const rng = new Rng(mixSeed(seed, Math.floor(dayStart / DAY), 0xd0));
    generateDossierDay(ctx, rng, dayStart, dossiersPerDay, now, dossiers);
    const drng = new Rng(mixSeed(seed, Math.floor(dayStart / DAY), 0xd1));
    generateDocumentDay(ctx, drng, dayStart, documentsPerDay, now, documents);
  }
  assignIncomingNumbers(documents, counters);

  return { seed, now, calendar: cal, citizens, dossiers, documents, counters, rng: new Rng(mixSeed(seed, now % 2 ** 31, 0xe0)) };
}

/** Office midnights of the last `count` working days up to and including today (oldest first). */
export function workingDaysUpTo(cal: WorkCalendar, now: number, count: number): number[] {
  const out: number[] = [];
  let dayStart = cal.startOfDay(now);
  for (let guard = 0; out.length < count && guard < count * 3 + 30; guard++) {
    if (cal.isWorkingDay(cal.dateKey(dayStart))) out.push(dayStart);
    dayStart -= DAY;
    // DST-free fixed offset: stepping whole days keeps midnights aligned.
  }
  return out.reverse();
}

// ================================================================ citizens

const BIRTH_AGE_TABLE: readonly (readonly [[number, number], number])[] = [
  [[18, 30], 30], [[31, 45], 35], [[46, 60], 20], [[61, 90], 15],
];

export function generateCitizens(seed: number, count: number, now: number): Citizen[] {
  const rng = new Rng(seed);
  const thisYear = new Date(now + 7 * HOUR).getUTCFullYear();
  const out: Citizen[] = [];
  for (let i = 0; i < count; i++) {
    const [lo, hi] = rng.weighted(BIRTH_AGE_TABLE);
    out.push(makeCitizen(rng, thisYear - rng.int(lo, hi)));
  }
  return out;
}

export function makeCitizen(rng: Rng, birthYear: number, sexIn?: Sex): Citizen {
  const sex: Sex = sexIn ?? (rng.chance(0.5) ? 'male' : 'female');
  const fullName = personName(rng, sex);
  const month = rng.int(1, 12);
  const day = rng.int(1, daysInMonth(birthYear, month));
  const birthDate = `${pad(day, 2)}${pad(month, 2)}${birthYear}`;
  const useCmnd = birthYear < 1975 && rng.chance(0.12);
  const idNumber = useCmnd ? `01${rng.digits(7)}` : cccdNumber(rng.weighted(PROVINCE_CODES), sex, birthYear, rng.digits(6));
  const oldIdNumber = !useCmnd && birthYear < 1995 && rng.chance(0.5) ? `01${rng.digits(7)}` : null;
  const phone = rng.pick(MOBILE_PREFIXES) + rng.digits(7);
  const email = rng.chance(0.3) ? emailOf(fullName, rng) : null;
  const issueYear = Math.max(birthYear + 14, 2021 + rng.int(0, 4));
  const issueDate = `${pad(rng.int(1, 28), 2)}${pad(rng.int(1, 12), 2)}${issueYear}`;
  return { fullName, sex, birthDate, birthYear, idNumber, idType: useCmnd ? 2 : 1, oldIdNumber, phone, email, address: address(rng), issueDate };
}

/**
 * 12-digit CCCD: 3-digit province + century/sex digit (1900s male 0 / female 1, 2000s 2/3, 2100s 4/5)
 * + 2 digits of the birth year + 6 digits.
 */
export function cccdNumber(province: string, sex: Sex, birthYear: number, tail6: string): string {
  return `${province}${centurySexDigit(sex, birthYear)}${pad(birthYear % 100, 2)}${tail6}`;
}

export function centurySexDigit(sex: Sex, birthYear: number): number {
  const century = Math.floor(birthYear / 100) - 19; // 1900s → 0, 2000s → 1, 2100s → 2
  return century * 2 + (sex === 'female' ? 1 : 0);
}

/** Text of the CCCD chip card's QR code: `id|old CMND|name|ddmmyyyy|sex|address|issue ddmmyyyy`. */
export function cccdQrText(c: Citizen): string {
  return [c.idNumber, c.oldIdNumber ?? '', c.fullName, c.birthDate, c.sex === 'male' ? 'Nam' : 'Nữ', c.address, c.issueDate].join('|');
}

export function personName(rng: Rng, sex: Sex): string {
  const family = rng.weighted(FAMILY_NAMES);
  const middle = rng.weighted(sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
  let given = rng.pick(sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
  if (given === middle) given = rng.pick(sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
  return `${family} ${middle} ${given}`;
}

function babyName(rng: Rng, family: string): string {
  return `${family} ${rng.pick(rng.chance(0.5) ? BABY_BOY_NAMES : BABY_GIRL_NAMES)}`;
}

function emailOf(fullName: string, rng: Rng): string {
  const parts = foldVietnamese(fullName).split(' ');
  const given = parts[parts.length - 1] ?? 'congdan';
  const initials = parts.slice(0, -1).map((p) => p[0] ?? '').join('');
  const domain = rng.weighted([['gmail.com', 85], ['yahoo.com', 8], ['outlook.com', 7]] as const);
  return `${given}${initials}${rng.int(60, 99)}@${domain}`;
}

function address(rng: Rng): string {
  const street = rng.pick(STREETS);
  const to = rng.int(1, TO_DAN_PHO_COUNT);
  const place = rng.chance(0.55) ? `Số ${rng.int(1, 80)}, ngõ ${rng.int(2, 300)} ${street}` : `Số ${rng.int(1, 250)} ${street}`;
  return `${place}, Tổ dân phố số ${to}, ${WARD_SUFFIX}`;
}

function familyOf(name: string): string {
  const i = name.indexOf(' ');
  return i < 0 ? name : name.slice(0, i);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ================================================================ dossiers

const PROC_TABLE: readonly (readonly [ProcedureDef, number])[] = PROCEDURES.map((p) => [p, p.weight] as const);
const JUSTICE = officialsWithRole('justice');
const RECEPTION = officialsWithRole('reception');
const LEADERS = officialsWithRole('leader');

function one(list: readonly Official[], rng: Rng): Official {
  return list.length === 1 ? (list[0] as Official) : rng.pick(list);
}

function handlerFor(role: OfficialRole, rng: Rng): Official {
  if (role === 'justice') return rng.chance(0.6) ? (JUSTICE[0] as Official) : (JUSTICE[1] ?? (JUSTICE[0] as Official));
  return one(officialsWithRole(role), rng);
}

/** Random minute of office hours of the day starting at `dayStart`, morning-heavy. */
function officeInstant(cal: WorkCalendar, rng: Rng, dayStart: number, morningShare = 0.6): number {
  const ranges = cal.officeHours;
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  if (!first || !last) return dayStart + 8 * HOUR;
  const range = ranges.length > 1 && !rng.chance(morningShare) ? last : first;
  const minute = range.startMinute + rng.float() * (range.endMinute - range.startMinute - 1);
  return sec(dayStart + minute * MIN);
}

function sec(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

let lastYmd = { day: Number.NaN, ymd: '' };
function yymmddCached(ms: number): string {
  const day = Math.floor((ms + 7 * HOUR) / DAY);
  if (day !== lastYmd.day) lastYmd = { day, ymd: vnYymmdd(ms) };
  return lastYmd.ymd;
}

function nextDossierCode(counters: Counters, receivedAt: number): string {
  const ymd = yymmddCached(receivedAt);
  const seq = (counters.dossierSeq.get(ymd) ?? 0) + 1;
  counters.dossierSeq.set(ymd, seq);
  return `${UNIT_CODE}-${ymd}-${pad(seq, 4)}`;
}

function generateDossierDay(ctx: Ctx, rng: Rng, dayStart: number, rate: number, now: number, out: DossierRecord[]): void {
  const { cal } = ctx;
  const weekday = new Date(dayStart + 7 * HOUR).getUTCDay();
  const factor = weekday === 1 ? 1.2 : weekday === 5 ? 0.9 : weekday === 6 || weekday === 0 ? 0.6 : 1;
  const count = Math.round(rate * factor * (0.85 + rng.float() * 0.3));
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(officeInstant(cal, rng, dayStart));
  times.sort((a, b) => a - b);
  for (const t1 of times) {
    const channel: 1 | 2 | 3 = rng.weighted([[1, 66], [2, 32], [3, 2]] as const);
    const submittedAt = channel === 1 ? t1 : sec(t1 - rng.int(10, 40 * 60) * MIN);
    if (submittedAt > now) continue; // not yet happened
    if (channel !== 2 && t1 > now) continue;
    const rec = buildDossier(ctx, rng, rng.weighted(PROC_TABLE), channel, submittedAt, t1, now);
    out.push(rec);
  }
}

interface Plan {
  outcome: 'normal' | 'refused' | 'withdrawn' | 'stopped';
  lateness: 'on_time' | 'late' | 'stuck';
  supplement: 'none' | 'returned' | 'abandoned';
}

function planDossier(rng: Rng, p: ProcedureDef): Plan {
  const outcome = rng.weighted([['normal', 978], ['refused', 12], ['withdrawn', 7], ['stopped', 3]] as const);
  const lateness = rng.weighted([['on_time', 970], ['late', 25], ['stuck', 5]] as const);
  const supplementRate = p.unit === 'same_day' ? 0.02 : 0.07;
  const supplement = rng.chance(supplementRate) ? (rng.chance(0.12) ? 'abandoned' : 'returned') : 'none';
  return { outcome, lateness, supplement };
}

/** Typical processing span in working minutes for a procedure. */
function typicalSpan(cal: WorkCalendar, p: ProcedureDef, rng: Rng): number {
  const perDay = cal.workingMinutesPerDay || 480;
  if (p.unit === 'same_day') return rng.int(10, 150);
  const available = p.unit === 'working' ? p.hours * 60 : (p.hours / 24) * (5 / 7) * perDay;
  return Math.max(30, Math.round(available * (0.25 + rng.float() * 0.7)));
}

/**
 * Build one dossier: plan its whole timeline from reception, then keep the steps that happened
 * by `now`; the status, assignee and dates follow from the last kept step.
 */
function buildDossier(
  ctx: Ctx, rng: Rng, p: ProcedureDef, channel: 1 | 2 | 3, submittedAt: number, t1: number, now: number,
): DossierRecord {
  const { cal } = ctx;
  const applicant = rng.pick(ctx.citizens);
  const isOrg = (p.key === 'hopDong' || p.key === 'chuKy' || p.key === 'banSao') && rng.chance(0.04);
  const organisation = isOrg ? { name: companyName(rng), taxCode: `010${rng.digits(7)}` } : null;
  const pages = p.fee.kind === 'copyPages' ? rng.weighted([[1, 40], [2, 30], [3, 10], [4, 8], [6, 6], [10, 4], [24, 2]] as const) : rng.int(1, 4);
  const copies = p.fee.kind === 'copyPages' ? rng.weighted([[1, 40], [2, 30], [3, 15], [5, 10], [10, 5]] as const) : 1;
  const rec: DossierRecord = {
    code: nextDossierCode(ctx.counters, t1),
    procedure: p,
    channel,
    applicant,
    organisation,
    applicantType: organisation ? 2 : rng.chance(0.005) ? 4 : 1,
    summary: summaryFor(p, applicant, rng, pages, copies),
    submittedAt,
    receivedAt: null,
    dueAt: null,
    status: '1',
    finishedAt: null,
    returnedAt: null,
    refusedAt: null,
    returnMethod: channel === 3 || rng.chance(0.06) ? 1 : 0,
    pages,
    copies,
    feesPaid: false,
    supplements: [],
    assignee: one(RECEPTION, rng),
    updatedAt: submittedAt,
    steps: [],
    fileSeed: Math.floor(rng.float() * 2 ** 31),
  };
  const plan = planDossier(rng, p);
  const reception = one(RECEPTION, rng);
  const handler = handlerFor(p.handler, rng);
  const leader = one(LEADERS, rng);
  const steps: StepRecord[] = [];
  const add = (at: number, official: Official, content: string, status: ProcedureStatusCode, dueAt: number | null): void =>
    addPlannedStep(steps, submittedAt, at, official, content, status, dueAt);
  const awm = (ms: number, minutes: number): number => addWorking(cal, ms, minutes);

  if (plan.outcome === 'refused') {
    add(t1, reception, `Từ chối tiếp nhận hồ sơ: ${rng.pick(REFUSAL_REASONS)}`, '3', null);
    return finalize(rec, steps, now, { t1, handler, reception, leader });
  }

  const duration = { hours: p.hours, unit: p.unit };
  const pauses: Pause[] = [];
  let due = computeDue(cal, { receivedAt: t1, duration });
  const channelText = channel === 2 ? ' trực tuyến' : channel === 3 ? ' qua dịch vụ bưu chính công ích' : '';
  add(t1, reception, `Tiếp nhận hồ sơ${channelText}`, '2', due);
  const span = typicalSpan(cal, p, rng);
  let t = awm(t1, Math.max(2, Math.round(span * 0.08)));
  add(t, reception, forwardText(handler), '4', due);

  if (plan.outcome === 'withdrawn' || plan.outcome === 'stopped') {
    t = awm(t, Math.round(span * 0.4));
    if (plan.outcome === 'withdrawn') add(t, reception, 'Công dân yêu cầu rút hồ sơ', '7', due);
    else add(t, handler, 'Dừng xử lý hồ sơ: người yêu cầu không đủ điều kiện theo quy định', '8', due);
    return finalize(rec, steps, now, { t1, handler, reception, leader, due, pauses });
  }

  if (plan.supplement !== 'none') {
    t = awm(t, Math.round(span * 0.15));
    const reason = rng.pick(SUPPLEMENT_REASONS);
    add(t, handler, supplementText(reason), '5', due);
    const requestedAt = t;
    const sup: SupplementRecord = { requestedAt, receivedAt: null, reason, oldDueAt: due, newDueAt: null };
    rec.supplements.push(sup);
    if (plan.supplement === 'abandoned') {
      // The citizen never came back: processing is stopped after 30 days.
      add(cal.normalizeStart(requestedAt + 30 * DAY), handler, 'Dừng xử lý hồ sơ: quá thời hạn bổ sung hồ sơ', '8', due);
      return finalize(rec, steps, now, { t1, handler, reception, leader, due, pauses });
    }
    const back = sec(cal.normalizeStart(requestedAt + rng.int(4, 8 * 24) * HOUR + rng.int(0, 59) * MIN));
    pauses.push({ from: requestedAt, to: back });
    due = computeDue(cal, { receivedAt: t1, duration, pauses });
    sup.receivedAt = back;
    sup.newDueAt = due;
    t = back;
    add(t, reception, 'Tiếp nhận hồ sơ bổ sung', '4', due);
  }

  // When the dossier finishes: on time (before due), late, or stuck for a long time.
  const remaining = Math.max(5, Math.round(span * 0.7));
  let finish: number;
  if (plan.lateness === 'on_time') {
    finish = Math.min(awm(t, remaining), due - rng.int(1, 20) * MIN);
  } else {
    const lateBy = plan.lateness === 'late' ? rng.int(30, 5 * 480) : rng.int(6 * 480, 30 * 480);
    finish = awm(due, lateBy);
  }
  finish = Math.max(finish, t + 3 * MIN);

  if (p.key !== 'banSao' && p.key !== 'chuKy' && p.key !== 'nguoiDich' && p.key !== 'trichLuc' && p.key !== 'soGoc') {
    const appraise = t + Math.round((finish - t) * 0.35);
    add(appraise, handler, 'Thẩm định hồ sơ: hồ sơ đủ điều kiện giải quyết', '4', due);
  }
  if (plan.lateness !== 'on_time') {
    add(awm(due, rng.int(1, 60)), handler, 'Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả', '4', due);
  }
  if (p.feeAfterProcessing) {
    const feeAt = t + Math.round((finish - t) * 0.55);
    add(feeAt, handler, feeText(rec), '6', due);
    const paid = sec(cal.normalizeStart(feeAt + rng.int(2, 72) * HOUR));
    add(paid, reception, 'Công dân đã nộp phí, lệ phí', '4', due);
    finish = Math.max(finish, awm(paid, rng.int(20, 240)));
  }
  if (p.leaderSigns) {
    add(t + Math.round((finish - t) * 0.8), handler, 'Trình lãnh đạo phê duyệt, ký kết quả', '4', due);
    add(finish, leader, 'Phê duyệt, ký kết quả giải quyết', '9', due);
  } else {
    add(finish, handler, 'Hoàn thành xử lý, chuyển kết quả sang bộ phận trả kết quả', '9', due);
  }
  const pickup = p.unit === 'same_day' ? rng.int(3, 45) : rng.chance(0.04) ? rng.int(480 * 5, 480 * 20) : rng.int(20, 960);
  const returned = awm(finish, pickup);
  add(returned, reception, rec.returnMethod === 1 ? 'Trả kết quả qua dịch vụ bưu chính công ích' : 'Trả kết quả cho công dân', '10', due);
  return finalize(rec, steps, now, { t1, handler, reception, leader, due, pauses });
}

function addPlannedStep(
  steps: StepRecord[], submittedAt: number, at: number, official: Official, content: string, status: ProcedureStatusCode, dueAt: number | null,
): void {
  const prev = steps[steps.length - 1];
  const when = sec(prev ? Math.max(at, prev.at + MIN) : at);
  steps.push({ at: when, startedAt: prev ? prev.at : submittedAt, dueAt, official, content, status });
}

function addWorking(cal: WorkCalendar, ms: number, minutes: number): number {
  return sec(cal.addWorkingMinutes(ms, Math.max(1, minutes)));
}

const textCache = new Map<string, string>();
/** Interned step texts: 200,000 dossiers share a few hundred distinct strings. */
function cachedText(key: string, make: () => string): string {
  let v = textCache.get(key);
  if (v === undefined) {
    v = make();
    textCache.set(key, v);
  }
  return v;
}

function forwardText(handler: Official): string {
  return cachedText(`fw|${handler.username}`, () => `Chuyển hồ sơ đến ${handler.fullName} (${handler.department}) xử lý`);
}

function supplementText(reason: string): string {
  return cachedText(`sup|${reason}`, () => `Yêu cầu bổ sung hồ sơ: ${reason}`);
}

function feeText(rec: DossierRecord): string {
  const fee = feeList(rec)[0];
  const text = fee ? `${fee.TenPhiLePhi} ${fee.MucPhi.toLocaleString('vi-VN')} đồng` : 'lệ phí';
  return cachedText(`fee|${text}`, () => `Thông báo thực hiện nghĩa vụ tài chính: ${text}`);
}

interface FinalizeInfo {
  t1: number;
  handler: Official;
  reception: Official;
  leader: Official;
  due?: number;
  pauses?: Pause[];
}

/** Keep the steps that happened by `now` and derive the record's status and dates from them. */
function finalize(rec: DossierRecord, planned: StepRecord[], now: number, info: FinalizeInfo): DossierRecord {
  const steps = planned.filter((s) => s.at <= now);
  rec.steps = steps;
  const last = steps[steps.length - 1];
  if (!last) {
    // Submitted online, not yet received.
    rec.status = '1';
    rec.supplements = [];
    rec.updatedAt = sec(rec.submittedAt);
    rec.assignee = info.reception;
    return rec;
  }
  rec.status = last.status;
  rec.updatedAt = last.at;
  if (last.status === '3') {
    rec.refusedAt = last.at;
    rec.assignee = null;
    return rec;
  }
  rec.receivedAt = info.t1;
  // Supplements: only what happened by now.
  for (const s of rec.supplements) {
    if (s.receivedAt !== null && s.receivedAt > now) {
      s.receivedAt = null;
      s.newDueAt = null;
    }
  }
  rec.supplements = rec.supplements.filter((s) => s.requestedAt <= now);
  rec.dueAt = last.dueAt ?? info.due ?? null;
  // The due of the last kept step is the due in force at that point (before a pending supplement closes).
  const open = rec.supplements.find((s) => s.receivedAt === null);
  if (open) rec.dueAt = open.oldDueAt;
  rec.feesPaid = rec.procedure.fee.kind !== 'none' && (!rec.procedure.feeAfterProcessing || steps.some((s) => s.content.startsWith('Công dân đã nộp')));
  const finished = steps.find((s) => s.status === '9');
  rec.finishedAt = finished ? finished.at : null;
  if (last.status === '10') rec.returnedAt = last.at;
  if (last.status === '7' || last.status === '8') rec.finishedAt = last.at;
  rec.assignee = assigneeFor(last, info);
  return rec;
}

function assigneeFor(last: StepRecord, info: FinalizeInfo): Official | null {
  switch (last.status) {
    case '2':
      return info.reception;
    case '4':
      return last.content.startsWith('Trình lãnh đạo') ? info.leader : info.handler;
    case '5':
    case '6':
      return info.handler;
    case '9':
      return info.reception;
    default:
      return null;
  }
}

const COMPANY_KINDS = ['Công ty TNHH', 'Công ty cổ phần', 'Công ty TNHH MTV'] as const;
const COMPANY_WORDS = ['Thương mại Ngọc Hà', 'Xây dựng Ba Đình', 'Dịch vụ Kim Mã', 'Đầu tư Liễu Giai', 'Công nghệ Đội Cấn', 'Du lịch Hồ Tây', 'Thực phẩm Hà Thành'] as const;

function companyName(rng: Rng): string {
  return `${rng.pick(COMPANY_KINDS)} ${rng.pick(COMPANY_WORDS)}`;
}

const COPY_PAPERS = ['Căn cước công dân', 'Giấy khai sinh', 'Bằng tốt nghiệp đại học', 'Giấy chứng nhận quyền sử dụng đất', 'Học bạ trung học phổ thông', 'Giấy chứng nhận kết hôn', 'Bằng tốt nghiệp THPT', 'Giấy phép lái xe'] as const;
const SIGN_PAPERS = ['Giấy ủy quyền', 'Đơn xin việc', 'Bản cam kết', 'Đơn đề nghị vay vốn', 'Tờ khai lý lịch'] as const;
const LANGUAGES = ['tiếng Anh', 'tiếng Nhật', 'tiếng Hàn', 'tiếng Trung', 'tiếng Đức'] as const;
const CONTRACTS = ['mua bán xe máy', 'tặng cho quyền sử dụng đất', 'thuê nhà ở', 'ủy quyền', 'mua bán ô tô', 'thế chấp quyền sử dụng đất'] as const;
const TTHN_PURPOSES = ['đăng ký kết hôn', 'bổ sung hồ sơ vay vốn ngân hàng', 'làm thủ tục mua bán nhà đất', 'xuất khẩu lao động'] as const;
const CORRECTIONS = ['Cải chính ngày sinh', 'Bổ sung thông tin quê quán', 'Thay đổi tên', 'Cải chính dân tộc', 'Bổ sung thông tin người cha'] as const;
const SHOPS = ['Tạp hóa', 'Quán cà phê', 'Cửa hàng quần áo', 'Quán phở', 'Tiệm sửa xe máy', 'Cửa hàng văn phòng phẩm', 'Tiệm làm tóc'] as const;
const BTXH_GROUPS = ['người cao tuổi', 'người khuyết tật nặng', 'trẻ em mồ côi', 'người đơn thân nuôi con nhỏ'] as const;

function honorific(c: Citizen): string {
  if (c.birthYear < 1970) return c.sex === 'male' ? 'ông' : 'bà';
  return c.sex === 'male' ? 'anh' : 'chị';
}

/** TrichYeuHoSo in Vietnamese. */
function summaryFor(p: ProcedureDef, c: Citizen, rng: Rng, pages: number, copies: number): string {
  const fam = familyOf(c.fullName);
  const other = (sex: Sex): string => personName(rng, sex);
  switch (p.key) {
    case 'khaiSinh':
      return `Đăng ký khai sinh cho cháu ${babyName(rng, c.sex === 'male' ? fam : familyOf(other('male')))}`;
    case 'ketHon': {
      const partner = other(c.sex === 'male' ? 'female' : 'male');
      return c.sex === 'male' ? `Đăng ký kết hôn giữa anh ${c.fullName} và chị ${partner}` : `Đăng ký kết hôn giữa anh ${partner} và chị ${c.fullName}`;
    }
    case 'khaiTu': {
      const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
      return `Đăng ký khai tử cho ${sex === 'male' ? 'ông' : 'bà'} ${sex === 'male' ? `${fam} ${rng.weighted(MALE_MIDDLE)} ${rng.pick(MALE_GIVEN)}` : other('female')}`;
    }
    case 'xacNhanHonNhan':
      return `Cấp Giấy xác nhận tình trạng hôn nhân cho ${honorific(c)} ${c.fullName} để ${rng.pick(TTHN_PURPOSES)}`;
    case 'banSao':
      return `Chứng thực ${copies} bản sao ${rng.pick(COPY_PAPERS)} (${pages} trang) cho ${honorific(c)} ${c.fullName}`;
    case 'chuKy':
      return `Chứng thực chữ ký trên ${rng.pick(SIGN_PAPERS)} của ${honorific(c)} ${c.fullName}`;
    case 'nguoiDich':
      return `Chứng thực chữ ký người dịch bản dịch ${rng.pick(LANGUAGES)} – ${rng.pick(COPY_PAPERS)}`;
    case 'hopDong':
      return `Chứng thực hợp đồng ${rng.pick(CONTRACTS)} giữa ${honorific(c)} ${c.fullName} và ${other(rng.chance(0.5) ? 'male' : 'female')}`;
    case 'diSan':
      return `Chứng thực văn bản thỏa thuận phân chia di sản của ông ${fam} ${rng.weighted(MALE_MIDDLE)} ${rng.pick(MALE_GIVEN)}`;
    case 'trichLuc':
      return `Cấp bản sao trích lục ${rng.pick(['khai sinh', 'kết hôn', 'khai tử'] as const)} cho ${honorific(c)} ${c.fullName}`;
    case 'soGoc':
      return `Cấp bản sao Giấy khai sinh từ sổ gốc cho ${honorific(c)} ${c.fullName}`;
    case 'caiChinh':
      return `${rng.pick(CORRECTIONS)} trong Giấy khai sinh của ${c.fullName}`;
    case 'nhanChaMeCon':
      return `Đăng ký nhận cha, con giữa ông ${c.sex === 'male' ? c.fullName : other('male')} và cháu ${babyName(rng, fam)}`;
    case 'khaiSinhNhanCha':
      return `Đăng ký khai sinh kết hợp nhận cha, con cho cháu ${babyName(rng, fam)}`;
    case 'giamHo':
      return `Đăng ký giám hộ cho cháu ${babyName(rng, fam)}`;
    case 'khaiSinhLai':
      return `Đăng ký lại khai sinh cho ${honorific(c)} ${c.fullName}`;
    case 'khaiSinhLuuDong':
      return `Đăng ký khai sinh lưu động cho cháu ${babyName(rng, fam)}`;
    case 'hoKinhDoanh':
      return `Đăng ký thành lập hộ kinh doanh ${rng.pick(SHOPS)} ${c.fullName.split(' ').slice(-1)[0] ?? ''} tại ${address(rng)}`;
    case 'giayPhepXayDung':
      return `Cấp giấy phép xây dựng nhà ở riêng lẻ tại ${c.address}`;
    case 'troCapXaHoi':
      return `Đề nghị hưởng trợ cấp xã hội hằng tháng cho ${honorific(c)} ${c.fullName} (${rng.pick(BTXH_GROUPS)})`;
  }
}

// ---------------------------------------------------------------- dossier → wire

/** Fee of certified copies per copy: 2,000 đ for each of pages 1–2, 1,000 đ from page 3, capped at 200,000 đ. */
export function copyFee(pages: number): number {
  return Math.min(200_000, 2_000 * Math.min(pages, 2) + 1_000 * Math.max(0, pages - 2));
}

function feeList(rec: DossierRecord): DossierJson['DanhSachLePhi'] {
  const base = rec.counterFees ? rec.counterFees.map((f) => ({ TenPhiLePhi: f.name, MucPhi: f.amount, DaThanhToan: f.paid })) : catalogueFees(rec);
  if (!rec.extraFees || rec.extraFees.length === 0) return base;
  return base.concat(rec.extraFees.map((f) => ({ TenPhiLePhi: f.name, MucPhi: f.amount, DaThanhToan: f.paid })));
}

function catalogueFees(rec: DossierRecord): DossierJson['DanhSachLePhi'] {
  const f = rec.procedure.fee;
  if (f.kind === 'none') return [];
  if (f.kind === 'copyPages') {
    return [{ TenPhiLePhi: `Phí chứng thực bản sao (${rec.copies} bản × ${rec.pages} trang)`, MucPhi: copyFee(rec.pages) * rec.copies, DaThanhToan: rec.feesPaid }];
  }
  return [{ TenPhiLePhi: f.name, MucPhi: f.amount, DaThanhToan: rec.feesPaid }];
}

function filesOf(rec: DossierRecord): DossierJson['TaiLieuNop'] {
  const out: DossierJson['TaiLieuNop'] = [];
  if (rec.papers) {
    rec.papers.forEach((p, i) => out.push(paperJson(rec.code, i + 1, p)));
  } else {
    const r = new Rng(rec.fileSeed);
    rec.procedure.files.forEach((name, i) => {
      if (i === 2 && r.chance(0.3)) return; // third paper is often not needed
      const id = `${rec.code}-${i + 1}`;
      out.push({ TepDinhKemId: id, TenTepDinhKem: name, DuongDanTaiTepTin: `/files/${rec.code}/${i + 1}.pdf`, KichThuoc: r.int(40_000, 2_400_000) });
    });
  }
  (rec.supplementPapers ?? []).forEach((p, i) => out.push(paperJson(rec.code, `BS${i + 1}`, p)));
  return out;
}

/** A paper handed in at the counter: named, without a file (KichThuoc only when a file came with it). */
function paperJson(code: string, n: number | string, p: PaperRecord): DossierJson['TaiLieuNop'][number] {
  return { TepDinhKemId: `${code}-${n}`, TenTepDinhKem: p.name, ...(p.size !== null ? { KichThuoc: p.size } : {}) };
}

export function toStepJson(code: string, s: StepRecord): StepJson {
  return {
    MaHoSo: code,
    NguoiXuLy: s.official.fullName,
    ChucDanh: s.official.title,
    ThoiDiemXuLy: formatVnTimestamp(s.at),
    PhongBanXuLy: s.official.department,
    NoiDungXuLy: s.content,
    TrangThai: s.status,
    NgayBatDau: formatVnTimestamp(s.startedAt),
    NgayKetThucTheoQuyDinh: formatVnTimestampOrEmpty(s.dueAt),
  };
}

/** The dossier as the procedure system's JSON answers carry it. */
export function toDossierJson(rec: DossierRecord): DossierJson {
  const c = rec.applicant;
  const resolved = rec.status === '9' || rec.status === '10';
  return {
    MaHoSo: rec.code,
    MaTTHC: rec.procedure.code,
    TenTTHC: rec.procedure.name,
    MaLinhVuc: rec.procedure.field.code,
    TenLinhVuc: rec.procedure.field.name,
    KenhThucHien: rec.channel,
    ChuHoSo: rec.organisation ? rec.organisation.name : c.fullName,
    SoGiayToChuHoSo: rec.organisation ? rec.organisation.taxCode : c.idNumber,
    LoaiDoiTuong: rec.applicantType,
    SoDienThoai: c.phone,
    Email: c.email ?? '',
    DiaChiChuHoSo: c.address,
    TrichYeuHoSo: rec.summary,
    NgayNopHoSo: formatVnTimestamp(rec.submittedAt),
    NgayTiepNhan: formatVnTimestampOrEmpty(rec.receivedAt),
    NgayHenTra: formatVnTimestampOrEmpty(rec.dueAt),
    ...(rec.originalDueAt !== undefined ? { NgayHenTraBanDau: formatVnTimestamp(rec.originalDueAt) } : {}),
    TrangThaiHoSo: rec.status,
    NgayTra: formatVnTimestampOrEmpty(rec.returnedAt),
    NgayKetThucXuLy: formatVnTimestampOrEmpty(rec.finishedAt),
    NgayTuChoi: formatVnTimestampOrEmpty(rec.refusedAt),
    DonViXuLy: UNIT_NAME,
    HinhThuc: rec.returnMethod,
    DinhDanhCHS: [{ LoaiDinhDanh: c.idType, SoDinhDanh: c.idNumber }],
    TaiLieuNop: filesOf(rec),
    DanhSachLePhi: feeList(rec),
    DanhSachHoSoBoSung: rec.supplements.map((s) => ({
      NgayYeuCauBoSung: formatVnTimestamp(s.requestedAt),
      NgayTiepNhanBoSung: formatVnTimestampOrEmpty(s.receivedAt),
      NoiDungYeuCauBoSung: s.reason,
      NgayHenTraCu: formatVnTimestamp(s.oldDueAt),
      NgayHenTraMoi: formatVnTimestampOrEmpty(s.newDueAt),
    })),
    DanhSachGiayToKetQua: rec.results
      ? rec.results.map((r) => ({ TenGiayTo: r.name, MaGiayToKetQua: r.code }))
      : resolved ? [{ TenGiayTo: rec.procedure.result, MaGiayToKetQua: `${rec.code}-KQ1` }] : [],
    NguoiXuLyHienTai: rec.assignee ? { TenDangNhap: rec.assignee.username, HoTen: rec.assignee.fullName } : null,
    NgayCapNhat: formatVnTimestamp(rec.updatedAt),
    QuaTrinhXuLy: rec.steps.map((s) => toStepJson(rec.code, s)),
  };
}

export function toProcedureJson(p: ProcedureDef): ProcedureJson {
  return {
    MaTTHC: p.code,
    TenTTHC: p.name,
    MaLinhVuc: p.field.code,
    TenLinhVuc: p.field.name,
    ThoiGianGiaiQuyet: p.hours,
    DonViTinh: DON_VI_TINH[p.unit],
    ThanhPhanHoSo: p.files.map((name) => ({ TenGiayTo: name.replace(/\.pdf$/i, '') })),
    LePhi: catalogueFeeRule(p),
  };
}

/** The catalogue's fee of a procedure (certified copies: the fee of one page; the official sets the total). */
function catalogueFeeRule(p: ProcedureDef): ProcedureJson['LePhi'] {
  if (p.fee.kind === 'none') return [];
  if (p.fee.kind === 'copyPages') return [{ TenPhiLePhi: 'Phí chứng thực bản sao (2.000 đồng/trang cho trang 1–2, 1.000 đồng/trang từ trang 3)', MucPhi: copyFee(1) }];
  return [{ TenPhiLePhi: p.fee.name, MucPhi: p.fee.amount }];
}

/** The closed supplement pauses of a dossier, as computeDue takes them. */
export function closedPauses(rec: DossierRecord): Pause[] {
  return rec.supplements.filter((s) => s.receivedAt !== null).map((s) => ({ from: s.requestedAt, to: s.receivedAt }));
}

// ---------------------------------------------------------------- dossiers after generation

/** A new dossier received now at the counter (status 2) or submitted online (status 1). */
export function createDossier(ds: Dataset, now: number, channelHint?: 1 | 2): DossierRecord {
  const rng = ds.rng;
  const t = sec(now);
  const channel: 1 | 2 = channelHint ?? (rng.chance(0.7) ? 1 : 2);
  const p = rng.weighted(PROC_TABLE);
  const ctx: Ctx = { cal: ds.calendar, citizens: ds.citizens, counters: ds.counters };
  const applicant = rng.pick(ds.citizens);
  const pages = p.fee.kind === 'copyPages' ? rng.int(1, 4) : rng.int(1, 3);
  const copies = p.fee.kind === 'copyPages' ? rng.int(1, 3) : 1;
  const reception = one(RECEPTION, rng);
  const rec: DossierRecord = {
    code: nextDossierCode(ctx.counters, t),
    procedure: p,
    channel,
    applicant,
    organisation: null,
    applicantType: 1,
    summary: summaryFor(p, applicant, rng, pages, copies),
    submittedAt: t,
    receivedAt: null,
    dueAt: null,
    status: '1',
    finishedAt: null,
    returnedAt: null,
    refusedAt: null,
    returnMethod: 0,
    pages,
    copies,
    feesPaid: false,
    supplements: [],
    assignee: reception,
    updatedAt: t,
    steps: [],
    fileSeed: Math.floor(rng.float() * 2 ** 31),
  };
  if (channel === 1) receiveDossier(ds, rec, t, reception);
  return rec;
}

/** What `DongBoHoSoMC` (isUpdating false) needs to register a dossier received at the counter. */
export interface CounterDossierInput {
  procedure: ProcedureDef;
  applicant: Citizen;
  summary: string;
  /** The official who received it (the session's user). */
  reception: Official;
  /** Papers handed in (names, sizes when a file came with them); the dossier's TaiLieuNop is exactly these. */
  papers?: readonly { name: string; size: number | null; sha256?: string }[];
  /** Fees as sent; absent = the catalogue fee. */
  fees?: readonly { name: string; amount: number; paid: boolean }[];
}

/**
 * Issue #6: a dossier received now at the counter (KenhThucHien 1, status 2): the next code of the
 * day (`<unit>-<YYMMDD>-<4-digit sequence>`, continuing the generator's counters) and NgayHenTra from
 * the procedure's duration on the sandbox calendar (computeDue), like every generated dossier.
 */
export function createCounterDossier(ds: Dataset, now: number, input: CounterDossierInput): DossierRecord {
  const t = sec(now);
  const p = input.procedure;
  const rec: DossierRecord = {
    code: nextDossierCode(ds.counters, t),
    procedure: p,
    channel: 1,
    applicant: input.applicant,
    organisation: null,
    applicantType: 1,
    summary: input.summary,
    submittedAt: t,
    receivedAt: null,
    dueAt: null,
    status: '1',
    finishedAt: null,
    returnedAt: null,
    refusedAt: null,
    returnMethod: 0,
    pages: 1,
    copies: 1,
    feesPaid: false,
    supplements: [],
    assignee: input.reception,
    updatedAt: t,
    steps: [],
    fileSeed: Math.floor(ds.rng.float() * 2 ** 31),
    papers: (input.papers ?? []).map((f) => ({ name: f.name, size: f.size, at: t, ...(f.sha256 !== undefined ? { sha256: f.sha256 } : {}) })),
  };
  receiveDossier(ds, rec, t, input.reception);
  if (input.fees) {
    rec.counterFees = input.fees.map((f) => ({ ...f }));
    rec.feesPaid = rec.counterFees.every((f) => f.paid);
  }
  return rec;
}

function receiveDossier(ds: Dataset, rec: DossierRecord, t: number, reception: Official): void {
  const p = rec.procedure;
  rec.receivedAt = t;
  rec.dueAt = computeDue(ds.calendar, { receivedAt: t, duration: { hours: p.hours, unit: p.unit } });
  rec.feesPaid = p.fee.kind !== 'none' && !p.feeAfterProcessing;
  pushStep(rec, t, reception, `Tiếp nhận hồ sơ${rec.channel === 2 ? ' trực tuyến' : ''}`, '2');
  rec.assignee = reception;
}

function pushStep(rec: DossierRecord, at: number, official: Official, content: string, status: ProcedureStatusCode): void {
  const prev = rec.steps[rec.steps.length - 1];
  const when = sec(Math.max(at, prev ? prev.at + 1000 : at, prev ? rec.updatedAt + 1000 : rec.updatedAt));
  rec.steps.push({ at: when, startedAt: prev ? prev.at : rec.submittedAt, dueAt: rec.dueAt, official, content, status });
  rec.status = status;
  rec.updatedAt = when;
}

/** Is this dossier still moving (the stream may advance it)? */
export function isDossierAdvanceable(rec: DossierRecord): boolean {
  return rec.status === '1' || rec.status === '2' || rec.status === '4' || rec.status === '5' || rec.status === '6' || rec.status === '9';
}

/**
 * Advance an open dossier by one realistic step at `now` (1→2, 2→4, 4→9/5/6, 5→4, 6→4, 9→10).
 * Returns false when the dossier cannot move. The caller must re-index it (its NgayCapNhat changes).
 */
export function advanceDossier(ds: Dataset, rec: DossierRecord, now: number): boolean {
  const rng = ds.rng;
  const p = rec.procedure;
  const t = sec(now);
  const reception = one(RECEPTION, rng);
  const handler = handlerFor(p.handler, rng);
  switch (rec.status) {
    case '1':
      receiveDossier(ds, rec, t, reception);
      return true;
    case '2':
      pushStep(rec, t, reception, forwardText(handler), '4');
      rec.assignee = handler;
      return true;
    case '4': {
      if (rec.supplements.length === 0 && rng.chance(0.15)) {
        const reason = rng.pick(SUPPLEMENT_REASONS);
        pushStep(rec, t, rec.assignee ?? handler, supplementText(reason), '5');
        rec.supplements.push({ requestedAt: rec.updatedAt, receivedAt: null, reason, oldDueAt: rec.dueAt ?? t, newDueAt: null });
        return true;
      }
      if (p.feeAfterProcessing && !rec.feesPaid) {
        pushStep(rec, t, rec.assignee ?? handler, feeText(rec), '6');
        return true;
      }
      const signer = p.leaderSigns ? one(LEADERS, rng) : (rec.assignee ?? handler);
      pushStep(rec, t, signer, p.leaderSigns ? 'Phê duyệt, ký kết quả giải quyết' : 'Hoàn thành xử lý, chuyển kết quả sang bộ phận trả kết quả', '9');
      rec.finishedAt = rec.updatedAt;
      rec.assignee = reception;
      return true;
    }
    case '5': {
      const open = rec.supplements.find((s) => s.receivedAt === null);
      pushStep(rec, t, reception, 'Tiếp nhận hồ sơ bổ sung', '4');
      if (open && rec.receivedAt !== null) {
        open.receivedAt = rec.updatedAt;
        const due = computeDue(ds.calendar, { receivedAt: rec.receivedAt, duration: { hours: p.hours, unit: p.unit }, pauses: closedPauses(rec) });
        open.newDueAt = due;
        rec.dueAt = due;
        const last = rec.steps[rec.steps.length - 1];
        if (last) last.dueAt = due;
      }
      rec.assignee = handler;
      return true;
    }
    case '6':
      rec.feesPaid = true;
      for (const f of rec.extraFees ?? []) f.paid = true;
      for (const f of rec.counterFees ?? []) f.paid = true;
      pushStep(rec, t, reception, 'Công dân đã nộp phí, lệ phí', '4');
      rec.assignee = handler;
      return true;
    case '9':
      pushStep(rec, t, reception, rec.returnMethod === 1 ? 'Trả kết quả qua dịch vụ bưu chính công ích' : 'Trả kết quả cho công dân', '10');
      rec.returnedAt = rec.updatedAt;
      rec.assignee = null;
      return true;
    default:
      return false;
  }
}

// ================================================================ documents

const SENDER_TABLE: readonly (readonly [Sender, number])[] = SENDERS.map((s) => [s, s.weight] as const);
const TYPE_TABLE: readonly (readonly [DocTypeDef, number])[] = DOC_TYPES.map((t) => [t, t.weight] as const);
const PRIORITY_TABLE: readonly (readonly [0 | 1 | 2 | 3 | 4, number])[] = [[0, 80], [1, 12], [2, 5], [3, 2], [4, 1]];
const DOC_HANDLERS = OFFICIALS.filter((o) => o.role !== 'leader');

function nextDocId(counters: Counters, at: number): string {
  const ymd = formatVnTimestamp(at).slice(0, 8);
  const seq = (counters.documentSeq.get(ymd) ?? 0) + 1;
  counters.documentSeq.set(ymd, seq);
  return `VBD-${ymd}-${pad(seq, 4)}`;
}

function nextSenderNumber(counters: Counters, rng: Rng, sender: Sender, at: number): number {
  const year = new Date(at + 7 * HOUR).getUTCFullYear();
  const key = `${sender.id}|${year}`;
  let n = counters.senderNumbers.get(key);
  if (n === undefined) {
    // First document of this sender seen this year: start near where a real register would be.
    const dayOfYear = Math.floor((at + 7 * HOUR - Date.UTC(year, 0, 1)) / DAY);
    n = Math.max(1, Math.round(dayOfYear * (sender.weight >= 10 ? 25 : 8) * (0.8 + rng.float() * 0.4)));
  }
  n += rng.int(1, sender.weight >= 10 ? 40 : 12);
  counters.senderNumbers.set(key, n);
  return n;
}

function fillTopic(topic: string, at: number): string {
  const d = new Date(at + 7 * HOUR);
  const q = Math.floor(d.getUTCMonth() / 3) + 1;
  return topic.replace(/\{y\}/g, String(d.getUTCFullYear())).replace(/\{q\}/g, ['I', 'II', 'III', 'IV'][q - 1] ?? 'I');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function subjectFor(type: DocTypeDef, topic: string, rng: Rng): string {
  switch (type.name) {
    case 'Công văn':
      return `V/v ${topic}`;
    case 'Quyết định':
      return rng.chance(0.5)
        ? `Về việc công bố danh mục thủ tục hành chính lĩnh vực ${rng.pick(['Hộ tịch', 'Chứng thực', 'Bảo trợ xã hội', 'Hoạt động xây dựng'] as const)} thuộc thẩm quyền giải quyết của UBND cấp xã`
        : `Về việc phê duyệt Kế hoạch ${topic}`;
    case 'Thông báo':
      return `Kết luận của Lãnh đạo tại cuộc họp về việc ${topic}`;
    case 'Kế hoạch':
      return capitalize(topic);
    case 'Chỉ thị':
      return `Về tăng cường kỷ luật, kỷ cương hành chính và ${topic}`;
    case 'Báo cáo':
      return `Kết quả thực hiện ${topic}`;
    default:
      return `Mời dự Hội nghị ${rng.chance(0.5) ? 'tập huấn' : 'triển khai'} ${topic}`;
  }
}

function generateDocumentDay(ctx: Ctx, rng: Rng, dayStart: number, rate: number, now: number, out: DocumentRecord[]): void {
  const count = Math.round(rate * (0.75 + rng.float() * 0.5));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(rng.chance(0.9) ? officeInstant(ctx.cal, rng, dayStart, 0.5) : sec(dayStart + rng.int(17 * 60, 22 * 60) * MIN));
  }
  times.sort((a, b) => a - b);
  for (const receivedAt of times) {
    if (receivedAt > now) continue;
    out.push(buildDocument(ctx, rng, receivedAt, now));
  }
}

function makeDocumentBase(ctx: Ctx, rng: Rng, receivedAt: number): DocumentRecord {
  const { cal } = ctx;
  const sender = rng.weighted(SENDER_TABLE);
  const type = rng.weighted(TYPE_TABLE);
  const number = nextSenderNumber(ctx.counters, rng, sender, receivedAt);
  const notation = type.abbr === null ? rng.pick(sender.letterNotations) : `${type.abbr}-${sender.organAbbr}`;
  const promulgatedAt = cal.startOfDay(receivedAt) - (rng.chance(0.6) ? 0 : rng.int(1, 3) * DAY);
  const topic = fillTopic(rng.pick(DOC_TOPICS), receivedAt);
  const subject = subjectFor(type, topic, rng);
  const priority = rng.weighted(PRIORITY_TABLE);
  const needsAction = type.name === 'Công văn' || type.name === 'Kế hoạch' || type.name === 'Chỉ thị';
  let dueDate: string | null = null;
  let dueAt: number | null = null;
  if (needsAction && rng.chance(0.45)) {
    const dueDay = sec(cal.addWorkingMinutes(receivedAt, rng.int(priority >= 2 ? 1 : 3, priority >= 2 ? 3 : 15) * 480));
    dueDate = vnSlashDate(dueDay);
    dueAt = endOfDateInOffice(cal, dueDate);
  }
  const pageCount = rng.int(1, 8);
  const attachments: AttachmentRecord[] = [{ name: `${number}-${sender.organAbbr}.pdf`, description: 'Văn bản chính', pages: pageCount }];
  if (rng.chance(0.3)) attachments.push({ name: `Phu luc ${number}-${sender.organAbbr}.pdf`, description: rng.pick(['Phụ lục', 'Biểu mẫu kèm theo'] as const), pages: rng.int(1, 5) });
  const signerSex: Sex = rng.chance(0.7) ? 'male' : 'female';
  const headOnly = rng.chance(0.2);
  const responseFor = rng.chance(0.05)
    ? (() => {
        const n = rng.int(100, 2500);
        const day = vnSlashDate(receivedAt - rng.int(5, 40) * DAY);
        return { organId: UNIT_CODE, code: `${n}/UBND-VP`, promulgationDate: day, documentId: `${UNIT_CODE},${day},${n}/UBND-VP` };
      })()
    : null;
  const deadlineText = dueDate ? ` Báo cáo kết quả trước ngày ${dueDate.split('/').reverse().join('/')}.` : '';
  return {
    docId: nextDocId(ctx.counters, receivedAt),
    sender,
    type,
    codeNumber: String(number),
    codeNotation: notation,
    promulgatedAt,
    subject,
    content: `${sender.name} đề nghị Ủy ban nhân dân các xã, phường ${topic}.${deadlineText}`,
    signer: {
      competence: headOnly ? (sender.organAbbr === 'UBND' ? 'TM. ỦY BAN NHÂN DÂN' : sender.position.replace(/^Phó /, '').toUpperCase()) : sender.competence,
      position: headOnly ? capitalize(sender.position.replace(/^Phó /, '').toLowerCase()) : sender.position,
      fullName: personName(rng, signerSex),
    },
    dueDate,
    dueAt,
    priority,
    steeringType: type.name === 'Chỉ thị' ? 1 : type.name === 'Báo cáo' && rng.chance(0.5) ? 2 : 0,
    pageCount,
    sphere: rng.pick(DOC_SPHERES),
    typist: `VT${rng.int(1, 9)}`,
    promulgationAmount: rng.int(5, 200),
    responseFor,
    attachments,
    sentAt: sec(receivedAt - rng.int(1, 30) * 1000),
    receivedAt,
    status: '01',
    handler: null,
    incomingNumber: null,
    incomingDate: null,
    internalDueAt: null,
    updatedAt: receivedAt,
  };
}

function buildDocument(ctx: Ctx, rng: Rng, receivedAt: number, now: number): DocumentRecord {
  const { cal } = ctx;
  const doc = makeDocumentBase(ctx, rng, receivedAt);
  const awm = (ms: number, minutes: number): number => sec(cal.addWorkingMinutes(ms, Math.max(1, minutes)));
  const urgent = doc.priority >= 1;
  const events: { at: number; status: DocumentStatusCode }[] = [];
  if (rng.chance(0.01)) {
    events.push({ at: awm(receivedAt, rng.int(5, 240)), status: '02' });
  } else {
    const registered = awm(receivedAt, urgent ? rng.int(2, 60) : rng.int(20, 600));
    events.push({ at: registered, status: '03' });
    const assigned = awm(registered, urgent ? rng.int(5, 90) : rng.int(30, 700));
    events.push({ at: assigned, status: '04' });
    const handler = rng.chance(0.45) ? (JUSTICE[0] as Official) : rng.pick(DOC_HANDLERS);
    doc.handler = { username: handler.username, fullName: handler.fullName };
    if (rng.chance(0.3)) doc.internalDueAt = sec(cal.endOfWorkingDay(awm(assigned, rng.int(1, 10) * 480)));
    const limit = doc.internalDueAt ?? doc.dueAt;
    const working = awm(assigned, rng.int(10, 600));
    events.push({ at: working, status: '05' });
    let done: number;
    if (limit !== null) {
      done = rng.chance(0.9) ? Math.max(working + MIN, Math.min(awm(working, rng.int(60, 2400)), limit - rng.int(5, 300) * MIN)) : awm(limit, rng.int(30, 2400));
    } else {
      done = awm(working, rng.int(60, doc.type.name === 'Giấy mời' || doc.type.name === 'Thông báo' ? 960 : 4800));
    }
    if (!rng.chance(0.03)) events.push({ at: sec(Math.max(done, working + MIN)), status: '06' });
  }
  let last: { at: number; status: DocumentStatusCode } | undefined;
  for (const e of events) if (e.at <= now) last = e;
  if (!last) {
    doc.handler = null;
    doc.internalDueAt = null;
    return doc;
  }
  doc.status = last.status;
  doc.updatedAt = last.at;
  const reg = events.find((e) => e.status === '03');
  doc.incomingDate = reg && reg.at <= now ? reg.at : null;
  const assignedEvent = events.find((e) => e.status === '04');
  if (!assignedEvent || assignedEvent.at > now) {
    doc.handler = null;
    doc.internalDueAt = null;
  }
  return doc;
}

/** Number the incoming book (số đến) per year in registration order. */
function assignIncomingNumbers(docs: DocumentRecord[], counters: Counters): void {
  const registered = docs.filter((d) => d.incomingDate !== null).sort((a, b) => (a.incomingDate ?? 0) - (b.incomingDate ?? 0));
  for (const d of registered) d.incomingNumber = String(nextIncomingNumber(counters, d.incomingDate ?? 0));
}

export function nextIncomingNumber(counters: Counters, at: number): number {
  const year = new Date(at + 7 * HOUR).getUTCFullYear();
  const n = (counters.incomingByYear.get(year) ?? 0) + 1;
  counters.incomingByYear.set(year, n);
  return n;
}

/** A new document arriving now (status 01). */
export function createDocument(ds: Dataset, now: number): DocumentRecord {
  const ctx: Ctx = { cal: ds.calendar, citizens: ds.citizens, counters: ds.counters };
  return makeDocumentBase(ctx, ds.rng, sec(now));
}

export function isDocumentAdvanceable(doc: DocumentRecord): boolean {
  return doc.status === '01' || doc.status === '03' || doc.status === '04' || doc.status === '05';
}

/** Advance a document one step at `now` (01→03→04→05→06). The caller re-indexes it. */
export function advanceDocument(ds: Dataset, doc: DocumentRecord, now: number): boolean {
  const t = sec(Math.max(now, doc.updatedAt + 1000));
  switch (doc.status) {
    case '01':
      doc.status = '03';
      doc.incomingDate = t;
      doc.incomingNumber = String(nextIncomingNumber(ds.counters, t));
      break;
    case '03': {
      const h = ds.rng.chance(0.45) ? (JUSTICE[0] as Official) : ds.rng.pick(DOC_HANDLERS);
      doc.status = '04';
      doc.handler = { username: h.username, fullName: h.fullName };
      break;
    }
    case '04':
      doc.status = '05';
      break;
    case '05':
      doc.status = '06';
      break;
    default:
      return false;
  }
  doc.updatedAt = t;
  return true;
}

/** Listing entry of the document gateway. */
export function toDocumentEntry(doc: DocumentRecord): DocumentEntryJson {
  return {
    DocId: doc.docId,
    Status: doc.status,
    UpdatedAt: formatVnTimestamp(doc.updatedAt),
    ReceivedAt: formatVnTimestamp(doc.receivedAt),
    Handler: doc.handler ? { Username: doc.handler.username, FullName: doc.handler.fullName } : null,
    IncomingNumber: doc.incomingNumber,
    IncomingDate: doc.incomingDate === null ? null : formatVnTimestamp(doc.incomingDate),
    InternalDueDate: doc.internalDueAt === null ? null : formatVnTimestamp(doc.internalDueAt),
  };
}

/** Find an official by username (status feedback names the handler by username). */
export function officialByUsername(username: string): Official | undefined {
  return OFFICIALS.find((o) => o.username === username);
}
