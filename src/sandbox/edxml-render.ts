/**
 * edXML envelopes (QCVN 102:2016 style, docs/backend-protocols.md §2) and the small PDF
 * attachments they carry, rendered on request from a DocumentRecord.
 */
import { UNIT_CODE, UNIT_FULL_NAME } from './commune-data';
import type { DocumentRecord } from './data-generator';
import { vnSlashDate, vnSlashDateTime } from './vn-time';

export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** Ways the sandbox corrupts an envelope when the malformed fault fires. */
export type EdxmlCorruption = 'truncated' | 'not_well_formed' | 'missing_header_fields';
export const EDXML_CORRUPTIONS: readonly EdxmlCorruption[] = ['truncated', 'not_well_formed', 'missing_header_fields'];

/** Escape text for XML element content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

function el(name: string, value: string | number): string {
  return `<edXML:${name}>${xmlEscape(String(value))}</edXML:${name}>`;
}

/** Render the envelope. `corruption` produces one of the malformed variants used by fault injection. */
export function renderEdxml(doc: DocumentRecord, corruption?: EdxmlCorruption): string {
  const promulgation = vnSlashDate(doc.promulgatedAt);
  const documentId = `${doc.sender.id},${promulgation},${doc.codeNumber}/${doc.codeNotation}`;
  const dropHeader = corruption === 'missing_header_fields';
  const header: string[] = [];
  header.push(
    '<edXML:From>',
    el('OrganId', doc.sender.id),
    el('OrganName', doc.sender.name),
    el('OrganAdd', doc.sender.address),
    el('Email', doc.sender.email),
    el('Telephone', doc.sender.phone),
    '</edXML:From>',
  );
  header.push('<edXML:To>', el('OrganId', UNIT_CODE), el('OrganName', UNIT_FULL_NAME), '</edXML:To>');
  if (!dropHeader) {
    header.push(el('DocumentId', documentId));
    header.push('<edXML:Code>', el('CodeNumber', doc.codeNumber), el('CodeNotation', doc.codeNotation), '</edXML:Code>');
  }
  header.push('<edXML:PromulgationInfo>', el('Place', doc.sender.place), el('PromulgationDate', promulgation), '</edXML:PromulgationInfo>');
  header.push('<edXML:DocumentType>', el('Type', doc.type.type), el('TypeName', doc.type.name), '</edXML:DocumentType>');
  if (!dropHeader) header.push(el('Subject', doc.subject));
  header.push(el('Content', doc.content));
  header.push(
    '<edXML:SignerInfo>',
    el('Competence', doc.signer.competence),
    el('Position', doc.signer.position),
    el('FullName', doc.signer.fullName),
    '</edXML:SignerInfo>',
  );
  if (doc.dueDate) header.push(el('DueDate', doc.dueDate));
  header.push(
    '<edXML:OtherInfo>',
    el('Priority', doc.priority),
    el('SphereOfPromulgation', doc.sphere),
    el('TyperNotation', doc.typist),
    el('PromulgationAmount', doc.promulgationAmount),
    el('PageAmount', doc.pageCount),
    '</edXML:OtherInfo>',
  );
  if (doc.responseFor) {
    header.push(
      '<edXML:ResponseFor>',
      el('OrganId', doc.responseFor.organId),
      el('Code', doc.responseFor.code),
      el('PromulgationDate', doc.responseFor.promulgationDate),
      el('DocumentId', doc.responseFor.documentId),
      '</edXML:ResponseFor>',
    );
  }
  header.push(el('SteeringType', doc.steeringType));

  const manifest: string[] = [];
  const encoded: string[] = [];
  doc.attachments.forEach((a, i) => {
    const cid = `cid:${i + 1}`;
    manifest.push(
      '<edXML:Reference>',
      el('ContentId', cid),
      el('ContentType', 'application/pdf'),
      el('Description', a.description),
      el('AttachmentName', a.name),
      '</edXML:Reference>',
    );
    const pdf = minimalPdf([`${doc.codeNumber}/${doc.codeNotation}`, doc.sender.name, doc.subject, a.description], a.pages);
    encoded.push(
      '<edXML:Attachment>',
      el('ContentId', cid),
      el('AttachmentName', a.name),
      el('ContentType', 'application/pdf'),
      el('Value', pdf.toString('base64')),
      '</edXML:Attachment>',
    );
  });

  let xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">` +
    '<edXML:edXMLHeader><edXML:MessageHeader>' +
    header.join('') +
    '</edXML:MessageHeader>' +
    '<edXML:TraceHeaderList><edXML:TraceHeader>' +
    el('OrganId', doc.sender.id) +
    el('Timestamp', vnSlashDateTime(doc.sentAt)) +
    '</edXML:TraceHeader></edXML:TraceHeaderList>' +
    '</edXML:edXMLHeader>' +
    `<edXML:edXMLManifest>${manifest.join('')}</edXML:edXMLManifest>` +
    `<edXML:AttachmentEncoded>${encoded.join('')}</edXML:AttachmentEncoded>` +
    '</edXML:edXMLEnvelope>';

  if (corruption === 'truncated') xml = xml.slice(0, Math.floor(xml.length * 0.6));
  if (corruption === 'not_well_formed') {
    // A raw ampersand and a mismatched closing tag, as a broken sender would produce.
    xml = xml.replace('<edXML:Content>', '<edXML:Content>Q&A ').replace('</edXML:SteeringType>', '</edXML:Steering>');
  }
  return xml;
}

function pdfText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/([\\()])/g, '\\$1');
}

function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > width && line.length > 0) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A small valid PDF (one page per `pages`, Helvetica) showing `lines` in ASCII (diacritics folded:
 * the standard fonts have no Vietnamese glyphs). Offsets in the xref table are exact.
 */
export function minimalPdf(lines: readonly string[], pages = 1): Buffer {
  const text = lines.flatMap((l) => wrap(l, 80)).slice(0, 40);
  const n = Math.max(1, Math.min(pages, 20));
  const objects: string[] = [];
  // 1 catalog, 2 pages, 3 font, then per page: page object and content stream.
  const kids: string[] = [];
  for (let i = 0; i < n; i++) kids.push(`${4 + i * 2} 0 R`);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${n} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (let i = 0; i < n; i++) {
    const body = [`BT /F1 11 Tf 56 780 Td 14 TL`, ...text.map((l) => `(${pdfText(l)}) '`), `(Trang ${i + 1}/${n}) '`, 'ET'].join('\n');
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    objects.push(`<< /Length ${Buffer.byteLength(body, 'latin1')} >>\nstream\n${body}\nendstream`);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
