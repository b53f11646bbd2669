/**
 * parseMessageStream (src/core/adapters/mail.body.ts) on raw MIME: Vietnamese in the charsets mail
 * really arrives in, malformed messages read as far as they go, inline images kept within their
 * bounds, attachment part numbers as BODYSTRUCTURE numbers them, and matchAttachmentPart.
 *
 * Charset support checked here: mailparser decodes through libmime → iconv-lite 0.7, which knows
 * windows-1258 (decoded to base letter + combining tone mark, hence the NFC step) and VISCII.
 */
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { matchAttachmentPart, parseMessageStream, type MailBody } from '../../../src/core/adapters/mail.body';
import type { MailStructureLike } from '../../../src/core/adapters/mail.normalize';
import { encodeWord, toCp1258 } from '../../integration/mail/mail-fixtures';
import { qp } from '../../integration/mail/mail-body-fixtures';

const VN = 'Kính gửi đồng chí: đề nghị bổ sung hồ sơ chứng thực, trả lời trước ngày 25/11. Ưu tiên xử lý; ỹ ẵ ợ Đ.';

function parse(raw: string | Buffer, options?: Parameters<typeof parseMessageStream>[1]): Promise<MailBody> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  // Several chunks, split mid-line, as a network stream delivers them.
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 777) chunks.push(bytes.subarray(i, i + 777));
  return parseMessageStream(Readable.from(chunks), options);
}

function wrap64(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}


function single(headers: string[], body: string): string {
  return [...headers, 'MIME-Version: 1.0', '', body, ''].join('\r\n');
}

