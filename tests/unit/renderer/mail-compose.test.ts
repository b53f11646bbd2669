import { beforeAll, describe, expect, it } from 'vitest';
import { MAIL_MAX_ATTACHMENT_BYTES, type StagedAttachment } from '../../../src/shared/actions';
import type { MailDetail } from '../../../src/shared/work-item';
import {
  buildMailSend,
  bytesToBase64,
  checkAttachmentBudget,
  forwardSubject,
  forwardedText,
  initialCompose,
  isComposeDirty,
  parseAddressList,
  quoteLines,
  quotedReply,
  replyRecipients,
  replySubject,
  type ComposeState,
} from '../../../src/renderer/mail/compose';
import type { Translate } from '../../../src/renderer/format/translate';
import { translators } from './i18n-fixture';
import { FIXTURE_NOW } from './work-item-fixture';

let vi: Translate;
let en: Translate;
beforeAll(async () => {
  ({ vi, en } = await translators());
});

const ME = 'canbo.lan@ngocha.hanoi.gov.vn';

function mail(patch: Partial<MailDetail> = {}): MailDetail {
  return {
    source: 'mail',
    messageId: 'abc@hanoi.gov.vn',
    folder: 'INBOX',
    uid: 7,
    uidValidity: '1',
    from: { name: 'Nguyễn Văn Hùng', address: 'hung.nv@hanoi.gov.vn' },
    to: [{ name: 'Nguyễn Thị Lan', address: 'Canbo.Lan@ngocha.hanoi.gov.vn' }, { name: null, address: 'vanthu@ngocha.hanoi.gov.vn' }],
    cc: [{ name: 'Trần Thị Mai', address: 'mai.tt@badinh.hanoi.gov.vn' }, { name: null, address: 'hung.nv@hanoi.gov.vn' }],
    subject: 'Về việc báo cáo tình hình đăng ký hộ tịch quý III',
    date: FIXTURE_NOW,
    seen: false,
    flagged: false,
    size: 2048,
    attachments: [{ name: 'bao-cao.pdf', mimeType: 'application/pdf', size: 1000, description: null }],
    preview: 'Kính gửi chị Lan',
    ...patch,
  };
}

const staged = (size: number, name = 'a.pdf'): StagedAttachment => ({ id: '3f2b8c1e-1d2a-4c7b-9f7e-2a4b6c8d0e1f', filename: name, contentType: 'application/pdf', size });

function state(patch: Partial<ComposeState> = {}): ComposeState {
  return { mode: 'new', backendId: 'mail', to: '', cc: '', bcc: '', showCcBcc: false, subject: '', text: '', attachments: [], includeOriginalAttachments: false, ...patch };
}

