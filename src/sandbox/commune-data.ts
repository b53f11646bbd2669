/**
 * Static reference data of the training commune: UBND phường Ngọc Hà, TP Hà Nội.
 * Names, streets, officials, the procedure catalogue and document senders. Sources: DOMAIN.md;
 * everything marked "(assumed)" was not confirmed by a public source and is training data only.
 */

/** Unit code of the commune (assumed: middle segments of commune codes are not published). */
export const UNIT_CODE = '000.26.13.H26';
export const UNIT_NAME = 'UBND phường Ngọc Hà';
export const UNIT_FULL_NAME = 'Ủy ban nhân dân phường Ngọc Hà, thành phố Hà Nội';
export const UNIT_ADDRESS = 'Số 25 Liễu Giai, phường Ngọc Hà, TP Hà Nội';

export type OfficialRole = 'reception' | 'justice' | 'social' | 'economy' | 'leader';

export interface Official {
  username: string;
  fullName: string;
  /** ChucDanh */
  title: string;
  /** PhongBanXuLy */
  department: string;
  role: OfficialRole;
}

export const DEPT_CENTER = 'Trung tâm Phục vụ hành chính công phường';
export const DEPT_OFFICE = 'Văn phòng HĐND và UBND phường';
export const DEPT_SOCIAL = 'Phòng Văn hóa - Xã hội';
export const DEPT_ECONOMY = 'Phòng Kinh tế, Hạ tầng và Đô thị';
export const DEPT_LEADERS = 'Lãnh đạo UBND phường';

/** Officials of the commune; `canbo.lan` is the default signed-in user. */
export const OFFICIALS: readonly Official[] = [
  { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', title: 'Công chức Tư pháp - Hộ tịch', department: DEPT_OFFICE, role: 'justice' },
  { username: 'canbo.mai', fullName: 'Lê Thị Mai', title: 'Công chức Tư pháp - Hộ tịch', department: DEPT_OFFICE, role: 'justice' },
  { username: 'canbo.hung', fullName: 'Trần Văn Hùng', title: 'Chuyên viên', department: DEPT_SOCIAL, role: 'social' },
  { username: 'canbo.tuan', fullName: 'Phạm Minh Tuấn', title: 'Chuyên viên', department: DEPT_ECONOMY, role: 'economy' },
  { username: 'canbo.huong', fullName: 'Hoàng Thu Hương', title: 'Viên chức tiếp nhận và trả kết quả', department: DEPT_CENTER, role: 'reception' },
  { username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', title: 'Phó Chủ tịch UBND phường', department: DEPT_LEADERS, role: 'leader' },
];

export function officialsWithRole(role: OfficialRole): Official[] {
  return OFFICIALS.filter((o) => o.role === role);
}

// ---------------------------------------------------------------- people

/** Family-name shares (percent) from DOMAIN.md; the remainder spread over less common names. */
export const FAMILY_NAMES: readonly (readonly [string, number])[] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 3.5], ['Huỳnh', 1.5], ['Phan', 4.5],
  ['Vũ', 3], ['Võ', 1], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5],
  ['Đinh', 1.2], ['Trịnh', 1], ['Đào', 1], ['Mai', 0.8], ['Lương', 0.6], ['Tạ', 0.5], ['Cao', 0.5], ['Hà', 0.6],
  ['Kiều', 0.3], ['Chu', 0.4], ['Lại', 0.3], ['Khuất', 0.2],
];

