/**
 * Which mail is work, and by when it needs a reply (issue #4, point 2).
 *
 * IT staff edit an ordered list of rules (JSON, validated here). The first rule whose `when` holds
 * decides; conditions inside one `when` must all hold; an empty `when` matches every mail. When no
 * rule matches the mail is not work. The reply deadline is counted in working time of the office
 * calendar from the moment the clock starts (`normalizeStart(receivedAt)`).
 */
import { issueLines } from '../util/zod-issues';
import { z } from 'zod';
import { type WorkCalendar } from '../deadline';
import { foldVietnamese } from '../../shared/text';
import { type LinkKind } from '../../shared/mail-links';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const MailRuleSchema = z
  .object({
    name: nonEmpty,
    when: z
      .object({
        /** IMAP folder; `INBOX` is compared case-insensitively (as IMAP does), other names exactly. */
        folder: nonEmpty.optional(),
        unseen: z.boolean().optional(),
        flagged: z.boolean().optional(),
        /** Came in by the history backfill (older than the first-sync window `initialDays`). */
        history: z.boolean().optional(),
        /** `any`: linked to anything; `none`: linked to nothing. */
        linked: z.enum(['any', 'dossier', 'document', 'citizen', 'none']).optional(),
        /**
         * Sender domains: `hanoi.gov.vn` matches it and its subdomains; `*.gov.vn` only subdomains.
         * Case-insensitive; one match is enough.
         */
        fromDomain: z
          .array(z.string().trim().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/i, 'must be a domain such as hanoi.gov.vn or *.gov.vn'))
          .min(1, 'must list at least one domain')
          .optional(),
        /** Subject contains one of these, ignoring case and diacritics (đ = d). */
        subjectContains: z.array(nonEmpty).min(1, 'must list at least one phrase').optional(),
      })
      .strict(),
    then: z
      .object({
        work: z.boolean(),
        replyWithinWorkingHours: z.number().positive('must be > 0').max(2_000, 'must be ≤ 2000 working hours').optional(),
        urgency: z.number().int().min(0).max(4).optional(),
      })
      .strict()
      .refine((t) => t.work || t.replyWithinWorkingHours === undefined, {
        message: 'replyWithinWorkingHours only makes sense with work: true',
        path: ['replyWithinWorkingHours'],
      }),
  })
  .strict();
export type MailRule = z.infer<typeof MailRuleSchema>;

export const MailRulesFileSchema = z
  .object({
    rules: z.array(MailRuleSchema).min(1, 'must list at least one rule'),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.rules.forEach((rule, i) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name "${rule.name}" (also rules[${first}])` });
      } else seen.set(rule.name, i);
    });
  });
export type MailRulesFile = z.infer<typeof MailRulesFileSchema>;

/** The rules file is invalid; `issues` has one readable line per problem (`rules[2].then.urgency: …`). */
export class MailRulesError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid mail rules:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'MailRulesError';
  }
}


/**
 * Validate a rules file (parsed JSON or its text) and return the ordered rules.
 * @throws MailRulesError naming each bad field.
 */
export function loadMailRules(json: unknown): MailRule[] {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch (err) {
      throw new MailRulesError([`(file): not valid JSON (${err instanceof Error ? err.message : String(err)})`]);
    }
  }
  const parsed = MailRulesFileSchema.safeParse(value);
  if (!parsed.success) throw new MailRulesError(issueLines(parsed.error));
  return parsed.data.rules;
}

/** The shipped rules: shorter deadlines first, since the first matching rule decides. */
export const DEFAULT_MAIL_RULES: readonly MailRule[] = loadMailRules({
  rules: [
    // Older mail brought in by the history backfill is for links and search: not work by itself
    // (a year of answered mail would otherwise fill the queue with overdue items), unless flagged.
    { name: 'Thư cũ (đồng bộ lịch sử)', when: { history: true, flagged: false }, then: { work: false } },
    { name: 'Gắn với hồ sơ TTHC', when: { folder: 'INBOX', linked: 'dossier' }, then: { work: true, replyWithinWorkingHours: 8, urgency: 1 } },
    { name: 'Thư được gắn cờ', when: { flagged: true }, then: { work: true, replyWithinWorkingHours: 8, urgency: 1 } },
    { name: 'Thư công vụ chưa đọc', when: { folder: 'INBOX', unseen: true, fromDomain: ['gov.vn'] }, then: { work: true, replyWithinWorkingHours: 16 } },
    { name: 'Còn lại', when: {}, then: { work: false } },
  ],
});

export interface MailFacts {
  folder: string;
  seen: boolean;
  flagged: boolean;
  /** Came in by the history backfill (MailDetail.history); absent: false. */
  history?: boolean;
  /** `From` address (`name@domain`); null or malformed matches no `fromDomain`. */
  fromAddress: string | null;
  subject: string;
  /** Links of the mail: pass the ones matched in the cache when it is available. */
  links: readonly { kind: LinkKind }[];
  /** When the mail arrived (IMAP INTERNALDATE), epoch ms. */
  receivedAt: number;
}

export interface MailVerdict {
  work: boolean;
  /** Name of the deciding rule, or null when none matched. */
  rule: string | null;
  dueAt: number | null;
  urgency: number;
}

function domainOf(address: string | null): string | null {
  if (address === null) return null;
  const at = address.lastIndexOf('@');
  if (at < 0 || at === address.length - 1) return null;
  return address.slice(at + 1).trim().replace(/>$/, '').toLowerCase();
}

function domainMatches(domain: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return domain.endsWith(p.slice(1));
  return domain === p || domain.endsWith(`.${p}`);
}

function folderMatches(folder: string, wanted: string): boolean {
  if (wanted.toUpperCase() === 'INBOX') return folder.toUpperCase() === 'INBOX';
  return folder === wanted;
}

function ruleMatches(rule: MailRule, mail: MailFacts): boolean {
  const w = rule.when;
  if (w.folder !== undefined && !folderMatches(mail.folder, w.folder)) return false;
  if (w.unseen !== undefined && w.unseen === mail.seen) return false;
  if (w.flagged !== undefined && w.flagged !== mail.flagged) return false;
  if (w.history !== undefined && w.history !== (mail.history ?? false)) return false;
  if (w.linked !== undefined) {
    const kinds = new Set(mail.links.map((l) => l.kind));
    if (w.linked === 'none' ? kinds.size > 0 : w.linked === 'any' ? kinds.size === 0 : !kinds.has(w.linked)) return false;
  }
  if (w.fromDomain !== undefined) {
    const domain = domainOf(mail.fromAddress);
    if (domain === null || !w.fromDomain.some((p) => domainMatches(domain, p))) return false;
  }
  if (w.subjectContains !== undefined) {
    const subject = foldVietnamese(mail.subject);
    if (!w.subjectContains.some((s) => subject.includes(foldVietnamese(s.trim())))) return false;
  }
  return true;
}

/** Apply the rules to one mail: the first matching rule decides whether it is work and its deadline. */
export function evaluateMail(rules: readonly MailRule[], mail: MailFacts, calendar: WorkCalendar): MailVerdict {
  for (const rule of rules) {
    if (!ruleMatches(rule, mail)) continue;
    const hours = rule.then.replyWithinWorkingHours;
    const dueAt = rule.then.work && hours !== undefined ? calendar.addWorkingMinutes(calendar.normalizeStart(mail.receivedAt), hours * 60) : null;
    return { work: rule.then.work, rule: rule.name, dueAt, urgency: rule.then.work ? (rule.then.urgency ?? 0) : 0 };
  }
  return { work: false, rule: null, dueAt: null, urgency: 0 };
}
