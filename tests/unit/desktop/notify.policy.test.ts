import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../../src/core/deadline';
import { composeNotification, dueSoonItems, isQuietTime, newUrgentItems, type NotifyCandidate } from '../../../src/core/notify/notify.policy';
import { NotifySettingsSchema, type NotifySettingsInput } from '../../../src/shared/desktop';

const calendar = defaultCalendar();
const at = (iso: string): number => Date.parse(`${iso}+07:00`);
const NOW = at('2026-11-25T10:00:00'); // a Wednesday
const settings = (s: NotifySettingsInput = {}) => NotifySettingsSchema.parse(s);

function item(o: Partial<NotifyCandidate> & { id: string }): NotifyCandidate {
  return { ref: `${o.id}/UBND`, title: 'V/v kế hoạch', source: 'document', urgency: 1, receivedAt: NOW - 60_000, isOpen: true, assignee: null, remainingWorkingMinutes: null, ...o };
}

describe('quiet time', () => {
  it('follows the quiet hours in office time, across midnight, with the end excluded', () => {
    const s = settings();
    expect(isQuietTime(s, calendar, at('2026-11-25T10:00:00'))).toBe(false);
    expect(isQuietTime(s, calendar, at('2026-11-25T17:29:00'))).toBe(false);
    expect(isQuietTime(s, calendar, at('2026-11-25T17:30:00'))).toBe(true);
    expect(isQuietTime(s, calendar, at('2026-11-25T23:59:00'))).toBe(true);
    expect(isQuietTime(s, calendar, at('2026-11-26T03:00:00'))).toBe(true);
    expect(isQuietTime(s, calendar, at('2026-11-26T07:29:00'))).toBe(true);
    expect(isQuietTime(s, calendar, at('2026-11-26T07:30:00'))).toBe(false);
    const day = settings({ quietHours: { start: '12:00', end: '13:00' } });
    expect(isQuietTime(day, calendar, at('2026-11-25T12:30:00'))).toBe(true);
    expect(isQuietTime(day, calendar, at('2026-11-25T13:00:00'))).toBe(false);
    expect(isQuietTime(settings({ quietHours: { start: '08:00', end: '08:00' } }), calendar, at('2026-11-25T08:00:00'))).toBe(false);
  });

  it('is quiet on days off of the office calendar (weekend, holiday) but not on a working Saturday', () => {
    const s = settings();
    expect(isQuietTime(s, calendar, at('2026-11-28T10:00:00'))).toBe(true); // Saturday
    expect(isQuietTime(s, calendar, at('2026-09-02T10:00:00'))).toBe(true); // National Day
    expect(isQuietTime(s, calendar, at('2026-08-22T10:00:00'))).toBe(false); // working Saturday (ngày làm bù)
    expect(isQuietTime(settings({ quietOnDaysOff: false }), calendar, at('2026-11-28T10:00:00'))).toBe(false);
  });

  it('refuses malformed settings with a Vietnamese hint', () => {
    const r = NotifySettingsSchema.safeParse({ quietHours: { start: '25:00', end: '07:30' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('giờ dạng HH:MM');
  });
});

describe('new urgent items', () => {
  it('keeps open, recent items at or above the urgency, in scope', () => {
    const fresh = [
      item({ id: 'a' }),
      item({ id: 'normal', urgency: 0 }),
      item({ id: 'closed', isOpen: false }),
      item({ id: 'old', receivedAt: NOW - 3 * 86_400_000 }),
      item({ id: 'hung', assignee: 'canbo.hung' }),
      item({ id: 'mine', assignee: 'canbo.lan', urgency: 3 }),
    ];
    expect(newUrgentItems(settings(), 'canbo.lan', fresh, NOW).map((i) => i.id)).toEqual(['a', 'hung', 'mine']);
    expect(newUrgentItems(settings({ scope: 'mine' }), 'canbo.lan', fresh, NOW).map((i) => i.id)).toEqual(['mine']);
    expect(newUrgentItems(settings({ minUrgency: 2 }), 'canbo.lan', fresh, NOW).map((i) => i.id)).toEqual(['mine']);
  });
});

describe('about to go overdue', () => {
  it('notifies once per item and threshold, the smallest threshold reached, never when overdue or without deadline', () => {
    const s = settings({ leadMinutes: [240, 60] });
    const notified = new Map<string, number>();
    const pass = (left: Record<string, number | null>): string[] =>
      dueSoonItems(s, 'canbo.lan', Object.entries(left).map(([id, m]) => item({ id, remainingWorkingMinutes: m })), notified).map((i) => i.id);
    expect(pass({ a: 300, b: 200, c: 30, late: -5, none: null })).toEqual(['b', 'c']);
    expect(pass({ a: 239, b: 190, c: 20 })).toEqual(['a']);
    expect(pass({ a: 120, b: 60, c: 10 })).toEqual(['b']);
    expect(pass({ a: 59, b: 50, c: 5 })).toEqual(['a']);
    expect(pass({ a: 1, b: 1, c: 1 })).toEqual([]);
  });
});

describe('notification text', () => {
  const meta = { id: 'n1', at: NOW, quiet: false };
  it('names one item, or counts a burst', () => {
    const one = composeNotification('urgent', [item({ id: 'x', ref: '7816/VPCP-TTĐT', title: 'V/v phòng chống bão', urgency: 2 })], meta);
    expect(one).toMatchObject({ title: 'Văn bản thượng khẩn mới', body: '7816/VPCP-TTĐT — V/v phòng chống bão', itemIds: ['x'], count: 1, read: false });
    const burst = Array.from({ length: 12 }, (_, n) => item({ id: `d${n}`, source: 'procedure', ref: `H26-${n}` }));
    const many = composeNotification('urgent', burst, meta);
    expect(many.title).toBe('12 hồ sơ khẩn mới');
    expect(many.body.split('\n')).toHaveLength(4);
    expect(many.body).toContain('… và 9 việc khác');
    expect(composeNotification('due_soon', [item({ id: 'y', remainingWorkingMinutes: 90 })], meta).title).toBe('Sắp quá hạn: còn 1 giờ 30 phút làm việc');
    expect(composeNotification('due_soon', [item({ id: 'y' }), item({ id: 'z', source: 'mail' })], meta).title).toBe('2 việc sắp quá hạn');
    expect(composeNotification('quiet_summary', [item({ id: 'y' }), item({ id: 'z' })], meta).title).toBe('Trong giờ nghỉ có 2 văn bản khẩn mới');
    expect(composeNotification('urgent', Array.from({ length: 80 }, (_, n) => item({ id: `m${n}` })), meta).itemIds).toHaveLength(50);
  });
});