export const MALE_MIDDLE: readonly (readonly [string, number])[] = [
  ['Văn', 30], ['Đức', 12], ['Minh', 12], ['Quang', 9], ['Hữu', 7], ['Công', 5], ['Xuân', 4], ['Thành', 4],
  ['Tiến', 3], ['Mạnh', 3], ['Trọng', 3], ['Đình', 4], ['Ngọc', 2], ['Hoàng', 3], ['Anh', 2], ['Việt', 2],
];
export const FEMALE_MIDDLE: readonly (readonly [string, number])[] = [
  ['Thị', 45], ['Ngọc', 9], ['Thu', 8], ['Thanh', 8], ['Thúy', 4], ['Minh', 4], ['Phương', 4], ['Hồng', 4],
  ['Bích', 3], ['Khánh', 3], ['Hải', 2], ['Mai', 2], ['Kim', 3], ['Diệu', 1],
];
export const MALE_GIVEN: readonly string[] = [
  'Anh', 'Hùng', 'Dũng', 'Tuấn', 'Minh', 'Hải', 'Long', 'Nam', 'Thắng', 'Cường', 'Đức', 'Hoàng', 'Huy', 'Khánh',
  'Quân', 'Sơn', 'Trung', 'Việt', 'Phong', 'Bình', 'Đạt', 'Hiếu', 'Kiên', 'Lâm', 'Nghĩa', 'Phúc', 'Quang', 'Tùng',
  'Vinh', 'Thành', 'Hưng', 'Duy', 'Tiến', 'Toàn', 'Khoa', 'Thịnh', 'Chiến', 'Hậu',
];
export const FEMALE_GIVEN: readonly string[] = [
  'Anh', 'Lan', 'Hương', 'Hà', 'Linh', 'Mai', 'Ngọc', 'Trang', 'Thảo', 'Huyền', 'Hằng', 'Nga', 'Yến', 'Phương',
  'Thủy', 'Dung', 'Hạnh', 'Hoa', 'Loan', 'Nhung', 'Oanh', 'Quỳnh', 'Tâm', 'Thư', 'Vân', 'Chi', 'Giang', 'Hiền',
  'Hồng', 'My', 'Nhi', 'Vy', 'Liên', 'Thơm', 'Huệ',
];
/** Given pairs (middle + given) common for children born in the 2020s. */
export const BABY_BOY_NAMES: readonly string[] = [
  'Minh Khôi', 'Gia Bảo', 'Đăng Khoa', 'Bảo Nam', 'Minh Quân', 'Đức Anh', 'Gia Huy', 'Hoàng Lâm', 'Minh Đức',
  'Phúc An', 'Anh Khoa', 'Quang Minh', 'Nhật Minh', 'Tuấn Kiệt', 'Hải Đăng', 'Bảo Long',
];
export const BABY_GIRL_NAMES: readonly string[] = [
  'Bảo Ngọc', 'Minh Anh', 'Khánh Linh', 'Ngọc Hân', 'Gia Hân', 'An Nhiên', 'Tuệ An', 'Bảo Anh', 'Diệp Chi',
  'Minh Châu', 'Khánh Ngân', 'Hà My', 'Thảo Vy', 'Phương Linh', 'Ngọc Diệp', 'Thanh Trúc',
];

/** Province codes for CCCD numbers with weights: mostly Hà Nội (DOMAIN.md selection). */
export const PROVINCE_CODES: readonly (readonly [string, number])[] = [
  ['001', 78], ['031', 2], ['034', 4], ['036', 4], ['038', 3], ['040', 3], ['046', 1], ['048', 1], ['079', 2], ['092', 1],
  ['022', 0.5], ['030', 0.5], ['033', 0.5], ['035', 0.5], ['037', 0.5],
];

/** Mobile prefixes of Viettel, Vinaphone and Mobifone (DOMAIN.md). */
export const MOBILE_PREFIXES: readonly string[] = [
  '032', '033', '034', '035', '036', '037', '038', '039', '096', '097', '098',
  '081', '082', '083', '084', '085', '091', '094',
  '070', '076', '077', '078', '079', '090', '093',
];

/** Streets of the Ngọc Hà ward area (former Ba Đình district). */
export const STREETS: readonly string[] = [
  'Hoàng Hoa Thám', 'Ngọc Hà', 'Đội Cấn', 'Hoàng Diệu', 'Điện Biên Phủ', 'Kim Mã', 'Liễu Giai', 'Văn Cao',
  'Đốc Ngữ', 'Núi Trúc', 'Giang Văn Minh', 'Nguyễn Thái Học', 'Lê Hồng Phong', 'Ông Ích Khiêm', 'Sơn Tây',
  'Vạn Phúc', 'Quán Thánh', 'Phan Đình Phùng', 'Chu Văn An', 'Độc Lập', 'Bắc Sơn', 'Đội Nhân', 'Vĩnh Phúc',
  'Linh Lang', 'Cống Vị', 'Thụy Khuê', 'Hùng Vương',
];
export const TO_DAN_PHO_COUNT = 48;
export const WARD_SUFFIX = 'phường Ngọc Hà, TP Hà Nội';

// ---------------------------------------------------------------- procedures

export type DurationUnit = 'working' | 'calendar' | 'same_day';
export type DonViTinh = 'ngày làm việc' | 'ngày' | 'trong ngày';

