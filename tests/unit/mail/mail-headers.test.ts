/**
 * The first-sync fetch (issue #4): the envelope built from six raw header fields instead of ENVELOPE
 * (mail.headers.ts) and the compacted UID sets of a page.
 */
import { describe, expect, it } from 'vitest';
import { uidSet } from '../../../src/core/adapters/mail.adapter';
import { envelopeFromHeaders } from '../../../src/core/adapters/mail.headers';
import { normalizeMail } from '../../../src/core/adapters/mail.normalize';

const crlf = (lines: string[]): Buffer => Buffer.from([...lines, '', ''].join('\r\n'), 'utf8');

describe('envelopeFromHeaders', () => {
  it('decodes RFC 2047 names and subjects, unfolds, keeps the first of a repeated field', () => {
    const env = envelopeFromHeaders(
      crlf([
        'From: =?utf-8?B?Tmd1eeG7hW4gVsSDbiBIw7luZw==?= <hung.nv@hanoi.gov.vn>',
        'To: =?utf-8?B?Tmd1eeG7hW4gVGjhu4sgTGFu?= <lan@ngocha.hanoi.gov.vn>, "Trần, Văn Bình" <binh@x.vn>,',
        '\tketoan@x.vn',
        'Cc: undisclosed-recipients:;',
        'Subject: =?UTF-8?Q?V=E1=BB=81_h=E1=BB=93_s=C6=A1?=',
        ' =?UTF-8?Q?_s=E1=BB=91_12?=',
        'Subject: a second subject',
        'Date: Tue, 25 Nov 2026 10:00:00 +0700',
        'Message-ID: <abc.1@hanoi.gov.vn>',
      ]),
    );
    expect(env.from).toEqual([{ name: 'Nguyễn Văn Hùng', address: 'hung.nv@hanoi.gov.vn' }]);
    expect(env.to).toEqual([
      { name: 'Nguyễn Thị Lan', address: 'lan@ngocha.hanoi.gov.vn' },
      { name: 'Trần, Văn Bình', address: 'binh@x.vn' },
      { name: '', address: 'ketoan@x.vn' },
    ]);
    expect(env.subject).toBe('Về hồ sơ số 12');
    expect(env.date).toEqual(new Date('2026-11-25T03:00:00Z'));
    expect(env.messageId).toBe('<abc.1@hanoi.gov.vn>');
  });

  it('is lenient with malformed headers and keeps quotes in a subject (as ENVELOPE does)', () => {
    const env = envelopeFromHeaders(
      crlf([
        'From: =?UTF-8?B?!!notbase64?= <broken@example.invalid>',
        'Subject: "Trích yếu" =?UTF-8?Q?Th=C6=B0_h=E1=BB=8Fng?= =?bogus?X?zz?=',
        'this header line has no colon',
        'Date: not a date',
      ]),
    );
    expect(env.from?.[0]?.address).toBe('broken@example.invalid');
    expect(env.subject).toContain('"Trích yếu" Thư hỏng');
    expect(env.date).toBe('not a date');
    expect(envelopeFromHeaders(undefined)).toEqual({});
    expect(envelopeFromHeaders(Buffer.alloc(0))).toEqual({});
  });

  it('gives normalizeMail what it read from ENVELOPE', () => {
    const envelope = envelopeFromHeaders(
      crlf(['From: =?utf-8?B?Tmd1eeG7hW4gVsSDbiBIw7luZw==?= <hung.nv@hanoi.gov.vn>', 'Subject: Hello', 'Message-ID: <m1@x.vn>', 'Date: Tue, 25 Nov 2026 10:00:00 +0700']),
    );
    const record = normalizeMail({ uid: 7, flags: new Set(['\\Seen']), size: 10, internalDate: new Date('2026-11-25T03:00:01Z'), envelope }, { folder: 'INBOX', uid: 7, uidValidity: '1' }, null);
    expect(record.externalId).toBe('INBOX:m1@x.vn');
    expect(record.party).toBe('Nguyễn Văn Hùng');
    expect(record.ref).toBe('hung.nv@hanoi.gov.vn');
    expect(record.status).toBe('seen');
  });
});

describe('uidSet', () => {
  it('compacts runs, in ascending order, without duplicates', () => {
    expect(uidSet([5, 4, 3, 9, 1, 10, 11, 3])).toBe('1,3:5,9:11');
    expect(uidSet([42])).toBe('42');
    expect(uidSet(Array.from({ length: 500 }, (_, i) => 1699 - i))).toBe('1200:1699');
  });
});
