/**
 * Issue #5: the dashboard as an Excel workbook (exceljs: sheets Tổng hợp, Theo cán bộ, Theo thủ tục,
 * Quá hạn) and as a PDF report (pdfkit with DejaVu Sans, which has every Vietnamese glyph), both in
 * Vietnamese. The fonts ship in `resources/fonts/` (DejaVu licence in LICENSE-DejaVu.txt).
 */
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DashboardData, DashboardPeriod } from '../../shared/dashboard';

const OFFICE_OFFSET = 7 * 3_600_000;

export const PERIOD_WORDS: Readonly<Record<DashboardPeriod, string>> = {
  week: '7 ngày qua',
  month: '30 ngày qua',
  quarter: '90 ngày qua',
  year: '365 ngày qua',
  all: 'toàn bộ dữ liệu',
};

const AGING_WORDS: Readonly<Record<DashboardData['aging'][number]['bucket'], string>> = {
  d0_1: '0–1 ngày',
  d2_3: '2–3 ngày',
  d4_7: '4–7 ngày',
  d8_14: '8–14 ngày',
  d15_30: '15–30 ngày',
  d31: 'Trên 30 ngày',
};

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** dd/MM/yyyy in office time (UTC+7). */
export function vnDate(ms: number): string {
  const d = new Date(ms + OFFICE_OFFSET);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** HH:mm dd/MM/yyyy in office time. */
export function vnDateTime(ms: number): string {
  const d = new Date(ms + OFFICE_OFFSET);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ${vnDate(ms)}`;
}

/** "97,5%" (Vietnamese decimal comma), or "—" when nothing was resolved. */
export function vnPercent(rate: number | null): string {
  if (rate === null) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1).replace('.', ',')}%`;
}

/** "2 ngày 3 giờ" of a lateness in minutes (calendar time). */
export function vnLateness(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours > 0 ? `${days} ngày ${hours} giờ` : `${days} ngày`;
  if (hours > 0) return `${hours} giờ`;
  return `${Math.max(1, minutes)} phút`;
}

export interface ExportContext {
  officeName: string;
  /** Who exported (session user's full name). */
  by: string;
  filter: { official?: string | undefined; procedure?: string | undefined };
}

function periodLine(data: DashboardData): string {
  const range = data.period.from === null ? '' : ` (${vnDate(data.period.from)} – ${vnDate(data.period.to)})`;
  return `Kỳ: ${PERIOD_WORDS[data.period.name]}${range}`;
}

function filterLine(ctx: ExportContext, data: DashboardData): string | null {
  const parts: string[] = [];
  if (ctx.filter.official !== undefined) {
    const o = data.choices.officials.find((x) => x.username === ctx.filter.official);
    parts.push(`Cán bộ: ${o?.name ?? ctx.filter.official}`);
  }
  if (ctx.filter.procedure !== undefined) parts.push(`Thủ tục/loại văn bản: ${ctx.filter.procedure}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

export function exportFilename(data: DashboardData, ext: 'xlsx' | 'pdf'): string {
  const d = new Date(data.now + OFFICE_OFFSET);
  return `bao-cao-dieu-hanh-${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}.${ext}`;
}

// ---------------------------------------------------------------- Excel

export const SHEET_NAMES = ['Tổng hợp', 'Theo cán bộ', 'Theo thủ tục', 'Quá hạn'] as const;

function headerRow(sheet: ExcelJS.Worksheet, values: string[]): void {
  const row = sheet.addRow(values);
  row.font = { bold: true };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    cell.border = { bottom: { style: 'thin' } };
  });
}

export async function dashboardWorkbook(data: DashboardData, ctx: ExportContext): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = ctx.by;
  wb.created = new Date(data.now);
  const [sumName, offName, procName, lateName] = SHEET_NAMES;

  const sum = wb.addWorksheet(sumName);
  sum.columns = [{ width: 42 }, { width: 18 }];
  sum.addRow([`BÁO CÁO ĐIỀU HÀNH – ${ctx.officeName}`]).font = { bold: true, size: 14 };
  sum.addRow([`Lập lúc ${vnDateTime(data.now)} bởi ${ctx.by}`]);
  sum.addRow([periodLine(data)]);
  const filter = filterLine(ctx, data);
  if (filter) sum.addRow([filter]);
  sum.addRow([]);
  headerRow(sum, ['Chỉ số', 'Giá trị']);
  const t = data.totals;
  sum.addRow(['Hồ sơ, văn bản đang xử lý', t.backlog]);
  sum.addRow(['Đến hạn hôm nay', t.dueToday]);
  sum.addRow(['Quá hạn', t.overdue]);
  sum.addRow(['Tạm dừng (chờ bổ sung)', t.paused]);
  sum.addRow(['Hồ sơ đã giải quyết trong kỳ', t.resolved]);
  sum.addRow(['Giải quyết đúng hạn hoặc trước hạn', t.onTime]);
  const rateRow = sum.addRow(['Tỷ lệ đúng hạn', t.onTimeRate ?? '—']);
  if (t.onTimeRate !== null) rateRow.getCell(2).numFmt = '0.0%';
  sum.addRow(['Giao sai thẩm quyền', t.outsideAuthority]);
  sum.addRow([]);
  headerRow(sum, ['Thời gian tồn đọng (từ ngày tiếp nhận)', 'Số lượng']);
  for (const a of data.aging) sum.addRow([AGING_WORDS[a.bucket], a.count]);
  sum.addRow([]);
  headerRow(sum, ['Tuần bắt đầu', 'Đã giải quyết', 'Đúng hạn', 'Tỷ lệ đúng hạn']);
  sum.getColumn(3).width = 12;
  sum.getColumn(4).width = 16;
  for (const p of data.periods) {
    const row = sum.addRow([vnDate(p.start), p.resolved, p.onTime, p.onTimeRate ?? '—']);
    if (p.onTimeRate !== null) row.getCell(4).numFmt = '0.0%';
  }

  const off = wb.addWorksheet(offName);
  off.columns = [{ width: 28 }, { width: 16 }, { width: 12 }, { width: 12 }, { width: 12 }, { width: 12 }, { width: 14 }, { width: 12 }, { width: 14 }, { width: 16 }];
  headerRow(off, ['Cán bộ', 'Tên đăng nhập', 'Đang xử lý', 'Đến hạn hôm nay', 'Quá hạn', 'Tạm dừng', 'Đã giải quyết', 'Đúng hạn', 'Tỷ lệ đúng hạn', 'Sai thẩm quyền']);
  for (const o of data.officials) {
    const row = off.addRow([o.name, o.username ?? '', o.backlog, o.dueToday, o.overdue, o.paused, o.resolved, o.onTime, o.onTimeRate ?? '—', o.outsideAuthority]);
    if (o.onTimeRate !== null) row.getCell(9).numFmt = '0.0%';
  }

  const proc = wb.addWorksheet(procName);
  proc.columns = [{ width: 60 }, { width: 12 }, { width: 12 }, { width: 12 }, { width: 14 }, { width: 12 }, { width: 14 }];
  headerRow(proc, ['Thủ tục / loại văn bản', 'Loại', 'Đang xử lý', 'Quá hạn', 'Đã giải quyết', 'Đúng hạn', 'Tỷ lệ đúng hạn']);
  for (const p of data.procedures) {
    const row = proc.addRow([p.kind, p.source === 'procedure' ? 'Hồ sơ' : 'Văn bản', p.backlog, p.overdue, p.resolved, p.onTime, p.onTimeRate ?? '—']);
    if (p.onTimeRate !== null) row.getCell(7).numFmt = '0.0%';
  }

  const late = wb.addWorksheet(lateName);
  late.columns = [{ width: 28 }, { width: 40 }, { width: 40 }, { width: 24 }, { width: 18 }, { width: 18 }, { width: 16 }, { width: 14 }, { width: 50 }];
  headerRow(late, ['Mã hồ sơ / số ký hiệu', 'Trích yếu', 'Thủ tục / loại văn bản', 'Cán bộ', 'Hạn xử lý', 'Hoàn thành', 'Trễ', 'Tình trạng', 'Lý do']);
  for (const l of data.late) {
    late.addRow([
      l.ref,
      l.title,
      l.kind ?? '',
      l.officialName ?? '',
      vnDateTime(l.dueAt),
      l.finishedAt === null ? '' : vnDateTime(l.finishedAt),
      vnLateness(l.lateMinutes),
      l.state === 'open' ? 'Đang quá hạn' : 'Giải quyết trễ hạn',
      l.reason ?? 'Chưa có lý do trên hệ thống',
    ]);
  }
  if (data.lateTotal > data.late.length) late.addRow([`… và ${data.lateTotal - data.late.length} mục khác (danh sách ghi ${data.late.length} mục trễ nhất)`]);

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

// ---------------------------------------------------------------- PDF

/** Where the DejaVu fonts are: the source tree, the built app (out/main), or Electron's resources. */
export function findFontsDir(): string {
  const here = import.meta.dirname;
  const candidates = [
    resolve(here, '../../../resources/fonts'),
    resolve(here, '../../resources/fonts'),
    resolve(here, '../resources/fonts'),
    ...(typeof (process as { resourcesPath?: unknown }).resourcesPath === 'string'
      ? [join((process as unknown as { resourcesPath: string }).resourcesPath, 'fonts')]
      : []),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'DejaVuSans.ttf')));
  if (!found) throw new Error(`DejaVuSans.ttf not found (looked in ${candidates.join(', ')})`);
  return found;
}

interface Column {
  title: string;
  width: number;
  align?: 'left' | 'right';
}

function table(doc: PDFKit.PDFDocument, columns: Column[], rows: string[][]): void {
  const left = doc.page.margins.left;
  const bottom = doc.page.height - doc.page.margins.bottom;
  const drawRow = (cells: string[], bold: boolean): void => {
    doc.font(bold ? 'bold' : 'regular').fontSize(8.5);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: (columns[i]?.width ?? 60) - 4 }));
    const h = Math.max(12, ...heights) + 4;
    if (doc.y + h > bottom) {
      doc.addPage();
      if (!bold) drawRow(columns.map((c) => c.title), true);
    }
    const y = doc.y;
    let x = left;
    cells.forEach((c, i) => {
      const col = columns[i] as Column;
      doc.text(c, x + 2, y + 2, { width: col.width - 4, align: col.align ?? 'left', lineBreak: true });
      x += col.width;
    });
    doc
      .moveTo(left, y + h)
      .lineTo(x, y + h)
      .lineWidth(bold ? 0.8 : 0.3)
      .strokeColor(bold ? '#333333' : '#bbbbbb')
      .stroke();
    doc.x = left;
    doc.y = y + h;
  };
  drawRow(
    columns.map((c) => c.title),
    true,
  );
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.8);
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  if (doc.y > doc.page.height - doc.page.margins.bottom - 60) doc.addPage();
  doc.x = doc.page.margins.left;
  doc.font('bold').fontSize(12).fillColor('#000000').text(text);
  doc.moveDown(0.3);
}

export function dashboardPdf(data: DashboardData, ctx: ExportContext, fontsDir: string = findFontsDir()): Promise<Buffer> {
  const regular = join(fontsDir, 'DejaVuSans.ttf');
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    font: regular,
    info: { Title: `Báo cáo điều hành – ${ctx.officeName}`, Author: ctx.by, Subject: periodLine(data) },
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', join(fontsDir, 'DejaVuSans-Bold.ttf'));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((ok, fail) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => ok(Buffer.concat(chunks)));
    doc.on('error', fail);
  });

  doc.font('bold').fontSize(16).text(`BÁO CÁO ĐIỀU HÀNH – ${ctx.officeName}`);
  doc.font('regular').fontSize(10).text(`Lập lúc ${vnDateTime(data.now)} bởi ${ctx.by}. ${periodLine(data)}.`);
  const filter = filterLine(ctx, data);
  if (filter) doc.text(filter);
  doc.moveDown(0.6);

  const t = data.totals;
  heading(doc, 'Tổng hợp');
  table(
    doc,
    [
      { title: 'Đang xử lý', width: 90, align: 'right' },
      { title: 'Đến hạn hôm nay', width: 100, align: 'right' },
      { title: 'Quá hạn', width: 80, align: 'right' },
      { title: 'Tạm dừng', width: 80, align: 'right' },
      { title: 'Đã giải quyết', width: 90, align: 'right' },
      { title: 'Đúng hạn', width: 80, align: 'right' },
      { title: 'Tỷ lệ đúng hạn', width: 100, align: 'right' },
      { title: 'Sai thẩm quyền', width: 100, align: 'right' },
    ],
    [[t.backlog, t.dueToday, t.overdue, t.paused, t.resolved, t.onTime].map(String).concat([vnPercent(t.onTimeRate), String(t.outsideAuthority)])],
  );
  table(
    doc,
    data.aging.map((a) => ({ title: AGING_WORDS[a.bucket], width: 90, align: 'right' as const })),
    [data.aging.map((a) => String(a.count))],
  );

  heading(doc, 'Theo cán bộ');
  table(
    doc,
    [
      { title: 'Cán bộ', width: 170 },
      { title: 'Đang xử lý', width: 70, align: 'right' },
      { title: 'Đến hạn hôm nay', width: 80, align: 'right' },
      { title: 'Quá hạn', width: 60, align: 'right' },
      { title: 'Tạm dừng', width: 60, align: 'right' },
      { title: 'Đã giải quyết', width: 75, align: 'right' },
      { title: 'Đúng hạn', width: 65, align: 'right' },
      { title: 'Tỷ lệ đúng hạn', width: 80, align: 'right' },
      { title: 'Sai thẩm quyền', width: 80, align: 'right' },
    ],
    data.officials.map((o) => [
      o.name,
      ...[o.backlog, o.dueToday, o.overdue, o.paused, o.resolved, o.onTime].map(String),
      vnPercent(o.onTimeRate),
      String(o.outsideAuthority),
    ]),
  );

  heading(doc, 'Theo thủ tục / loại văn bản');
  table(
    doc,
    [
      { title: 'Thủ tục / loại văn bản', width: 330 },
      { title: 'Đang xử lý', width: 70, align: 'right' },
      { title: 'Quá hạn', width: 60, align: 'right' },
      { title: 'Đã giải quyết', width: 80, align: 'right' },
      { title: 'Đúng hạn', width: 70, align: 'right' },
      { title: 'Tỷ lệ đúng hạn', width: 90, align: 'right' },
    ],
    data.procedures.map((p) => [p.kind, ...[p.backlog, p.overdue, p.resolved, p.onTime].map(String), vnPercent(p.onTimeRate)]),
  );

  heading(doc, `Hồ sơ, văn bản trễ hạn (${data.lateTotal})`);
  table(
    doc,
    [
      { title: 'Mã / số ký hiệu', width: 130 },
      { title: 'Thủ tục / loại văn bản', width: 170 },
      { title: 'Cán bộ', width: 100 },
      { title: 'Hạn xử lý', width: 80 },
      { title: 'Trễ', width: 70 },
      { title: 'Lý do', width: 220 },
    ],
    data.late.map((l) => [
      l.ref,
      l.kind ?? '',
      l.officialName ?? '',
      vnDateTime(l.dueAt),
      `${vnLateness(l.lateMinutes)}${l.state === 'open' ? ' (đang quá hạn)' : ''}`,
      l.reason ?? 'Chưa có lý do trên hệ thống',
    ]),
  );
  if (data.lateTotal > data.late.length) doc.font('regular').fontSize(9).text(`… và ${data.lateTotal - data.late.length} mục khác.`);
  doc.end();
  return done;
}
