/** The queue filter as the UI holds it, and its translation to the contract's QueueFilter. Pure. */
import type { QueueFilter } from '../../shared/api';
import type { SlaState, Source } from '../../shared/domain';

export interface QueueFilterState {
  sources: Source[];
  statuses: string[];
  sla: SlaState[];
  scope: 'mine' | 'all';
  includeClosed: boolean;
  q: string;
}

/** Officials see their own items first; the one-stop team's list is one click away. */
export function defaultFilter(scope: 'mine' | 'all'): QueueFilterState {
  return { sources: [], statuses: [], sla: [], scope, includeClosed: false, q: '' };
}

export function toApiFilter(f: QueueFilterState, opts: { withSla: boolean } = { withSla: true }): QueueFilter {
  const out: QueueFilter = { scope: f.scope, includeClosed: f.includeClosed };
  if (f.sources.length > 0) out.sources = [...f.sources];
  if (f.statuses.length > 0) out.statuses = [...f.statuses];
  if (opts.withSla && f.sla.length > 0) out.sla = [...f.sla];
  const q = normalizeSearch(f.q);
  if (q !== '') out.q = q;
  return out;
}

/**
 * What the search box sends. A chip-ID QR scan arrives as typed text
 * `ID|old CMND|name|dob|sex|address|issue date`: search by the ID number only.
 */
export function normalizeSearch(raw: string): string {
  let q = raw.trim();
  if (q.includes('|')) {
    const first = q.split('|')[0]?.trim() ?? '';
    if (/^\d{9,12}$/.test(first)) q = first;
  }
  return q.slice(0, 200);
}

export function hasActiveFilters(f: QueueFilterState): boolean {
  return f.sources.length > 0 || f.statuses.length > 0 || f.sla.length > 0 || f.includeClosed || f.q.trim() !== '';
}

export function toggleIn<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
