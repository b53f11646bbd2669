import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { base64DecodedSize, parseEdxml } from '../../../src/core/adapters/edxml.parser';
import { DocumentDetailSchema } from '../../../src/shared/work-item';
import { edxml } from './fixtures';

function malformed(fn: () => unknown): AdapterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AdapterError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('edXML parser', () => {
  it('parses a realistic envelope into a DocumentDetail', () => {
    const detail = parseEdxml(edxml({ attachmentBytes: 1000 }));
    expect(DocumentDetailSchema.parse(detail)).toEqual(detail);
    expect(detail).toMatchObject({
      source: 'document',
      documentId: '000.00.00.G22,2026/11/20,0012/VPCP-TTĐT',
      from: { id: '000.00.00.G22', name: 'Văn phòng Chính phủ' },
      to: [
        { id: '000.26.13.H26', name: 'UBND phường Ba Đình' },
        { id: '000.27.13.H26', name: 'UBND phường Ngọc Hà' },
      ],
      codeNumber: '0012', // leading zeros kept
      codeNotation: 'VPCP-TTĐT',
      promulgationPlace: 'Hà Nội',
      promulgationDate: Date.parse('2026-11-20T00:00:00+07:00'),
      documentTypeCode: '1',
      documentTypeName: 'Công văn',
      subject: 'V/v triển khai "Cải cách thủ tục hành chính" & chuyển đổi số năm 2026',
      content: 'Đề nghị UBND các xã, phường báo cáo kết quả trước ngày 30/11 <gấp>',
      signer: { competence: 'KT. BỘ TRƯỞNG, CHỦ NHIỆM', position: 'Phó Chủ nhiệm', fullName: 'Nguyễn Sỹ Hiệp' },
      dueDate: Date.parse('2026-11-30T17:00:00+07:00'),
      priority: 2,
      steeringType: 1,
      pageCount: 3,
      responseFor: '000.26.13.H26,2026/11/01,155/UBND-VP',
      incomingNumber: null,
      incomingDate: null,
    });
    expect(detail.attachments).toEqual([
      { name: '0012-VPCP.pdf', mimeType: 'application/pdf', size: 1000, description: 'Văn bản chính' },
    ]);
  });

  it('uses the injected calendar for the due date and defaults optional fields', () => {
    const withCalendar = parseEdxml(edxml(), { dueDateToInstant: (key) => Date.parse(`${key}T16:30:00+07:00`) });
    expect(withCalendar.dueDate).toBe(Date.parse('2026-11-30T16:30:00+07:00'));
    const noDue = parseEdxml(edxml({ dueDate: null }));
    expect(noDue.dueDate).toBeNull();
    const timed = parseEdxml(edxml({ dueDate: '2026/11/21 10:00:00', priority: '4' }));
    expect(timed.dueDate).toBe(Date.parse('2026-11-21T10:00:00+07:00'));
    expect(timed.priority).toBe(4);
  });

  it('reads ResponseFor given only as number/notation', () => {
    const xml = edxml().replace(/<edXML:ResponseFor>[\s\S]*<\/edXML:ResponseFor>/, '<edXML:ResponseFor><edXML:Code><edXML:CodeNumber>155</edXML:CodeNumber><edXML:CodeNotation>UBND-VP</edXML:CodeNotation></edXML:Code></edXML:ResponseFor>');
    expect(parseEdxml(xml).responseFor).toBe('155/UBND-VP');
    const none = edxml().replace(/<edXML:ResponseFor>[\s\S]*<\/edXML:ResponseFor>/, '');
    expect(parseEdxml(none).responseFor).toBeNull();
  });

  it('decodes XML entities and character references once, never twice', () => {
    const xml = edxml().replace(/<edXML:Subject>.*<\/edXML:Subject>/, '<edXML:Subject>Ph&#7871; &#x1EA1; &amp;#7871; &lt;b&gt; &#xD800;</edXML:Subject>');
    expect(parseEdxml(xml).subject).toBe('Phế ạ &#7871; <b> &#xD800;');
  });

  it('computes attachment sizes from base64 without decoding', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000, 65537]) {
      const b64 = Buffer.alloc(n, 1).toString('base64');
      expect(base64DecodedSize(b64)).toBe(n);
      expect(base64DecodedSize(b64.replace(/(.{10})/g, '$1\r\n'))).toBe(n);
    }
  });

  it('rejects XML that is not well-formed', () => {
    const error = malformed(() => parseEdxml(edxml().replace('</edXML:Subject>', '</edXML:Subjct>')));
    expect(error.code).toBe('malformed');
    expect(error.message).toMatch(/not well-formed/);
    expect(malformed(() => parseEdxml('')).message).toMatch(/empty/);
    expect(malformed(() => parseEdxml('not xml at all')).code).toBe('malformed');
  });

  it('rejects an envelope missing required header fields, naming them', () => {
    const noSubject = edxml().replace(/<edXML:Subject>.*<\/edXML:Subject>/, '');
    expect(malformed(() => parseEdxml(noSubject)).message).toMatch(/MessageHeader\.Subject: missing required field/);
    const noCode = edxml().replace(/<edXML:CodeNotation>.*<\/edXML:CodeNotation>/, '');
    expect(malformed(() => parseEdxml(noCode)).message).toMatch(/Code\.CodeNotation/);
    const noTo = edxml().replace(/<edXML:To>[\s\S]*?<\/edXML:To>/g, '');
    expect(malformed(() => parseEdxml(noTo)).message).toMatch(/To/);
    const badPriority = edxml({ priority: '9' });
    expect(malformed(() => parseEdxml(badPriority)).message).toMatch(/Priority/);
    const badDue = edxml({ dueDate: '30/11/2026' });
    expect(malformed(() => parseEdxml(badDue)).message).toMatch(/DueDate/);
    expect(malformed(() => parseEdxml('<a><b>x</b></a>')).message).toMatch(/edXMLEnvelope/);
  });

  it('refuses DOCTYPE (entity expansion) and oversized bodies', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${edxml().replace(/^<\?xml[^>]*\?>/, '')}`;
    expect(malformed(() => parseEdxml(bomb)).message).toMatch(/DOCTYPE/);
    expect(malformed(() => parseEdxml(edxml({ attachmentBytes: 30_000 }), { maxBytes: 20_000 })).message).toMatch(/larger than/);
  });

  it('handles a large attachment quickly', () => {
    const xml = edxml({ attachmentBytes: 8 * 1024 * 1024 });
    const started = performance.now();
    const detail = parseEdxml(xml);
    expect(detail.attachments[0]?.size).toBe(8 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
