/** A mail's flags as the official last asked for them (queued actions win over the cache). Pure. */
import type { OutboxEntry } from '../../shared/api';
import type { MailDetail } from '../../shared/work-item';

/** The latest queued mail.flag decides; without one, the cached \Flagged. */
export function effectiveFlagged(detail: Pick<MailDetail, 'flagged'>, entries: readonly Pick<OutboxEntry, 'action' | 'createdAt'>[]): boolean {
  let latest: { at: number; flagged: boolean } | null = null;
  for (const e of entries) {
    if (e.action.kind !== 'mail.flag') continue;
    if (!latest || e.createdAt >= latest.at) latest = { at: e.createdAt, flagged: e.action.flagged };
  }
  return latest ? latest.flagged : detail.flagged;
}