describe('charsets', () => {
  it('UTF-8 base64 body, base64 encoded-word subject and sender name', async () => {
    const body = await parse(
      single(
        [
          `From: ${encodeWord('Nguyễn Văn Hùng')} <hung@hanoi.gov.vn>`,
          `Subject: ${encodeWord('Đề nghị bổ sung hồ sơ')}`,
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ],
        wrap64(Buffer.from(VN, 'utf8')),
      ),
    );
    expect(body.text?.trim()).toBe(VN);
    expect(body.subject).toBe('Đề nghị bổ sung hồ sơ');
    expect(body.from).toEqual({ name: 'Nguyễn Văn Hùng', address: 'hung@hanoi.gov.vn' });
    expect(body.problems).toEqual([]);
  });

  it('UTF-8 quoted-printable body and Q encoded-word subject', async () => {
    const subject = 'Giấy mời họp giao ban';
    const q = `=?UTF-8?Q?${[...Buffer.from(subject, 'utf8')].map((b) => (b === 32 ? '_' : b < 128 && /[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase()}`)).join('')}?=`;
    const body = await parse(
      single([`Subject: ${q}`, 'Content-Type: text/plain; charset="UTF-8"', 'Content-Transfer-Encoding: quoted-printable'], qp(Buffer.from(VN, 'utf8'))),
    );
    expect(body.subject).toBe(subject);
    expect(body.text?.trim()).toBe(VN);
  });

  it('a multi-byte letter split across two encoded words decodes whole', async () => {
    const bytes = Buffer.from('Đề nghị phối hợp', 'utf8');
    // Cut inside the 3-byte "ề" (bytes 2..4) and inside "ố".
    const cuts = [3, 14];
    const words = [bytes.subarray(0, cuts[0]), bytes.subarray(cuts[0], cuts[1]), bytes.subarray(cuts[1])].map((b) => `=?UTF-8?B?${b.toString('base64')}?=`);
    const fromBytes = Buffer.from('Trần Thị Mai', 'utf8');
    const fromWords = [fromBytes.subarray(0, 2), fromBytes.subarray(2)].map((b) => `=?utf-8?b?${b.toString('base64')}?=`);
    const body = await parse(
      single([`Subject: ${words.join('\r\n ')}`, `From: ${fromWords.join(' ')} <mai@badinh.hanoi.gov.vn>`, 'Content-Type: text/plain; charset=utf-8'], 'x'),
    );
    expect(body.subject).toBe('Đề nghị phối hợp');
    expect(body.from?.name).toBe('Trần Thị Mai');
  });

  it('windows-1258 (quoted-printable and 8bit): combining tone marks composed to NFC', async () => {
    const cp = toCp1258(VN);
    // The code page spells some letters decomposed: the raw decode is not NFC.
    expect(iconv.decode(cp, 'windows-1258')).not.toBe(VN);
    for (const [encoding, payload] of [
      ['quoted-printable', qp(cp)],
      ['8bit', cp.toString('latin1')],
    ] as const) {
      const body = await parse(single(['Subject: cp1258', 'Content-Type: text/plain; charset=windows-1258', `Content-Transfer-Encoding: ${encoding}`], payload));
      expect(body.text?.trim(), encoding).toBe(VN);
      expect(body.text, encoding).toBe(body.text?.normalize('NFC'));
    }
    const html = await parse(
      single(['Subject: cp1258 html', 'Content-Type: text/html; charset=cp1258', 'Content-Transfer-Encoding: base64'], wrap64(Buffer.concat([Buffer.from('<p>'), cp, Buffer.from('</p>')]))),
    );
    expect(html.html).toContain(VN);
  });

  it('VISCII body and VISCII encoded-word subject', async () => {
    const bytes = iconv.encode(VN, 'viscii');
    expect(iconv.decode(bytes, 'viscii')).toBe(VN);
    const body = await parse(
      single([`Subject: =?VISCII?B?${iconv.encode('Thông báo lịch tiếp dân', 'viscii').toString('base64')}?=`, 'Content-Type: text/plain; charset=VISCII', 'Content-Transfer-Encoding: base64'], wrap64(bytes)),
    );
    expect(body.subject).toBe('Thông báo lịch tiếp dân');
    expect(body.text?.trim()).toBe(VN);
  });

  it('ISO-8859-1 body and subject', async () => {
    const body = await parse(
      single(['Subject: =?ISO-8859-1?Q?R=E9union_pr=E9vue_=E0_Hano=EF?=', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable'], 'Caf=E9 cr=E8me br=FBl=E9e'),
    );
    expect(body.subject).toBe('Réunion prévue à Hanoï');
    expect(body.text?.trim()).toBe('Café crème brûlée');
  });
});

describe('malformed MIME is read as far as it goes', () => {
  it('a multipart without its closing boundary keeps its parts', async () => {
    const raw = [
      'Subject: thiếu biên',
      'Content-Type: multipart/mixed; boundary="open"',
      '',
      '--open',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      wrap64(Buffer.from('Phần đầu đọc được.', 'utf8')),
      '--open',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Disposition: attachment; filename="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK',
      '',
    ].join('\r\n');
    const body = await parse(Buffer.from(raw, 'utf8'));
    expect(body.text).toContain('Phần đầu đọc được.');
    expect(body.attachments).toEqual([expect.objectContaining({ filename: 'a.pdf', part: '2', size: 9 })]);
  });

  it('bad base64 and a wrong charset label: the readable text survives', async () => {
    const raw = [
      'Subject: =?UTF-8?B?!!!notbase64?= =?bogus?X?zz?=',
      'From: =?UTF-8?B?@@@?= <x@example.invalid>',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      `${Buffer.from('Xin chào các bạn', 'utf8').toString('base64')}@@@###!!!`,
      '--b',
      'Content-Type: text/html; charset=no-such-charset',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<p>Ch=C3=A0o</p>=ZZ',
      '--b--',
      '',
    ].join('\r\n');
    const body = await parse(Buffer.from(raw, 'latin1'));
    expect(body.text).toContain('Xin chào các bạn');
    // Unknown charset → read as UTF-8.
    expect(body.html).toContain('Chào');
    expect(typeof body.subject).toBe('string');
  });

  it('a header block that never ends, and binary garbage, do not throw', async () => {
    const garbage = Buffer.concat([Buffer.from('Subject: rác\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n', 'utf8'), Buffer.from([0, 255, 254, 0x80, 0xc3, 0x28, 10, 13])]);
    const body = await parse(garbage);
    expect(body.subject).toBe('rác');
    const headerOnly = await parse('Subject: only headers, no body');
    expect(headerOnly.text ?? '').toBe('');
  });

  it('a source stream that fails rejects (a truncated body is never cached as whole)', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('Subject: x\r\n\r\nbody'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(parseMessageStream(failing)).rejects.toThrow('connection reset');
  });
});

