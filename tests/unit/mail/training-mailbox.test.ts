import { simpleParser, type ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../../src/core/deadline';
import { extractLinks, uniqueLinks } from '../../../src/shared/mail-links';
import { DEFAULT_MAIL_RULES, evaluateMail } from '../../../src/core/mail/mail-rules';
import { generateDataset } from '../../../src/sandbox/data-generator';
import { trainingMailbox, trainingMailboxDetailed } from '../../../src/sandbox/mailbox/training-mailbox';

const NOW = Date.UTC(2026, 2, 13, 4); // Fri 13 Mar 2026 11:00 in Hà Nội
const calendar = defaultCalendar();
const dataset = generateDataset({ seed: 11, now: NOW, days: 12, dossiersPerDay: 25, documentsPerDay: 10, calendar });
const box = trainingMailboxDetailed({ dataset });
const parsed: ParsedMail[] = [];

const nfc = (s: string | undefined) => (s ?? '').normalize('NFC').replace(/\r\n/g, '\n').trim();
const keys = (links: readonly { kind: string; value: string }[]) => links.map((l) => `${l.kind}:${l.value}`).sort();

beforeAll(async () => {
  for (const { message } of box) parsed.push(await simpleParser(message.raw));
});

describe('the training mailbox', () => {
  it('is deterministic in (seed, now) and sized like a real week of mail', () => {
    expect(box.length).toBeGreaterThanOrEqual(38);
    expect(box.length).toBeLessThanOrEqual(50);
    expect(trainingMailbox({ dataset }).map((m) => m.raw)).toEqual(box.map((b) => b.message.raw));
    expect(trainingMailbox({ seed: 12, now: NOW })[0]?.raw).not.toBe(box[0]?.message.raw);
  });

  it('is 7-bit with CRLF line ends, dated before now, with IMAP flags', () => {
    for (const { message } of box) {
      expect(message.raw).toMatch(/^[\x00-\x7f]*$/);
      expect(message.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(message.internalDate).toBeLessThanOrEqual(NOW);
      // The last two weeks, and a few older mails (45–160 days) for the history backfill.
      expect(message.internalDate).toBeGreaterThan(NOW - 200 * 86_400_000);
      for (const flag of message.flags) expect(['\\Seen', '\\Flagged', '\\Answered']).toContain(flag);
    }
    const times = box.map((b) => b.message.internalDate);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const older = times.filter((t) => t < NOW - 30 * 86_400_000);
    expect(older).toHaveLength(3);
    expect(times.filter((t) => t < NOW - 20 * 86_400_000)).toEqual(older);
  });

  it('every message parses with the intended Vietnamese subject and body', () => {
    box.forEach(({ intent }, i) => {
      const m = parsed[i];
      expect(nfc(m?.subject), intent.messageId).toBe(intent.subject);
      expect(nfc(m?.text), intent.messageId).toBe(intent.text.trim());
      expect(m?.messageId).toBe(`<${intent.messageId}>`);
      expect((m?.attachments ?? []).map((a) => a.filename)).toEqual(intent.attachments);
      for (const a of m?.attachments ?? []) expect(a.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(typeof m?.html === 'string', intent.messageId).toBe(intent.hasHtml);
    });
  });

  it('the links found in each message are exactly the ones the generator cited', () => {
    box.forEach(({ intent }, i) => {
      const m = parsed[i];
      const links = uniqueLinks(extractLinks(`${m?.subject ?? ''}\n${m?.text ?? ''}`, { now: NOW }));
      expect(keys(links), intent.messageId).toEqual(keys(intent.links));
    });
  });

  it('cites real dossiers, documents and citizens of the dataset', () => {
    const dossiers = new Set(dataset.dossiers.map((d) => d.code));
    const documents = new Set(dataset.documents.map((d) => `${d.codeNumber}/${d.codeNotation}`));
    const ids = new Set(dataset.citizens.map((c) => c.idNumber));
    const all = box.flatMap((b) => b.intent.links);
    expect(all.filter((l) => l.kind === 'dossier').length).toBeGreaterThanOrEqual(12);
    for (const l of all.filter((x) => x.kind === 'dossier')) expect(dossiers.has(l.value)).toBe(true);
    for (const l of all.filter((x) => x.kind === 'citizen')) expect(ids.has(l.value)).toBe(true);
    const docs = all.filter((l) => l.kind === 'document').map((l) => l.value);
    expect(docs.filter((d) => documents.has(d)).length).toBeGreaterThanOrEqual(8);
  });

  it('covers the encodings, threads, a windows-1258 mail and hostile HTML', () => {
    const raws = box.map((b) => b.message.raw);
    expect(raws.some((r) => /Subject: =\?UTF-8\?B\?/.test(r))).toBe(true);
    expect(raws.some((r) => /Subject: =\?UTF-8\?Q\?/.test(r))).toBe(true);
    expect(raws.some((r) => /Subject: =\?windows-1258\?Q\?/.test(r))).toBe(true);
    expect(raws.some((r) => r.includes('Content-Transfer-Encoding: quoted-printable'))).toBe(true);
    expect(raws.some((r) => r.includes('Content-Transfer-Encoding: base64\r\n\r\n'))).toBe(true);
    expect(box.filter((b) => b.intent.charset === 'windows-1258')).toHaveLength(1);
    const withHtml = parsed.filter((m) => typeof m.html === 'string').map((m) => m.html as string);
    expect(withHtml.some((h) => h.includes('<script') && /<img src="https:/.test(h))).toBe(true);
    const replies = parsed.filter((m) => m.inReplyTo !== undefined);
    expect(replies.length).toBeGreaterThanOrEqual(8);
    const ids = new Set(parsed.map((m) => m.messageId));
    for (const r of replies) expect(ids.has(r.inReplyTo)).toBe(true);
    expect(parsed.some((m) => (m.subject ?? '').startsWith('Fwd: '))).toBe(true);
  });

  it('the default rules make citizen and city mail work and newsletters not', () => {
    box.forEach(({ message, intent }, i) => {
      const m = parsed[i];
      const v = evaluateMail(DEFAULT_MAIL_RULES, {
        folder: message.folder,
        seen: message.flags.includes('\\Seen'),
        flagged: message.flags.includes('\\Flagged'),
        fromAddress: m?.from?.value[0]?.address ?? null,
        subject: m?.subject ?? '',
        links: intent.links,
        receivedAt: message.internalDate,
      }, calendar);
      if (intent.category === 'newsletter' || intent.category === 'sent') expect(v.work, intent.messageId).toBe(false);
      if (intent.category === 'document' && !message.flags.includes('\\Seen')) expect(v.work).toBe(true);
      if (intent.links.some((l) => l.kind === 'dossier') && message.folder === 'INBOX') {
        expect(v).toMatchObject({ work: true, rule: 'Gắn với hồ sơ TTHC' });
        expect(v.dueAt).toBe(calendar.addWorkingMinutes(calendar.normalizeStart(message.internalDate), 480));
      }
    });
  });
});

describe('the training mailbox of a tiny sandbox', () => {
  it('cites the standard dataset when the sandbox has nothing to cite, instead of failing to start', () => {
    const tiny = generateDataset({ seed: 3, now: NOW, days: 1, dossiersPerDay: 10, documentsPerDay: 0, calendar });
    expect(tiny.documents).toEqual([]);
    const mails = trainingMailboxDetailed({ dataset: tiny });
    expect(mails.length).toBe(box.length);
    expect(mails.some(({ intent }) => intent.links.some((l) => l.kind === 'document'))).toBe(true);
  });
});
