import { describe, expect, it } from 'vitest';
import shipped from '../../../resources/calendars/vn-public-sector.json';
import { classifyDue, loadCalendar, slaBoundaries, slaFor, type SlaBoundaries } from '../../../src/core/deadline';
import { type SlaState } from '../../../src/shared/domain';
import { cal, iso, vn } from './fixtures/office-time.helper';

const running = (dueAt: number | null) => ({ dueAt, clockRunning: true, paused: false });

function boundariesText(b: SlaBoundaries): { now: string; endOfToday: string; endOfNextWorkingDay: string } {
  return { now: iso(b.now), endOfToday: iso(b.endOfToday), endOfNextWorkingDay: iso(b.endOfNextWorkingDay) };
}

describe('slaBoundaries', () => {
  it.each([
    ['2026-03-10 10:00', '2026-03-10T23:59:59.999+07:00', '2026-03-11T23:59:59.999+07:00', 'ordinary Tuesday'],
    ['2026-03-10 18:00', '2026-03-10T23:59:59.999+07:00', '2026-03-11T23:59:59.999+07:00', 'after hours'],
    ['2026-03-10 00:00', '2026-03-10T23:59:59.999+07:00', '2026-03-11T23:59:59.999+07:00', 'office midnight'],
    ['2026-03-13 10:00', '2026-03-13T23:59:59.999+07:00', '2026-03-16T23:59:59.999+07:00', 'Friday'],
    ['2026-03-08 10:00', '2026-03-08T23:59:59.999+07:00', '2026-03-09T23:59:59.999+07:00', 'Sunday'],
    ['2026-01-09 10:00', '2026-01-09T23:59:59.999+07:00', '2026-01-10T23:59:59.999+07:00', 'before the working Saturday'],
    ['2026-02-13 10:00', '2026-02-13T23:59:59.999+07:00', '2026-02-23T23:59:59.999+07:00', 'before Tết'],
    ['2026-02-18 10:00', '2026-02-18T23:59:59.999+07:00', '2026-02-23T23:59:59.999+07:00', 'during Tết'],
    ['2026-04-24 10:00', '2026-04-24T23:59:59.999+07:00', '2026-04-28T23:59:59.999+07:00', 'before 27 Apr'],
    ['2026-08-28 10:00', '2026-08-28T23:59:59.999+07:00', '2026-09-03T23:59:59.999+07:00', 'before 31 Aug–2 Sep'],
  ])('now %s → end of today %s, end of next working day %s (%s)', (now, endOfToday, endOfNext) => {
    expect(boundariesText(slaBoundaries(cal, vn(now)))).toEqual({
      now: iso(vn(now)),
      endOfToday,
      endOfNextWorkingDay: endOfNext,
    });
  });

  it('follows dueSoonWorkingHours, rounded up to whole office days', () => {
    const withHours = (hours: number) => loadCalendar({ ...structuredClone(shipped), dueSoonWorkingHours: hours });
    const now = vn('2026-03-12 10:00'); // Thursday
    expect(iso(slaBoundaries(withHours(4), now).endOfNextWorkingDay)).toBe('2026-03-13T23:59:59.999+07:00');
    expect(iso(slaBoundaries(withHours(9), now).endOfNextWorkingDay)).toBe('2026-03-16T23:59:59.999+07:00');
    expect(iso(slaBoundaries(withHours(16), now).endOfNextWorkingDay)).toBe('2026-03-16T23:59:59.999+07:00');
    expect(iso(slaBoundaries(withHours(24), now).endOfNextWorkingDay)).toBe('2026-03-17T23:59:59.999+07:00');
  });
});