export interface Field {
  code: string;
  name: string;
}

/** Field codes (MaLinhVuc) are assumed short codes; names follow the national catalogue. */
export const FIELDS = {
  hoTich: { code: 'HOTICH', name: 'Hộ tịch' },
  chungThuc: { code: 'CHUNGTHUC', name: 'Chứng thực' },
  xayDung: { code: 'XAYDUNG', name: 'Hoạt động xây dựng' },
  baoTro: { code: 'BTXH', name: 'Bảo trợ xã hội' },
  hoKinhDoanh: { code: 'HKD', name: 'Thành lập và hoạt động của hộ kinh doanh' },
} as const satisfies Record<string, Field>;

export type ProcedureKey =
  | 'khaiSinh' | 'ketHon' | 'khaiTu' | 'xacNhanHonNhan' | 'banSao' | 'chuKy' | 'nguoiDich' | 'hopDong'
  | 'diSan' | 'trichLuc' | 'soGoc' | 'caiChinh' | 'nhanChaMeCon' | 'khaiSinhNhanCha' | 'giamHo'
  | 'khaiSinhLai' | 'khaiSinhLuuDong' | 'hoKinhDoanh' | 'giayPhepXayDung' | 'troCapXaHoi';

export type FeeRule =
  | { kind: 'none' }
  /** Certified copies: 2,000 đ/page for pages 1–2, 1,000 đ from page 3, max 200,000 đ per copy (TT 226/2016). */
  | { kind: 'copyPages' }
  | { kind: 'flat'; name: string; amount: number };

export interface ProcedureDef {
  key: ProcedureKey;
  /** MaTTHC (numeric parts modelled on the national catalogue; suffix for Hà Nội). */
  code: string;
  name: string;
  field: Field;
  /** ThoiGianGiaiQuyet in hours (8 per working day, 24 per calendar day, 8 for same-day). */
  hours: number;
  unit: DurationUnit;
  /** Share of the daily volume (relative weight). */
  weight: number;
  /** Handling role after reception. */
  handler: OfficialRole;
  /** Whether the leader signs the result (adds a step). */
  leaderSigns: boolean;
  files: readonly string[];
  result: string;
  fee: FeeRule;
  /** May stop in status 6 (financial obligation) before the result. */
  feeAfterProcessing: boolean;
}

const P = (
  key: ProcedureKey, num: string, name: string, field: Field, days: number, unit: DurationUnit, weight: number,
  handler: OfficialRole, leaderSigns: boolean, files: readonly string[], result: string, fee: FeeRule,
  feeAfterProcessing = false,
): ProcedureDef => ({
  key, code: `${num}.000.00.00.H26`, name, field,
  hours: unit === 'same_day' ? 8 : unit === 'working' ? days * 8 : days * 24,
  unit, weight, handler, leaderSigns, files, result, fee, feeAfterProcessing,
});

