/**
 * Issue #4, point 1: "first sync of recent mail headers-first, then backfill" — the mail adapter's
 * history backfill against a real Dovecot (tests/support/mail-servers.ts). Messages are APPENDed with
 * their INTERNALDATE days, months and years back; the first sync takes the `initialDays` window, then
 * the older mail back to `historyDays` (marked `history`), never what is older still.
 */
import { type ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { MailAdapter, type MailAdapterConfig } from '../../../src/core/adapters/mail.adapter';
import { HISTORY_BIT, parseMailCursor } from '../../../src/core/adapters/mail.normalize';
import { DEFAULT_MAIL_RULES, evaluateMail } from '../../../src/core/mail/mail-rules';
import { defaultCalendar } from '../../../src/core/deadline/calendar.loader';
import { connectedImap, loopbackMailConfig, type MailServers, startMailServers } from '../../support/mail-servers';
import { syncAll } from '../adapters/adapter-contract';
import { seedMail } from './mail-fixtures';

const USER = 'hoa';
const PASSWORD = 'Mật-khẩu-lịch-sử-2026';
const DAY = 86_400_000;
/** Days back of each appended message: 4 in the 30-day window, 6 of history (≤ 365), 2 older than a year. */
const AGES = [1, 3, 10, 25, 40, 61, 95, 150, 240, 330, 400, 700];
const RECENT = AGES.filter((d) => d < 30).length;
const HISTORY = AGES.filter((d) => d >= 30 && d <= 365).length;

let servers: MailServers;
const adapters: MailAdapter[] = [];

function makeAdapter(overrides: Partial<MailAdapterConfig> = {}): MailAdapter {
  const adapter = new MailAdapter(
    loopbackMailConfig(servers, { user: USER, password: PASSWORD }, { id: 'mail-history', pageSize: 2, initialDays: 30, historyDays: 365, timeoutMs: 4000, ...overrides }),
  );
  adapters.push(adapter);
  return adapter;
}

async function client(): Promise<ImapFlow> {
  return connectedImap(servers, { user: USER, password: PASSWORD });
}

function live(records: readonly NormalizedRecord[]): Map<string, NormalizedRecord> {
  const out = new Map<string, NormalizedRecord>();
  for (const r of records) {
    if (r.status === 'deleted') out.delete(r.externalId);
    else out.set(r.externalId, r);
  }
  return out;
}

function ageDays(r: NormalizedRecord): number {
  return Math.round((Date.now() - r.receivedAt) / DAY);
}

function isHistory(r: NormalizedRecord): boolean {
  return r.detail.source === 'mail' && r.detail.history === true;
}

describe('mail history backfill against Dovecot', () => {
  let cursor: string | null = null;
  let cache = new Map<string, NormalizedRecord>();

  beforeAll(async () => {
    servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false });
    // Dovecot creates the mailbox on the first delivery; the rest is APPENDed with its own INTERNALDATE.
    await servers.deliver(seedMail(99, servers.domain).raw, USER);
    const c = await client();
    try {
      // The delivered one is today's: remove it, the test wants only dated mail.
      await c.mailboxOpen('INBOX');
      await c.messageDelete('1:*');
      for (const [i, days] of AGES.entries()) {
        const date = new Date(Date.now() - days * DAY - 3_600_000);
        await c.append('INBOX', seedMail(i, servers.domain, date).raw, [], date);
      }
    } finally {
      await c.logout();
    }
  }, 30_000);

  afterAll(async () => {
    for (const a of adapters) await a.close();
    await servers?.stop();
  });

  it('takes the recent window first, then the older mail back to historyDays, never older', async () => {
    const result = await syncAll(makeAdapter());
    cursor = result.cursor;
    cache = live(result.records);
    const ages = [...cache.values()].map(ageDays).sort((a, b) => a - b);
    expect(ages).toEqual(AGES.filter((d) => d <= 365).map((d) => d)); // 1 h more than whole days rounds to the day
    expect(cache.size).toBe(RECENT + HISTORY);
    // Recent mail first (newest first), the history after it; only the history is marked.
    const order = result.records.map(ageDays);
    expect(order.slice(0, RECENT)).toEqual(AGES.filter((d) => d < 30).reverse());
    for (const r of cache.values()) expect(isHistory(r), `${ageDays(r)} days`).toBe(ageDays(r) >= 30);
    // The history lands without its search index entry (the background backfill writes it).
    expect(result.records.filter(isHistory).every((r) => r.searchDeferred === true)).toBe(true);
    const state = parseMailCursor(cursor).folders['INBOX']!;
    expect(state.history).toBeNull();
    expect(Object.values(state.known).filter(([, bits]) => (bits & HISTORY_BIT) !== 0)).toHaveLength(HISTORY);
  });

  it('a sync with nothing new returns nothing', async () => {
    const again = await syncAll(makeAdapter(), cursor);
    expect(again.records).toHaveLength(0);
    cursor = again.cursor;
  });

  it('a history mail stays history when a flag changes on the server; new mail is not history', async () => {
    const oldest = [...cache.values()].filter(isHistory).sort((a, b) => a.receivedAt - b.receivedAt)[0]!;
    const uid = oldest.detail.source === 'mail' ? oldest.detail.uid : 0;
    const c = await client();
    try {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    } finally {
      await c.logout();
    }
    await servers.deliver(seedMail(50, servers.domain).raw, USER);
    const next = await syncAll(makeAdapter(), cursor);
    cursor = next.cursor;
    const flagged = next.records.find((r) => r.externalId === oldest.externalId);
    expect(flagged?.detail.source === 'mail' && flagged.detail.flagged).toBe(true);
    expect(flagged && isHistory(flagged)).toBe(true);
    const fresh = next.records.filter((r) => r.externalId !== oldest.externalId);
    expect(fresh).toHaveLength(1);
    expect(isHistory(fresh[0]!)).toBe(false);
    for (const r of next.records) cache.set(r.externalId, r);
  });

  it('the default mail rules: history is not work, unless flagged', () => {
    const calendar = defaultCalendar();
    const verdicts = { historyWork: 0, historyNotWork: 0 };
    for (const r of cache.values()) {
      if (r.detail.source !== 'mail') continue;
      const d = r.detail;
      const verdict = evaluateMail(
        DEFAULT_MAIL_RULES,
        { folder: d.folder, seen: d.seen, flagged: d.flagged, history: d.history ?? false, fromAddress: d.from?.address ?? null, subject: d.subject, links: [], receivedAt: r.receivedAt },
        calendar,
      );
      if (d.history && !d.flagged) expect(verdict, `${ageDays(r)} days`).toMatchObject({ work: false, rule: 'Thư cũ (đồng bộ lịch sử)' });
      if (d.history && d.flagged) expect(verdict.work).toBe(true);
      if (d.history) verdicts[verdict.work ? 'historyWork' : 'historyNotWork']++;
    }
    // The one flagged above is work; the other history mails are not.
    expect(verdicts).toEqual({ historyWork: 1, historyNotWork: HISTORY - 1 });
    // The seeded senders are gov.vn and the mail is unread: without the history rule it would be work.
    const unreadGov = [...cache.values()].filter((r) => r.detail.source === 'mail' && !r.detail.seen && !r.detail.history);
    expect(unreadGov.length).toBeGreaterThan(0);
  });

  it('a cursor from before the history backfill existed gets the history on its next sync, without duplicates', async () => {
    // The state an older version left after a 30-day first sync: no window, no history, only recent UIDs known.
    const state = parseMailCursor(cursor);
    const folder = state.folders['INBOX']!;
    for (const [uid, [, bits]] of Object.entries(folder.known)) if ((bits & HISTORY_BIT) !== 0) delete folder.known[uid];
    delete folder.history;
    delete folder.windowStart;
    const legacy = JSON.stringify(state);
    const result = await syncAll(makeAdapter(), legacy);
    const got = live(result.records);
    expect(got.size).toBe(HISTORY);
    for (const r of got.values()) {
      expect(isHistory(r)).toBe(true);
      expect(cache.has(r.externalId)).toBe(true);
    }
  });

  it('a folder of one page or less gets its history indexed at once (nothing deferred)', async () => {
    const result = await syncAll(makeAdapter({ pageSize: 100 }));
    const history = result.records.filter(isHistory);
    expect(history).toHaveLength(HISTORY);
    expect(history.every((r) => r.searchDeferred === undefined)).toBe(true);
  });

  it('historyDays 0 (or not above initialDays) takes only the window', async () => {
    const result = await syncAll(makeAdapter({ historyDays: 0 }));
    const got = live(result.records);
    expect([...got.values()].every((r) => ageDays(r) < 30)).toBe(true);
    expect(parseMailCursor(result.cursor).folders['INBOX']!.history).toBeNull();
  });

  it('a UIDVALIDITY change keeps the history: nothing deleted, nothing doubled', async () => {
    const before = new Set(cache.keys());
    await servers.resetUidValidity(USER);
    const result = await syncAll(makeAdapter(), cursor);
    const deleted = result.records.filter((r) => r.status === 'deleted').map((r) => r.externalId);
    expect(deleted).toEqual([]);
    const got = live(result.records);
    expect(new Set(got.keys())).toEqual(before);
    expect([...got.values()].filter(isHistory)).toHaveLength(HISTORY);
  }, 30_000);
});
