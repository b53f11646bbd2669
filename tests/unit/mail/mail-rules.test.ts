import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../../src/core/deadline';
import { DEFAULT_MAIL_RULES, MailRulesError, evaluateMail, loadMailRules, type MailFacts } from '../../../src/core/mail/mail-rules';

const cal = defaultCalendar();
/** Office time (UTC+7) to epoch ms. */
const vn = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h - 7, mi);

const base: MailFacts = {
  folder: 'INBOX',
  seen: false,
  flagged: false,
  fromAddress: 'sotuphap@hanoi.gov.vn',
  subject: 'Công văn số 123/STP-HCTP',
  links: [],
  receivedAt: vn(2026, 3, 10, 9),
};
const evaluate = (over: Partial<MailFacts>) => evaluateMail(DEFAULT_MAIL_RULES, { ...base, ...over }, cal);

function issuesOf(json: unknown): readonly string[] {
  try {
    loadMailRules(json);
  } catch (err) {
    if (err instanceof MailRulesError) return err.issues;
    throw err;
  }
  throw new Error('expected the rules to be rejected');
}

describe('default rules', () => {
  it('unread mail in INBOX from a gov.vn domain is work, reply within 16 working hours', () => {
    const v = evaluate({});
    expect(v).toMatchObject({ work: true, rule: 'Thư công vụ chưa đọc', urgency: 0 });
    expect(v.dueAt).toBe(vn(2026, 3, 12, 9)); // Tue 09:00 + 2 working days
    expect(evaluate({ fromAddress: 'canbo.mai@ngocha.hanoi.gov.vn', folder: 'inbox' }).work).toBe(true);
    expect(evaluate({ fromAddress: 'bantin@baochinhphu.vn' })).toEqual({ work: false, rule: 'Còn lại', dueAt: null, urgency: 0 });
    expect(evaluate({ fromAddress: 'x@fakegov.vn' }).work).toBe(false);
    expect(evaluate({ seen: true }).work).toBe(false);
    expect(evaluate({ folder: 'Sent' }).work).toBe(false);
  });

  it('flagged mail is work within 8 working hours, in any folder, read or not', () => {
    const v = evaluate({ flagged: true, seen: true, folder: 'Archive', fromAddress: 'info@mail.shopee.vn' });
    expect(v).toMatchObject({ work: true, rule: 'Thư được gắn cờ', urgency: 1 });
    expect(v.dueAt).toBe(vn(2026, 3, 11, 9));
  });

  it('mail linked to a dossier is work within 8 working hours, and wins over the 16-hour rule', () => {
    const v = evaluate({ fromAddress: 'dat.td92@gmail.com', seen: true, links: [{ kind: 'dossier' }] });
    expect(v).toMatchObject({ work: true, rule: 'Gắn với hồ sơ TTHC' });
    expect(evaluate({ links: [{ kind: 'dossier' }] }).rule).toBe('Gắn với hồ sơ TTHC');
    expect(evaluate({ fromAddress: 'dat.td92@gmail.com', links: [{ kind: 'citizen' }] }).work).toBe(false);
  });

  it('counts working time across a weekend and a holiday', () => {
    // Fri 24 Apr 2026 16:00 + 16 h: Fri 1 h, Mon 27 Apr is a day off, Tue 8 h, Wed 7 h → Wed 16:00.
    expect(evaluate({ receivedAt: vn(2026, 4, 24, 16) }).dueAt).toBe(vn(2026, 4, 29, 16));
    // Saturday before Tết: the clock starts Mon 23 Feb 08:00; 8 h → 17:00 that day.
    expect(evaluate({ flagged: true, receivedAt: vn(2026, 2, 14, 10) }).dueAt).toBe(vn(2026, 2, 23, 17));
    // Received during lunch: starts at 13:00; 4 h that afternoon + 4 h next morning → 12:00 (range end).
    expect(evaluate({ flagged: true, receivedAt: vn(2026, 3, 10, 12, 30) }).dueAt).toBe(vn(2026, 3, 11, 12));
  });
});

describe('custom rules', () => {
  it('uses the first matching rule, subject phrases without diacritics, wildcard domains', () => {
    const rules = loadMailRules({
      rules: [
        { name: 'Hỏa tốc', when: { subjectContains: ['hoa toc', 'KHẨN'] }, then: { work: true, replyWithinWorkingHours: 2, urgency: 3 } },
        { name: 'Bản tin', when: { fromDomain: ['*.vn'], linked: 'none' }, then: { work: false } },
        { name: 'Văn bản', when: { linked: 'document' }, then: { work: true } },
      ],
    });
    const hoaToc = evaluateMail(rules, { ...base, subject: 'HỎA TỐC: báo cáo số liệu' }, cal);
    expect(hoaToc).toEqual({ work: true, rule: 'Hỏa tốc', dueAt: vn(2026, 3, 10, 11), urgency: 3 });
    expect(evaluateMail(rules, { ...base, subject: 'Công văn khẩn' }, cal).rule).toBe('Hỏa tốc');
    expect(evaluateMail(rules, base, cal).rule).toBe('Bản tin');
    expect(evaluateMail(rules, { ...base, links: [{ kind: 'document' }] }, cal)).toEqual({ work: true, rule: 'Văn bản', dueAt: null, urgency: 0 });
    expect(evaluateMail(rules, { ...base, fromAddress: 'a@example.com' }, cal)).toEqual({ work: false, rule: null, dueAt: null, urgency: 0 });
    expect(evaluateMail(rules, { ...base, fromAddress: null }, cal).rule).toBeNull();
  });

  it('accepts the rules file as JSON text', () => {
    expect(loadMailRules('{"rules":[{"name":"Tất cả","when":{},"then":{"work":true,"replyWithinWorkingHours":4}}]}')).toHaveLength(1);
  });

  it('names each problem of an invalid rules file', () => {
    expect(issuesOf('{not json')[0]).toMatch(/^\(file\): not valid JSON/);
    expect(issuesOf({ rules: [] })).toEqual(['rules: must list at least one rule']);
    const issues = issuesOf({
      rules: [
        { name: 'A', when: { folder: '', linked: 'maybe', fromDomain: ['not a domain'] }, then: { work: true, urgency: 7 } },
        { name: 'B', when: { unread: true }, then: { work: false, replyWithinWorkingHours: 8 } },
        { name: 'C', when: {}, then: { work: true, replyWithinWorkingHours: -1 } },
      ],
    });
    const text = issues.join('\n');
    expect(text).toContain('rules[0].when.folder: must not be empty');
    expect(text).toMatch(/rules\[0\]\.when\.linked: /);
    expect(text).toContain('rules[0].when.fromDomain[0]: must be a domain');
    expect(text).toMatch(/rules\[0\]\.then\.urgency: /);
    expect(text).toMatch(/rules\[1\]\.when: .*unread/);
    expect(text).toContain('rules[1].then.replyWithinWorkingHours: replyWithinWorkingHours only makes sense with work: true');
    expect(text).toContain('rules[2].then.replyWithinWorkingHours: must be > 0');
    // Duplicate names are checked once every rule is valid on its own.
    expect(issuesOf({ rules: [{ name: 'A', when: {}, then: { work: false } }, { name: 'A', when: {}, then: { work: true } }] })).toEqual([
      'rules[1].name: duplicate rule name "A" (also rules[0])',
    ]);
  });
});
