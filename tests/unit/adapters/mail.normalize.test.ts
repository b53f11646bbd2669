import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { MailAdapter } from '../../../src/core/adapters/mail.adapter';
import {
  attachmentsOf,
  firstTextPart,
  mailExternalId,
  normalizeMail,
  parseMailCursor,
  previewFromPart,
} from '../../../src/core/adapters/mail.normalize';
import { MailDetailSchema } from '../../../src/shared/work-item';

const structure = {
  type: 'multipart/mixed',
  childNodes: [
    { part: '1', type: 'text/plain', encoding: 'quoted-printable', parameters: { charset: 'utf-8' } },
    { part: '2', type: 'application/pdf', disposition: 'attachment', dispositionParameters: { filename: 'Công văn 12.pdf' }, size: 1200 },
  ],
};

describe('mail normalisation', () => {
  it('externalIds are folder + Message-ID, hashed when long, never the UID', () => {
    const fb = { internalDate: 1, size: 10, from: 'a@b', subject: 's' };
    expect(mailExternalId('INBOX', 'abc@x', fb)).toBe('INBOX:abc@x');
    expect(mailExternalId('INBOX', 'x'.repeat(300), fb)).toMatch(/^INBOX:sha:[0-9a-f]{40}$/);
    expect(mailExternalId('INBOX', null, fb)).toBe(mailExternalId('INBOX', null, { ...fb }));
    expect(mailExternalId('INBOX', null, fb)).not.toBe(mailExternalId('Sent', null, fb));
  });

  it('maps a message to a record: status, urgency, attachments, detail schema', () => {
    const r = normalizeMail(
      {
        uid: 7,
        flags: new Set(['\\Seen', '\\Flagged']),
        size: 2048,
        internalDate: new Date('2024-11-05T02:00:00Z'),
        envelope: {
          subject: 'Giấy mời họp',
          messageId: '<m1@ngocha.vn>',
          from: [{ name: 'Trần Thị Mai', address: 'mai@ngocha.vn' }],
          to: [{ name: 'Lan', address: 'lan@ngocha.vn' }],
        },
        bodyStructure: structure,
      },
      { folder: 'INBOX', uid: 7, uidValidity: '42' },
      'Kính gửi',
    );
    expect(r).toMatchObject({ externalId: 'INBOX:m1@ngocha.vn', ref: 'mai@ngocha.vn', party: 'Trần Thị Mai', title: 'Giấy mời họp', status: 'seen', urgency: 1, dueAt: null, kind: null });
    expect(r.receivedAt).toBe(Date.parse('2024-11-05T02:00:00Z'));
    expect(MailDetailSchema.parse(r.detail).attachments.map((a) => a.name)).toEqual(['Công văn 12.pdf']);
  });

  it('finds the first text part and decodes previews (base64, quoted-printable, windows-1258, cut mid-way)', () => {
    expect(firstTextPart(structure)?.part).toBe('1');
    expect(attachmentsOf(structure)).toHaveLength(1);
    const b64 = Buffer.from(Buffer.from('Thông báo lịch họp', 'utf8').toString('base64').slice(0, 15));
    expect(previewFromPart(b64, { type: 'text/plain', encoding: 'base64', charset: 'utf-8' })).toBe('Thông b');
    expect(previewFromPart(Buffer.from('Th=C3=B4ng b=C3=A1o=\r\n h=E1=BB=8Dp'), { type: 'text/plain', encoding: 'quoted-printable', charset: 'utf-8' })).toBe('Thông báo họp');
    expect(previewFromPart(Buffer.from([0xd0, 0xf5, 0x6e]), { type: 'text/plain', encoding: '8bit', charset: 'windows-1258' })).toBe('Đơn');
    expect(previewFromPart(Buffer.from('<p>Xin <b>chào</b></p>'), { type: 'text/html', encoding: '7bit', charset: 'utf-8' })).toBe('Xin chào');
  });

  it('rejects a cursor it did not write', () => {
    expect(parseMailCursor(null).folders).toEqual({});
    expect(() => parseMailCursor('{"v":2}')).toThrow(AdapterError);
    expect(() => parseMailCursor('nope')).toThrow(AdapterError);
  });

  it('config: tls none only on loopback, TLS verification cannot be switched off', () => {
    const base = { id: 'm', label: 'Thư', host: '127.0.0.1', port: 143, user: 'u', password: 'p' };
    expect(new MailAdapter({ ...base, tls: 'none' }).capabilities.push).toBe(true);
    expect(() => new MailAdapter({ ...base, host: 'mail.hanoi.gov.vn', tls: 'none' })).toThrow(/loopback/);
    expect(() => new MailAdapter({ ...base, rejectUnauthorized: false } as never)).toThrow(/rejectUnauthorized/);
  });
});
