/**
 * Due countdown in working time, from the core's `remainingWorkingMinutes`.
 * 1 working day = 8 working hours = 480 working minutes (DOMAIN.md).
 */
import type { SlaState } from '../../shared/domain';
import type { Translate } from './translate';

export const WORKING_MINUTES_PER_DAY = 480;

export interface WorkingSpan {
  days: number;
  hours: number;
  minutes: number;
}

/** Split a (non-negative) number of working minutes into working days, hours and minutes. */
export function splitWorkingMinutes(total: number): WorkingSpan {
  const m = Math.max(0, Math.round(Math.abs(total)));
  const days = Math.floor(m / WORKING_MINUTES_PER_DAY);
  const rest = m % WORKING_MINUTES_PER_DAY;
  return { days, hours: Math.floor(rest / 60), minutes: rest % 60 };
}

/** "2 ngày 3 giờ", "5 giờ 10 phút", "45 phút": two units at most, the larger first. */
export function formatSpan(t: Translate, total: number): string {
  const { days, hours, minutes } = splitWorkingMinutes(total);
  const parts: string[] = [];
  if (days > 0) {
    parts.push(t('countdown.day', { count: days }));
    if (hours > 0) parts.push(t('countdown.hour', { count: hours }));
  } else if (hours > 0) {
    parts.push(t('countdown.hour', { count: hours }));
    if (minutes > 0) parts.push(t('countdown.minute', { count: minutes }));
  } else {
    parts.push(t('countdown.minute', { count: Math.max(minutes, 1) }));
  }
  return parts.join(' ');
}

export type CountdownTone = 'overdue' | 'due_today' | 'due_soon' | 'on_track' | 'paused' | 'none';

export interface Countdown {
  text: string;
  tone: CountdownTone;
}

/**
 * What the queue shows in the countdown column.
 * paused → "tạm dừng"; no deadline → "không tính hạn"; negative → "quá hạn 5 giờ";
 * otherwise "còn 2 ngày 3 giờ làm việc".
 */
export function formatCountdown(t: Translate, remainingWorkingMinutes: number | null, sla: SlaState): Countdown {
  if (sla === 'paused') return { text: t('countdown.paused'), tone: 'paused' };
  if (remainingWorkingMinutes === null) return { text: t('countdown.none'), tone: 'none' };
  if (remainingWorkingMinutes < 0 || sla === 'overdue') {
    if (remainingWorkingMinutes >= 0) return { text: t('countdown.dueNow'), tone: 'overdue' };
    return { text: t('countdown.overdue', { span: formatSpan(t, remainingWorkingMinutes) }), tone: 'overdue' };
  }
  if (sla === 'none') return { text: t('countdown.none'), tone: 'none' };
  if (remainingWorkingMinutes === 0) return { text: t('countdown.dueNow'), tone: sla };
  return { text: t('countdown.left', { span: formatSpan(t, remainingWorkingMinutes) }), tone: sla };
}
