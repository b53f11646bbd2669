import { beforeAll, describe, expect, it } from 'vitest';
import { formatCountdown, splitWorkingMinutes, WORKING_MINUTES_PER_DAY } from '../../../src/renderer/format/countdown.format';
import type { Translate } from '../../../src/renderer/format/translate';
import { translators } from './i18n-fixture';

let vi: Translate;
let en: Translate;
beforeAll(async () => {
  ({ vi, en } = await translators());
});

describe('splitWorkingMinutes', () => {
  it('uses 8-hour working days', () => {
    expect(WORKING_MINUTES_PER_DAY).toBe(480);
    expect(splitWorkingMinutes(2 * 480 + 3 * 60)).toEqual({ days: 2, hours: 3, minutes: 0 });
    expect(splitWorkingMinutes(479)).toEqual({ days: 0, hours: 7, minutes: 59 });
    expect(splitWorkingMinutes(-300)).toEqual({ days: 0, hours: 5, minutes: 0 });
  });
});

describe('formatCountdown in Vietnamese', () => {
  it('counts down working days and hours', () => {
    expect(formatCountdown(vi, 2 * 480 + 180, 'on_track')).toEqual({ text: 'còn 2 ngày 3 giờ làm việc', tone: 'on_track' });
    expect(formatCountdown(vi, 480, 'due_soon').text).toBe('còn 1 ngày làm việc');
    expect(formatCountdown(vi, 130, 'due_today').text).toBe('còn 2 giờ 10 phút làm việc');
    expect(formatCountdown(vi, 45, 'due_today').text).toBe('còn 45 phút làm việc');
  });
  it('says how late an overdue item is', () => {
    expect(formatCountdown(vi, -300, 'overdue')).toEqual({ text: 'quá hạn 5 giờ', tone: 'overdue' });
    expect(formatCountdown(vi, -(480 + 120), 'overdue').text).toBe('quá hạn 1 ngày 2 giờ');
    expect(formatCountdown(vi, -20, 'overdue').text).toBe('quá hạn 20 phút');
  });
  it('shows paused, due now and no deadline', () => {
    expect(formatCountdown(vi, 600, 'paused')).toEqual({ text: 'tạm dừng', tone: 'paused' });
    expect(formatCountdown(vi, 0, 'due_today').text).toBe('đến hạn');
    expect(formatCountdown(vi, null, 'none')).toEqual({ text: 'không tính hạn', tone: 'none' });
  });
  it('trusts a negative count over a stale SLA state', () => {
    expect(formatCountdown(vi, -60, 'due_today')).toEqual({ text: 'quá hạn 1 giờ', tone: 'overdue' });
  });
});

describe('formatCountdown in English', () => {
  it('pluralises units', () => {
    expect(formatCountdown(en, 2 * 480 + 180, 'on_track').text).toBe('2 working days 3 hours left');
    expect(formatCountdown(en, 480 + 60, 'due_soon').text).toBe('1 working day 1 hour left');
    expect(formatCountdown(en, 1, 'due_today').text).toBe('1 minute left');
  });
  it('says overdue and paused', () => {
    expect(formatCountdown(en, -300, 'overdue').text).toBe('5 hours overdue');
    expect(formatCountdown(en, 100, 'paused').text).toBe('paused');
    expect(formatCountdown(en, null, 'none').text).toBe('no deadline');
  });
});