describe('slaFor: item states', () => {
  const now = vn('2026-03-10 10:00');

  it('none when the clock is not running, even if paused or overdue', () => {
    expect(slaFor(cal, now, { dueAt: vn('2026-03-01 17:00'), clockRunning: false, paused: false })).toEqual({ sla: 'none', remainingWorkingMinutes: null });
    expect(slaFor(cal, now, { dueAt: vn('2026-03-01 17:00'), clockRunning: false, paused: true })).toEqual({ sla: 'none', remainingWorkingMinutes: null });
  });

  it('paused wins over none and over overdue while the clock is running', () => {
    expect(slaFor(cal, now, { dueAt: null, clockRunning: true, paused: true })).toEqual({ sla: 'paused', remainingWorkingMinutes: null });
    expect(slaFor(cal, now, { dueAt: vn('2026-03-01 17:00'), clockRunning: true, paused: true })).toEqual({ sla: 'paused', remainingWorkingMinutes: null });
  });

  it('none without a due time', () => {
    expect(slaFor(cal, now, running(null))).toEqual({ sla: 'none', remainingWorkingMinutes: null });
  });

  it('due exactly now is due_today with 0 left; one millisecond later it is overdue', () => {
    expect(slaFor(cal, now, running(now))).toEqual({ sla: 'due_today', remainingWorkingMinutes: 0 });
    expect(slaFor(cal, now + 1, running(now))).toEqual({ sla: 'overdue', remainingWorkingMinutes: -1 });
  });

  it('overdue: minus the working minutes since the due time', () => {
    expect(slaFor(cal, vn('2026-03-09 09:30'), running(vn('2026-03-06 17:00')))).toEqual({ sla: 'overdue', remainingWorkingMinutes: -90 });
    expect(slaFor(cal, vn('2026-02-23 08:30'), running(vn('2026-02-13 16:00')))).toEqual({ sla: 'overdue', remainingWorkingMinutes: -90 });
  });

  it('overdue only by non-working time shows 0 minutes, never -0', () => {
    const result = slaFor(cal, vn('2026-03-07 10:00'), running(vn('2026-03-06 17:00')));
    expect(result.sla).toBe('overdue');
    expect(Object.is(result.remainingWorkingMinutes, 0)).toBe(true);
  });

  it('due_today up to the last millisecond of the office day', () => {
    expect(slaFor(cal, now, running(vn('2026-03-10 17:00')))).toEqual({ sla: 'due_today', remainingWorkingMinutes: 360 });
    expect(slaFor(cal, now, running(vn('2026-03-10 23:59:59.999'))).sla).toBe('due_today');
    expect(slaFor(cal, now, running(vn('2026-03-11 00:00'))).sla).toBe('due_soon');
  });

  it('due_soon up to the end of the next working day', () => {
    expect(slaFor(cal, now, running(vn('2026-03-11 17:00')))).toEqual({ sla: 'due_soon', remainingWorkingMinutes: 840 });
    expect(slaFor(cal, now, running(vn('2026-03-11 23:59:59.999'))).sla).toBe('due_soon');
    expect(slaFor(cal, now, running(vn('2026-03-12 00:00'))).sla).toBe('on_track');
    expect(slaFor(cal, now, running(vn('2026-03-12 08:30')))).toEqual({ sla: 'on_track', remainingWorkingMinutes: 870 });
  });

  it('remaining minutes are rounded down', () => {
    expect(slaFor(cal, vn('2026-03-10 09:59:30'), running(vn('2026-03-10 17:00'))).remainingWorkingMinutes).toBe(360);
    expect(slaFor(cal, vn('2026-03-10 10:00:30'), running(vn('2026-03-10 17:00'))).remainingWorkingMinutes).toBe(359);
  });

  it('on Friday before Tết, Monday 23 Feb is due_soon and Tuesday on_track', () => {
    const fri = vn('2026-02-13 10:00');
    expect(slaFor(cal, fri, running(vn('2026-02-23 17:00')))).toEqual({ sla: 'due_soon', remainingWorkingMinutes: 360 + 480 });
    expect(slaFor(cal, fri, running(vn('2026-02-24 08:00'))).sla).toBe('on_track');
  });

  it('on Friday 9 Jan the working Saturday is the next working day', () => {
    const fri = vn('2026-01-09 10:00');
    expect(slaFor(cal, fri, running(vn('2026-01-10 17:00'))).sla).toBe('due_soon');
    expect(slaFor(cal, fri, running(vn('2026-01-12 08:00'))).sla).toBe('on_track');
  });

  it('on a Sunday, Monday is due_soon', () => {
    const sun = vn('2026-03-08 10:00');
    expect(slaFor(cal, sun, running(vn('2026-03-08 20:00'))).sla).toBe('due_today');
    expect(slaFor(cal, sun, running(vn('2026-03-09 17:00')))).toEqual({ sla: 'due_soon', remainingWorkingMinutes: 480 });
    expect(slaFor(cal, sun, running(vn('2026-03-10 08:00'))).sla).toBe('on_track');
  });

  it('accepts precomputed boundaries for the same instant only', () => {
    const b = slaBoundaries(cal, now);
    expect(slaFor(cal, now, running(vn('2026-03-11 17:00')), b).sla).toBe('due_soon');
    expect(() => slaFor(cal, now + 1, running(vn('2026-03-11 17:00')), b)).toThrow(RangeError);
  });
});

describe('slaFor agrees with plain range conditions on due_at', () => {
  /** The SQL the cache runs, written out as comparisons. */
  function bySqlRanges(b: SlaBoundaries, dueAt: number): SlaState {
    if (dueAt < b.now) return 'overdue';
    if (dueAt >= b.now && dueAt <= b.endOfToday) return 'due_today';
    if (dueAt > b.endOfToday && dueAt <= b.endOfNextWorkingDay) return 'due_soon';
    if (dueAt > b.endOfNextWorkingDay) return 'on_track';
    throw new Error('no range matched');
  }

  /** Deterministic PRNG (mulberry32) so a failure can be replayed. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  }

  it('for random instants across 2025–2026 and around the boundaries', () => {
    const random = prng(20260213);
    const from = vn('2025-01-01 00:00');
    const span = vn('2027-01-01 00:00') - from;
    let checked = 0;
    for (let i = 0; i < 400; i += 1) {
      // Whole minutes half the time (realistic due times), any millisecond otherwise.
      const raw = from + Math.floor(random() * span);
      const now = i % 2 === 0 ? raw - (raw % 60_000) : raw;
      const b = slaBoundaries(cal, now);
      expect(b.endOfToday).toBeGreaterThanOrEqual(now);
      expect(b.endOfNextWorkingDay).toBeGreaterThan(b.endOfToday);
      const near = [b.now, b.endOfToday, b.endOfNextWorkingDay].flatMap((x) => [x - 1, x, x + 1]);
      const spread = Array.from({ length: 12 }, () => now + Math.floor((random() - 0.4) * 10 * 86_400_000));
      for (const dueAt of [...near, ...spread]) {
        const result = slaFor(cal, now, running(dueAt));
        expect(result.sla, `now ${iso(now)}, due ${iso(dueAt)}`).toBe(bySqlRanges(b, dueAt));
        expect(classifyDue(b, dueAt)).toBe(result.sla);
        const remaining = result.remainingWorkingMinutes ?? Number.NaN;
        if (result.sla === 'overdue') expect(remaining).toBeLessThanOrEqual(0);
        else expect(remaining).toBeGreaterThanOrEqual(0);
        checked += 1;
      }
    }
    expect(checked).toBe(400 * 21);
  });
});