describe('attachments and inline images', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const nested = (bigInline: Buffer, bigAttachment: number): string =>
    [
      'Subject: cấu trúc lồng nhau',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: multipart/alternative; boundary="a"',
      '',
      '--a',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Xem ảnh',
      '--a',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Xem <img src="cid:logo@x"> và <img src="cid:big@x"></p>',
      '--a--',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <logo@x>',
      'Content-Transfer-Encoding: base64',
      '',
      wrap64(png),
      '--r',
      'Content-Type: image/jpeg',
      'Content-ID: <big@x>',
      'Content-Transfer-Encoding: base64',
      '',
      wrap64(bigInline),
      '--r--',
      '--m',
      'Content-Type: message/rfc822',
      '',
      'Subject: thư đính kèm',
      'Content-Type: text/plain',
      '',
      'inner',
      '--m',
      `Content-Type: application/octet-stream; name="${encodeWord('Báo cáo quý III.xlsx')}"`,
      `Content-Disposition: attachment; filename="${encodeWord('Báo cáo quý III.xlsx')}"`,
      'Content-Transfer-Encoding: base64',
      '',
      wrap64(Buffer.alloc(bigAttachment, 7)),
      '--m--',
      '',
    ].join('\r\n');

  it('lists attachments with IMAP part numbers and decoded sizes; keeps small cid images as data: URIs', async () => {
    const body = await parse(Buffer.from(nested(Buffer.alloc(1000, 1), 300_000), 'utf8'));
    expect(body.html).toContain('cid:logo@x');
    expect(body.attachments).toEqual([
      { part: '1.2', filename: null, contentType: 'image/png', size: png.length, contentId: 'logo@x', inline: true },
      { part: '1.3', filename: null, contentType: 'image/jpeg', size: 1000, contentId: 'big@x', inline: true },
      { part: '2', filename: null, contentType: 'message/rfc822', size: expect.any(Number), contentId: null, inline: false },
      // mailparser names the type from the file name when the part says octet-stream.
      { part: '3', filename: 'Báo cáo quý III.xlsx', contentType: expect.stringMatching(/spreadsheet|excel|octet/), size: 300_000, contentId: null, inline: false },
    ]);
    expect(body.inlineImages['logo@x']).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(body.inlineImages['big@x']).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('drops inline images over 2 MB each or 10 MB together (still listed as attachments)', async () => {
    const body = await parse(Buffer.from(nested(Buffer.alloc(2 * 1024 * 1024 + 1, 1), 10), 'utf8'));
    expect(Object.keys(body.inlineImages)).toEqual(['logo@x']);
    expect(body.attachments[1]).toMatchObject({ contentId: 'big@x', size: 2 * 1024 * 1024 + 1 });
    const capped = await parse(Buffer.from(nested(Buffer.alloc(100, 1), 10), 'utf8'), { inlineImagesTotalMaxBytes: png.length + 50 });
    expect(Object.keys(capped.inlineImages)).toEqual(['logo@x']);
  });

  it('a message that is one attachment is part 1', async () => {
    const body = await parse(
      single(['Subject: chỉ tệp', 'Content-Type: application/pdf; name="only.pdf"', 'Content-Disposition: attachment; filename="only.pdf"', 'Content-Transfer-Encoding: base64'], 'JVBERi0='),
    );
    expect(body.attachments).toEqual([{ part: '1', filename: 'only.pdf', contentType: 'application/pdf', size: 5, contentId: null, inline: false }]);
  });
});

describe('matchAttachmentPart', () => {
  const tree: MailStructureLike = {
    type: 'multipart/mixed',
    childNodes: [
      { part: '1', type: 'text/plain' },
      { part: '2', type: 'application/pdf', disposition: 'attachment', dispositionParameters: { filename: 'Công văn.pdf' } },
      { part: '3', type: 'application/octet-stream', disposition: 'attachment', dispositionParameters: { filename: 'bản đồ.bin' } },
    ],
  };

  it('keeps the cached part number when the server has a fitting part there', () => {
    expect(matchAttachmentPart(tree, { part: '2', filename: 'Công văn.pdf', contentType: 'application/pdf' })).toBe('2');
    // octet-stream on the server, a type guessed from the name in the cache.
    expect(matchAttachmentPart(tree, { part: '3', filename: 'bản đồ.bin', contentType: 'application/octet-stream' })).toBe('3');
  });

  it('finds the file elsewhere when the numbering moved, refuses when it is not there', () => {
    expect(matchAttachmentPart(tree, { part: '4', filename: 'Công văn.pdf', contentType: 'application/pdf' })).toBe('2');
    expect(matchAttachmentPart(tree, { part: '2', filename: 'khác.pdf', contentType: 'application/pdf' })).toBeNull();
    expect(matchAttachmentPart(tree, { part: '1', filename: null, contentType: 'image/png' })).toBeNull();
  });

  it('a single-part message: part 1 when it fits', () => {
    const only: MailStructureLike = { type: 'application/pdf', parameters: { name: 'only.pdf' } };
    expect(matchAttachmentPart(only, { part: '1', filename: 'only.pdf', contentType: 'application/pdf' })).toBe('1');
    expect(matchAttachmentPart(only, { part: '2', filename: 'only.pdf', contentType: 'application/pdf' })).toBeNull();
    expect(matchAttachmentPart(undefined, { part: '1', filename: 'only.pdf', contentType: 'application/pdf' })).toBeNull();
  });
});