describe('subjects', () => {
  it('add Re: once, whatever reply prefix the subject already had', () => {
    expect(replySubject('Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('Re: Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('RE: re: Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('RE[2]: Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('TL: Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('Trả lời: Giấy mời họp')).toBe('Re: Giấy mời họp');
    expect(replySubject('Fwd: Giấy mời họp')).toBe('Re: Fwd: Giấy mời họp');
    expect(replySubject('Report')).toBe('Re: Report');
    expect(replySubject('')).toBe('Re:');
  });
  it('add Fwd: once', () => {
    expect(forwardSubject('Kế hoạch 45/KH-UBND')).toBe('Fwd: Kế hoạch 45/KH-UBND');
    expect(forwardSubject('FW: Kế hoạch')).toBe('Fwd: Kế hoạch');
    expect(forwardSubject('Fwd: Fwd: Kế hoạch')).toBe('Fwd: Kế hoạch');
    expect(forwardSubject('TV: Kế hoạch')).toBe('Fwd: Kế hoạch');
    expect(forwardSubject('Re: Kế hoạch')).toBe('Fwd: Re: Kế hoạch');
    expect(forwardSubject('Forward planning')).toBe('Fwd: Forward planning');
  });
});

describe('reply recipients', () => {
  it('reply goes to the sender only', () => {
    expect(replyRecipients('reply', mail(), ME)).toEqual({ to: ['hung.nv@hanoi.gov.vn'], cc: [] });
  });
  it('reply all: sender and every To, Cc kept; my address and duplicates removed, case ignored', () => {
    expect(replyRecipients('replyAll', mail(), ME)).toEqual({
      to: ['hung.nv@hanoi.gov.vn', 'vanthu@ngocha.hanoi.gov.vn'],
      cc: ['mai.tt@badinh.hanoi.gov.vn'],
    });
  });
  it('replying to a mail I sent goes to its recipients', () => {
    const mine = mail({ from: { name: 'Lan', address: ME }, to: [{ name: null, address: 'hung.nv@hanoi.gov.vn' }], cc: [] });
    expect(replyRecipients('reply', mine, ME)).toEqual({ to: ['hung.nv@hanoi.gov.vn'], cc: [] });
    expect(replyRecipients('replyAll', mine, ME)).toEqual({ to: ['hung.nv@hanoi.gov.vn'], cc: [] });
  });
  it('works without a known own address or sender', () => {
    expect(replyRecipients('replyAll', mail({ cc: [] }), null).to).toEqual(['hung.nv@hanoi.gov.vn', 'Canbo.Lan@ngocha.hanoi.gov.vn', 'vanthu@ngocha.hanoi.gov.vn']);
    expect(replyRecipients('reply', mail({ from: null }), ME).to).toEqual(['vanthu@ngocha.hanoi.gov.vn']);
  });
});

describe('recipient fields', () => {
  it('split on commas, semicolons and new lines, accept "Tên <địa chỉ>", report the rest', () => {
    expect(parseAddressList(' a@b.vn; Nguyễn Văn A <nva@hanoi.gov.vn>,\n c@d.vn , A@B.vn ')).toEqual({
      addresses: ['a@b.vn', 'nva@hanoi.gov.vn', 'c@d.vn'],
      invalid: [],
    });
    expect(parseAddressList('hung@hanoi, @x.vn, ok@x.vn, lan@ngocha .vn')).toEqual({ addresses: ['ok@x.vn'], invalid: ['hung@hanoi', '@x.vn', 'lan@ngocha .vn'] });
    expect(parseAddressList('   ')).toEqual({ addresses: [], invalid: [] });
  });
});

describe('quoting', () => {
  it('puts "> " before each line and keeps earlier quotes nested', () => {
    expect(quoteLines('Kính gửi chị Lan,\r\n\r\n> trước đó\nTrân trọng.\n\n')).toBe('> Kính gửi chị Lan,\n>\n>> trước đó\n> Trân trọng.');
  });
  it('starts a reply with room to write, then "Vào <ngày giờ>, <tên> đã viết:" and the quoted text', () => {
    const text = quotedReply(vi, 'vi', mail(), 'Dòng 1\nDòng 2');
    expect(text).toBe('\n\nVào 16/03/2026 10:00, Nguyễn Văn Hùng đã viết:\n> Dòng 1\n> Dòng 2\n');
    expect(quotedReply(en, 'en', mail({ from: { name: null, address: 'x@y.vn' } }), 'a')).toContain('On 16/03/2026 10:00, x@y.vn wrote:');
  });
  it('forwards with a header block of the original', () => {
    const text = forwardedText(vi, 'vi', mail(), 'Nội dung gốc');
    expect(text).toContain('---------- Thư chuyển tiếp ----------');
    expect(text).toContain('Từ: Nguyễn Văn Hùng <hung.nv@hanoi.gov.vn>');
    expect(text).toContain('Tiêu đề: Về việc báo cáo tình hình đăng ký hộ tịch quý III');
    expect(text).toContain('Cc: Trần Thị Mai <mai.tt@badinh.hanoi.gov.vn>, hung.nv@hanoi.gov.vn');
    expect(text.trimEnd().endsWith('Nội dung gốc')).toBe(true);
  });
});

describe('the starting form', () => {
  const ctx = (mode: ComposeState['mode'], text: string | null = 'Nội dung') => ({
    backendId: 'mail',
    ownAddress: ME,
    original: { detail: mail(), text },
    t: vi,
    lang: 'vi' as const,
  });
  it('prefills reply-all recipients, subject and quote; forward attaches the original by default', () => {
    const r = initialCompose('replyAll', ctx('replyAll'));
    expect(r).toMatchObject({ mode: 'replyAll', to: 'hung.nv@hanoi.gov.vn, vanthu@ngocha.hanoi.gov.vn', cc: 'mai.tt@badinh.hanoi.gov.vn', showCcBcc: true, subject: 'Re: Về việc báo cáo tình hình đăng ký hộ tịch quý III' });
    expect(r.text).toContain('> Nội dung');
    const f = initialCompose('forward', ctx('forward'));
    expect(f).toMatchObject({ to: '', subject: 'Fwd: Về việc báo cáo tình hình đăng ký hộ tịch quý III', includeOriginalAttachments: true });
    expect(initialCompose('reply', ctx('reply', null)).text).toContain('> Kính gửi chị Lan');
    expect(initialCompose('new', { ...ctx('new'), original: null })).toEqual(state());
  });
  it('is dirty only once something was typed or attached', () => {
    const initial = initialCompose('reply', ctx('reply'));
    expect(isComposeDirty(initial, initial)).toBe(false);
    expect(isComposeDirty({ ...initial, text: `Đã nhận.${initial.text}` }, initial)).toBe(true);
    expect(isComposeDirty({ ...initial, attachments: [staged(10)] }, initial)).toBe(true);
    expect(isComposeDirty({ ...initial, to: `${initial.to} ` }, initial)).toBe(false);
  });
});

describe('attachments', () => {
  it('checks the 25 MB total before anything is read', () => {
    expect(checkAttachmentBudget(0, [10, 20])).toEqual({ ok: true, total: 30 });
    expect(checkAttachmentBudget(MAIL_MAX_ATTACHMENT_BYTES - 10, [10])).toEqual({ ok: true, total: MAIL_MAX_ATTACHMENT_BYTES });
    expect(checkAttachmentBudget(MAIL_MAX_ATTACHMENT_BYTES - 10, [11])).toEqual({ ok: false, total: MAIL_MAX_ATTACHMENT_BYTES + 1, over: 1 });
    expect(checkAttachmentBudget(0, [20 * 1024 * 1024, 6 * 1024 * 1024]).ok).toBe(false);
  });
  it('encodes bytes as base64 like Node does', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100, 12_289, 40_000]) {
      const bytes = new Uint8Array(len).map((_, i) => (i * 37 + 11) % 256);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});

describe('building mail.send', () => {
  it('turns the form into the contract action', () => {
    const r = buildMailSend(state({ mode: 'reply', to: 'Hùng <hung.nv@hanoi.gov.vn>', cc: 'mai@x.vn', subject: ' Re: A ', text: 'Đã nhận.', attachments: [staged(100)] }));
    expect(r).toEqual({
      ok: true,
      action: { kind: 'mail.send', mode: 'reply', to: ['hung.nv@hanoi.gov.vn'], cc: ['mai@x.vn'], bcc: [], subject: 'Re: A', text: 'Đã nhận.', attachments: [staged(100)], includeOriginalAttachments: false },
    });
    const fwd = buildMailSend(state({ mode: 'forward', to: 'a@b.vn', includeOriginalAttachments: true }));
    expect(fwd.ok && fwd.action.includeOriginalAttachments).toBe(true);
    const replyWithFlag = buildMailSend(state({ mode: 'reply', to: 'a@b.vn', includeOriginalAttachments: true }));
    expect(replyWithFlag.ok && replyWithFlag.action.includeOriginalAttachments).toBe(false);
  });
  it('names bad addresses per field, asks for a recipient, refuses more than 25 MB', () => {
    const bad = buildMailSend(state({ to: 'hung@hanoi, a@b.vn', bcc: 'x' }));
    expect(bad).toEqual({
      ok: false,
      errors: {
        to: { key: 'compose.errors.invalidAddress', values: { list: 'hung@hanoi', count: 1 } },
        bcc: { key: 'compose.errors.invalidAddress', values: { list: 'x', count: 1 } },
      },
    });
    expect(vi('compose.errors.invalidAddress', { list: 'hung@hanoi', count: 1 })).toBe('Địa chỉ thư không hợp lệ: hung@hanoi');
    expect(buildMailSend(state())).toEqual({ ok: false, errors: { to: { key: 'compose.errors.noRecipient' } } });
    expect(buildMailSend(state({ bcc: 'a@b.vn' })).ok).toBe(true);
    const big = buildMailSend(state({ to: 'a@b.vn', attachments: [staged(20 * 1024 * 1024), staged(6 * 1024 * 1024)] }));
    expect(big).toEqual({ ok: false, errors: { attachments: { key: 'compose.errors.tooBig' } } });
  });
});