export const PROCEDURES: readonly ProcedureDef[] = [
  P('khaiSinh', '1.001193', 'Đăng ký khai sinh', FIELDS.hoTich, 0, 'same_day', 10, 'justice', true,
    ['Tờ khai đăng ký khai sinh.pdf', 'Giấy chứng sinh.pdf', 'Giấy chứng nhận kết hôn của cha mẹ.pdf'], 'Giấy khai sinh', { kind: 'none' }),
  P('ketHon', '1.000894', 'Đăng ký kết hôn', FIELDS.hoTich, 0, 'same_day', 3, 'justice', true,
    ['Tờ khai đăng ký kết hôn.pdf', 'Giấy xác nhận tình trạng hôn nhân.pdf'], 'Giấy chứng nhận kết hôn', { kind: 'none' }),
  P('khaiTu', '1.000656', 'Đăng ký khai tử', FIELDS.hoTich, 0, 'same_day', 2, 'justice', true,
    ['Tờ khai đăng ký khai tử.pdf', 'Giấy báo tử.pdf'], 'Trích lục khai tử', { kind: 'none' }),
  P('xacNhanHonNhan', '1.004873', 'Cấp Giấy xác nhận tình trạng hôn nhân', FIELDS.hoTich, 3, 'working', 6, 'justice', true,
    ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân.pdf'], 'Giấy xác nhận tình trạng hôn nhân', { kind: 'none' }),
  P('banSao', '2.000815', 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp', FIELDS.chungThuc, 0, 'same_day', 40, 'justice', false,
    ['Bản chính giấy tờ cần chứng thực.pdf', 'Bản sao cần chứng thực.pdf'], 'Bản sao có chứng thực', { kind: 'copyPages' }),
  P('chuKy', '2.000884', 'Chứng thực chữ ký trong các giấy tờ, văn bản', FIELDS.chungThuc, 0, 'same_day', 8, 'justice', false,
    ['Giấy tờ, văn bản cần chứng thực chữ ký.pdf', 'Căn cước công dân.pdf'], 'Văn bản đã chứng thực chữ ký', { kind: 'flat', name: 'Phí chứng thực chữ ký', amount: 10_000 }),
  P('nguoiDich', '2.000843', 'Chứng thực chữ ký người dịch', FIELDS.chungThuc, 0, 'same_day', 1, 'justice', false,
    ['Bản dịch.pdf', 'Giấy tờ cần dịch.pdf'], 'Bản dịch đã chứng thực chữ ký người dịch', { kind: 'flat', name: 'Phí chứng thực chữ ký người dịch', amount: 10_000 }),
  P('hopDong', '2.001035', 'Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở', FIELDS.chungThuc, 2, 'working', 5, 'justice', true,
    ['Dự thảo hợp đồng.pdf', 'Giấy chứng nhận quyền sử dụng đất.pdf', 'Căn cước công dân các bên.pdf'], 'Hợp đồng đã được chứng thực', { kind: 'flat', name: 'Phí chứng thực hợp đồng', amount: 50_000 }),
  P('diSan', '2.001009', 'Chứng thực văn bản thỏa thuận phân chia di sản', FIELDS.chungThuc, 2, 'working', 1.5, 'justice', true,
    ['Dự thảo văn bản thỏa thuận phân chia di sản.pdf', 'Giấy chứng tử.pdf', 'Giấy tờ chứng minh quan hệ thừa kế.pdf'], 'Văn bản thỏa thuận đã được chứng thực', { kind: 'flat', name: 'Phí chứng thực văn bản thỏa thuận', amount: 50_000 }),
  P('trichLuc', '1.003583', 'Cấp bản sao Trích lục hộ tịch', FIELDS.hoTich, 0, 'same_day', 6, 'justice', false,
    ['Tờ khai cấp bản sao trích lục hộ tịch.pdf'], 'Bản sao trích lục hộ tịch', { kind: 'flat', name: 'Phí cấp bản sao trích lục hộ tịch', amount: 8_000 }),
  P('soGoc', '2.000908', 'Cấp bản sao từ sổ gốc', FIELDS.chungThuc, 0, 'same_day', 1, 'justice', false,
    ['Đơn đề nghị cấp bản sao từ sổ gốc.pdf'], 'Bản sao từ sổ gốc', { kind: 'flat', name: 'Phí cấp bản sao từ sổ gốc', amount: 8_000 }),
  P('caiChinh', '1.004859', 'Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch', FIELDS.hoTich, 3, 'working', 2, 'justice', true,
    ['Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch.pdf', 'Giấy khai sinh (bản chính).pdf', 'Giấy tờ liên quan.pdf'], 'Trích lục thay đổi, cải chính hộ tịch', { kind: 'flat', name: 'Lệ phí hộ tịch', amount: 15_000 }),
  P('nhanChaMeCon', '1.001022', 'Đăng ký nhận cha, mẹ, con', FIELDS.hoTich, 3, 'working', 0.5, 'justice', true,
    ['Tờ khai đăng ký nhận cha, mẹ, con.pdf', 'Văn bản xác nhận quan hệ cha con.pdf'], 'Trích lục đăng ký nhận cha, mẹ, con', { kind: 'none' }),
  P('khaiSinhNhanCha', '1.000689', 'Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con', FIELDS.hoTich, 3, 'working', 0.5, 'justice', true,
    ['Tờ khai đăng ký khai sinh.pdf', 'Tờ khai đăng ký nhận cha, mẹ, con.pdf', 'Giấy chứng sinh.pdf'], 'Giấy khai sinh', { kind: 'none' }),
  P('giamHo', '1.004837', 'Đăng ký giám hộ', FIELDS.hoTich, 3, 'working', 0.3, 'justice', true,
    ['Tờ khai đăng ký giám hộ.pdf', 'Văn bản cử người giám hộ.pdf'], 'Trích lục đăng ký giám hộ', { kind: 'none' }),
  P('khaiSinhLai', '1.004884', 'Đăng ký lại khai sinh', FIELDS.hoTich, 5, 'working', 0.7, 'justice', true,
    ['Tờ khai đăng ký lại khai sinh.pdf', 'Bản sao giấy khai sinh.pdf', 'Văn bản cam đoan về việc đã đăng ký khai sinh.pdf'], 'Giấy khai sinh', { kind: 'none' }),
  P('khaiSinhLuuDong', '1.000593', 'Đăng ký khai sinh lưu động', FIELDS.hoTich, 5, 'working', 0.2, 'justice', true,
    ['Tờ khai đăng ký khai sinh.pdf', 'Giấy chứng sinh.pdf'], 'Giấy khai sinh', { kind: 'none' }),
  P('hoKinhDoanh', '1.001612', 'Đăng ký thành lập hộ kinh doanh', FIELDS.hoKinhDoanh, 3, 'working', 3, 'economy', false,
    ['Giấy đề nghị đăng ký hộ kinh doanh.pdf', 'Biên bản họp thành viên hộ gia đình.pdf', 'Hợp đồng thuê địa điểm kinh doanh.pdf'], 'Giấy chứng nhận đăng ký hộ kinh doanh', { kind: 'flat', name: 'Lệ phí đăng ký hộ kinh doanh', amount: 100_000 }, true),
  P('giayPhepXayDung', '1.009994', 'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ', FIELDS.xayDung, 15, 'calendar', 2, 'economy', true,
    ['Đơn đề nghị cấp giấy phép xây dựng.pdf', 'Giấy chứng nhận quyền sử dụng đất.pdf', 'Bản vẽ thiết kế xây dựng.pdf'], 'Giấy phép xây dựng', { kind: 'flat', name: 'Lệ phí cấp giấy phép xây dựng', amount: 75_000 }, true),
  P('troCapXaHoi', '1.001776', 'Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng', FIELDS.baoTro, 10, 'working', 2, 'social', true,
    ['Tờ khai đề nghị trợ cấp xã hội.pdf', 'Giấy xác nhận khuyết tật.pdf'], 'Quyết định hưởng trợ cấp xã hội hằng tháng', { kind: 'none' }),
];

export const DON_VI_TINH: Readonly<Record<DurationUnit, DonViTinh>> = {
  working: 'ngày làm việc',
  calendar: 'ngày',
  same_day: 'trong ngày',
};

export const SUPPLEMENT_REASONS: readonly string[] = [
  'Bổ sung bản sao Giấy chứng nhận kết hôn của cha mẹ',
  'Tờ khai chưa có chữ ký của người yêu cầu, đề nghị bổ sung',
  'Bổ sung giấy tờ chứng minh nơi cư trú',
  'Bản vẽ thiết kế chưa thể hiện mặt cắt công trình, đề nghị bổ sung',
  'Bổ sung văn bản ủy quyền có chứng thực',
  'Thông tin trên tờ khai không khớp với Căn cước công dân, đề nghị kê khai lại',
  'Bổ sung giấy xác nhận mức độ khuyết tật',
  'Bổ sung hợp đồng thuê địa điểm kinh doanh',
];

export const REFUSAL_REASONS: readonly string[] = [
  'Hồ sơ không thuộc thẩm quyền giải quyết của UBND phường',
  'Người yêu cầu không xuất trình được bản chính để đối chiếu',
  'Giấy tờ yêu cầu chứng thực có nội dung trái pháp luật',
  'Hồ sơ trùng lặp với hồ sơ đã nộp trực tuyến',
];

// ---------------------------------------------------------------- documents

export interface Sender {
  id: string;
  name: string;
  address: string;
  email: string;
  phone: string;
  place: string;
  /** Notation of a Công văn; other types use `<type abbr>-<organ abbr>`. */
  letterNotations: readonly string[];
  organAbbr: string;
  competence: string;
  position: string;
  weight: number;
}

/** OrganIds other than VPCP's `000.00.00.G22` and Hà Nội's `H26` root are assumed. */
export const SENDERS: readonly Sender[] = [
  { id: '000.00.00.H26', name: 'UBND thành phố Hà Nội', address: '79 Đinh Tiên Hoàng, Hoàn Kiếm, Hà Nội', email: 'vanthu@hanoi.gov.vn', phone: '024.38253536', place: 'Hà Nội', letterNotations: ['UBND-KT', 'UBND-KGVX', 'UBND-NC', 'UBND-ĐT', 'UBND-TH'], organAbbr: 'UBND', competence: 'KT. CHỦ TỊCH', position: 'Phó Chủ tịch', weight: 30 },
  { id: '000.00.00.G22', name: 'Văn phòng Chính phủ', address: '1 Hoàng Hoa Thám, Ba Đình, Hà Nội', email: 'vpcp@chinhphu.vn', phone: '080.43162', place: 'Hà Nội', letterNotations: ['VPCP-TTĐT', 'VPCP-KSTT', 'VPCP-V.I'], organAbbr: 'VPCP', competence: 'KT. BỘ TRƯỞNG, CHỦ NHIỆM', position: 'Phó Chủ nhiệm', weight: 3 },
  { id: '000.00.00.G17', name: 'Bộ Tư pháp', address: '58-60 Trần Phú, Ba Đình, Hà Nội', email: 'vanthu@moj.gov.vn', phone: '024.62739718', place: 'Hà Nội', letterNotations: ['BTP-HTQTCT', 'BTP-KSTT'], organAbbr: 'BTP', competence: 'KT. BỘ TRƯỞNG', position: 'Thứ trưởng', weight: 2 },
  { id: '000.00.00.G12', name: 'Bộ Nội vụ', address: '8 Tôn Thất Thuyết, Cầu Giấy, Hà Nội', email: 'vanthu@moha.gov.vn', phone: '080.46202', place: 'Hà Nội', letterNotations: ['BNV-CQĐP', 'BNV-CCHC'], organAbbr: 'BNV', competence: 'KT. BỘ TRƯỞNG', position: 'Thứ trưởng', weight: 2 },
  { id: '000.00.12.H26', name: 'Sở Tư pháp thành phố Hà Nội', address: '221 Trần Phú, Hà Đông, Hà Nội', email: 'sotuphap@hanoi.gov.vn', phone: '024.33546263', place: 'Hà Nội', letterNotations: ['STP-HCTP', 'STP-BTTP', 'STP-PBGDPL'], organAbbr: 'STP', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 10 },
  { id: '000.00.05.H26', name: 'Sở Nội vụ thành phố Hà Nội', address: '18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội', email: 'sonoivu@hanoi.gov.vn', phone: '024.38253601', place: 'Hà Nội', letterNotations: ['SNV-CCVC', 'SNV-CQĐP', 'SNV-CCHC'], organAbbr: 'SNV', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 10 },
  { id: '000.00.31.H26', name: 'Công an thành phố Hà Nội', address: '87 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội', email: 'congan@hanoi.gov.vn', phone: '069.2194114', place: 'Hà Nội', letterNotations: ['CATP-PC06', 'CATP-PC07', 'CATP-PV01'], organAbbr: 'CATP', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 8 },
  { id: '000.00.04.H26', name: 'Văn phòng UBND thành phố Hà Nội', address: '12 Lê Lai, Hoàn Kiếm, Hà Nội', email: 'vpub@hanoi.gov.vn', phone: '024.38253536', place: 'Hà Nội', letterNotations: ['VP-KGVX', 'VP-HCTC', 'VP-KSTTHC'], organAbbr: 'VP', competence: 'KT. CHÁNH VĂN PHÒNG', position: 'Phó Chánh Văn phòng', weight: 7 },
  { id: '000.00.15.H26', name: 'Sở Xây dựng thành phố Hà Nội', address: '52 Lê Đại Hành, Hai Bà Trưng, Hà Nội', email: 'soxaydung@hanoi.gov.vn', phone: '024.39740160', place: 'Hà Nội', letterNotations: ['SXD-QLXD', 'SXD-TTr'], organAbbr: 'SXD', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 5 },
  { id: '000.00.09.H26', name: 'Sở Tài chính thành phố Hà Nội', address: '38B Hàm Long, Hoàn Kiếm, Hà Nội', email: 'sotaichinh@hanoi.gov.vn', phone: '024.38256573', place: 'Hà Nội', letterNotations: ['STC-QLNS', 'STC-ĐKKD'], organAbbr: 'STC', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 5 },
  { id: '000.00.20.H26', name: 'Sở Y tế thành phố Hà Nội', address: '4 Sơn Tây, Ba Đình, Hà Nội', email: 'soyte@hanoi.gov.vn', phone: '024.39985765', place: 'Hà Nội', letterNotations: ['SYT-NVY', 'SYT-KHTC'], organAbbr: 'SYT', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 4 },
  { id: '000.00.22.H26', name: 'Sở Văn hóa và Thể thao thành phố Hà Nội', address: '47 Hàng Dầu, Hoàn Kiếm, Hà Nội', email: 'sovhtt@hanoi.gov.vn', phone: '024.38255287', place: 'Hà Nội', letterNotations: ['SVHTT-QLVH', 'SVHTT-VP'], organAbbr: 'SVHTT', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 3 },
  { id: '000.00.25.H26', name: 'Bảo hiểm xã hội thành phố Hà Nội', address: '15 Trần Bình Trọng, Hoàn Kiếm, Hà Nội', email: 'bhxh@hanoi.vss.gov.vn', phone: '024.39429829', place: 'Hà Nội', letterNotations: ['BHXH-QLT', 'BHXH-TST'], organAbbr: 'BHXH', competence: 'KT. GIÁM ĐỐC', position: 'Phó Giám đốc', weight: 3 },
];

export interface DocTypeDef {
  /** DocumentType/Type (numeric codes assumed). */
  type: number;
  name: string;
  /** Notation abbreviation for non-letter types (QĐ, KH, TB…); null = Công văn (sender's letter notation). */
  abbr: string | null;
  weight: number;
}

export const DOC_TYPES: readonly DocTypeDef[] = [
  { type: 1, name: 'Công văn', abbr: null, weight: 55 },
  { type: 2, name: 'Quyết định', abbr: 'QĐ', weight: 10 },
  { type: 3, name: 'Thông báo', abbr: 'TB', weight: 9 },
  { type: 4, name: 'Kế hoạch', abbr: 'KH', weight: 12 },
  { type: 5, name: 'Chỉ thị', abbr: 'CT', weight: 2 },
  { type: 6, name: 'Báo cáo', abbr: 'BC', weight: 5 },
  { type: 7, name: 'Giấy mời', abbr: 'GM', weight: 7 },
];

/** Topics of official letters ("V/v …"); `{y}` = year, `{q}` = quarter. */
export const DOC_TOPICS: readonly string[] = [
  'triển khai thực hiện Nghị định số 118/2025/NĐ-CP về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông',
  'tăng cường chuyển đổi số trong tiếp nhận và giải quyết thủ tục hành chính',
  'báo cáo kết quả giải quyết thủ tục hành chính quý {q} năm {y}',
  'đẩy mạnh thực hiện Đề án 06 về phát triển ứng dụng dữ liệu dân cư, định danh và xác thực điện tử',
  'triển khai công tác phòng cháy, chữa cháy mùa hanh khô năm {y}',
  'rà soát, cập nhật dữ liệu hộ tịch vào Cơ sở dữ liệu hộ tịch điện tử',
  'thực hiện chế độ báo cáo thống kê ngành Tư pháp năm {y}',
  'triển khai Kế hoạch cải cách hành chính năm {y}',
  'chấn chỉnh tình trạng hồ sơ thủ tục hành chính giải quyết quá hạn',
  'phòng, chống dịch bệnh sốt xuất huyết trên địa bàn thành phố',
  'bảo đảm trật tự, an toàn giao thông dịp Tết Nguyên đán',
  'kiểm tra công tác chứng thực tại Ủy ban nhân dân cấp xã',
  'hướng dẫn thực hiện chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội',
  'tăng cường quản lý trật tự xây dựng trên địa bàn',
  'tuyên truyền, phổ biến Luật Căn cước',
  'lấy ý kiến góp ý dự thảo Nghị quyết của HĐND thành phố',
  'triển khai ứng dụng VNeID trong thực hiện thủ tục hành chính',
  'thực hiện phân cấp, phân quyền trong mô hình chính quyền địa phương hai cấp',
  'cung cấp số liệu phục vụ xây dựng dự toán ngân sách năm {y}',
  'tổ chức các hoạt động kỷ niệm Ngày Quốc khánh 2/9',
  'thu thập, làm sạch dữ liệu đất đai',
  'rà soát hộ nghèo, hộ cận nghèo năm {y}',
];

export const DOC_SPHERES: readonly string[] = ['UBND các xã, phường', 'Các sở, ban, ngành; UBND các xã, phường', 'UBND các phường'];

export const DOC_DESCRIPTIONS: readonly string[] = ['Văn bản chính', 'Phụ lục', 'Biểu mẫu kèm theo'];
