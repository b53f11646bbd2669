/**
 * Attachment text for the search (issue #6), with the real libraries: a PDF made by pdfkit (Vietnamese
 * text in an embedded TrueType font) read by pdfjs-dist, a DOCX (a real OOXML zip) read by mammoth, both
 * stored folded in a real SQLite cache and found through attachment_fts; broken, unsupported and
 * oversized files are recorded, never thrown.
 */
import JSZip from 'jszip';
import PDFDocument from 'pdfkit';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttachmentTextService, attachmentKind, extractText, MAX_FILE_BYTES } from '../../../src/core/citizen/attachment-text.service';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import type Database from 'better-sqlite3';
import { tempDir } from '../core/fixtures/records.fixture';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const VI = 'Giấy khai sinh của cháu Đặng Thị Hương, cấp ngày 12 tháng 3 năm 2024';

let dir: string;
let cleanup: () => void;
let db: Database.Database;
const logs: string[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-attachment-text-'));
  db = openCacheDatabase(dir);
  logs.length = 0;
});
afterEach(() => {
  db.close();
  cleanup();
});

function pdf(text: string, font: string | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    if (font) doc.font(font);
    doc.fontSize(12).text(text);
    doc.addPage().text('Trang hai: số hồ sơ 000.26.13.H26-251003-0012');
    doc.end();
  });
}

async function docx(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${p}</w:t></w:r></w:p>`).join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

function service(): AttachmentTextService {
  return new AttachmentTextService(db, () => 1_000, (_level, msg) => logs.push(msg));
}

const found = (q: string): { item_id: string; filename: string }[] =>
  db
    .prepare<[string], { item_id: string; filename: string }>(
      'SELECT a.item_id, a.filename FROM attachment_fts JOIN attachment_texts AS a ON a.rowid = attachment_fts.rowid WHERE attachment_fts MATCH ?',
    )
    .all(q);

describe('attachment text', () => {
  it('knows PDF and DOCX by type or name', () => {
    expect(attachmentKind('application/pdf', null)).toBe('pdf');
    expect(attachmentKind('application/octet-stream', 'Tờ khai.PDF')).toBe('pdf');
    expect(attachmentKind('application/vnd.openxmlformats-officedocument.wordprocessingml.document', null)).toBe('docx');
    expect(attachmentKind('image/jpeg', 'anh.jpg')).toBeNull();
  });

  it.skipIf(!existsSync(FONT))('reads Vietnamese text from a pdfkit PDF (DejaVu font; skipped when the font is not installed)', async () => {
    const path = join(dir, 'a.pdf');
    writeFileSync(path, await pdf(VI, FONT));
    const text = await extractText(path, 'pdf');
    expect(text.normalize('NFC')).toContain('Đặng Thị Hương');
    expect(text).toContain('000.26.13.H26-251003-0012');
  });

  it('indexes a PDF and a DOCX folded (no marks, đ → d) and finds them by prefix', async () => {
    const pdfPath = join(dir, 'a.pdf');
    writeFileSync(pdfPath, await pdf('Bien ban xac minh ho khau so 42', null));
    const docxPath = join(dir, 'b.docx');
    writeFileSync(docxPath, await docx(['Đơn đề nghị cấp bản sao trích lục', 'Người làm đơn: Đỗ Văn Định']));
    const s = service();
    expect(await s.index({ itemId: 'm:1', index: 0, filename: 'bien-ban.pdf', contentType: 'application/pdf', path: pdfPath, size: 1000 })).toBe('ok');
    expect(
      await s.index({
        itemId: 'm:2',
        index: 1,
        filename: 'Đơn đề nghị.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        path: docxPath,
        size: 1000,
      }),
    ).toBe('ok');
    expect(found('"xac"* AND "minh"*')).toEqual([{ item_id: 'm:1', filename: 'bien-ban.pdf' }]);
    expect(found('"do"* AND "van"* AND "dinh"*')).toEqual([{ item_id: 'm:2', filename: 'Đơn đề nghị.docx' }]);
    expect(found('"trich"*')).toEqual([{ item_id: 'm:2', filename: 'Đơn đề nghị.docx' }]);
    // Indexed once: a second call answers the stored status without reading the file.
    expect(await s.index({ itemId: 'm:1', index: 0, filename: 'bien-ban.pdf', contentType: 'application/pdf', path: join(dir, 'gone.pdf'), size: 1000 })).toBe('ok');
  });

  it('records broken, unsupported and oversized files without throwing, and logs the failure', async () => {
    const broken = join(dir, 'broken.pdf');
    writeFileSync(broken, '%PDF-1.4 this is not really a pdf');
    const notZip = join(dir, 'broken.docx');
    writeFileSync(notZip, 'PK not a zip');
    const s = service();
    expect(await s.index({ itemId: 'm:3', index: 0, filename: 'broken.pdf', contentType: 'application/pdf', path: broken, size: 40 })).toBe('failed');
    expect(await s.index({ itemId: 'm:3', index: 1, filename: 'broken.docx', contentType: 'application/octet-stream', path: notZip, size: 12 })).toBe('failed');
    expect(await s.index({ itemId: 'm:3', index: 2, filename: 'anh.jpg', contentType: 'image/jpeg', path: notZip, size: 12 })).toBe('unsupported');
    expect(await s.index({ itemId: 'm:3', index: 3, filename: 'lon.pdf', contentType: 'application/pdf', path: broken, size: MAX_FILE_BYTES + 1 })).toBe('too_large');
    const statuses = db.prepare("SELECT part_index, status FROM attachment_texts WHERE item_id = 'm:3' ORDER BY part_index").all();
    expect(statuses).toEqual([
      { part_index: 0, status: 'failed' },
      { part_index: 1, status: 'failed' },
      { part_index: 2, status: 'unsupported' },
      { part_index: 3, status: 'too_large' },
    ]);
    expect(logs.filter((m) => m === 'attachment text extraction failed')).toHaveLength(2);
  });
});
