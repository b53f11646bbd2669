/**
 * Issue #4 progress, pure part: the top bar's hint while the search index of a large first mail sync
 * is written (event `mail.searchIndex`; shown by MailIndexHint in views/backend-chip.view.tsx).
 */
import { formatNumber } from './date.format';
import type { Translate } from './translate';

type Lang = Parameters<typeof formatNumber>[0];

/** What the mail search hint knows: mails not yet findable, and whether indexing just finished. */
export interface MailIndexState {
  pending: number;
  /** Went from some pending to none (said to screen readers once, nothing shown). */
  finished: boolean;
}

export const MAIL_INDEX_IDLE: MailIndexState = { pending: 0, finished: false };

/** The next state on a `mail.searchIndex` report. */
export function nextMailIndexState(prev: MailIndexState, pending: number): MailIndexState {
  return { pending, finished: pending === 0 && (prev.pending > 0 || prev.finished) };
}

/** The words of the hint: shown text and tooltip while pending, what screen readers hear. */
export function mailIndexWords(t: Translate, lang: Lang, state: MailIndexState): { text: string; hint: string; spoken: string } | null {
  if (state.pending > 0) {
    const n = formatNumber(lang, state.pending);
    return { text: t('mailIndex.pending', { n }), hint: t('mailIndex.pendingHint', { n }), spoken: t('mailIndex.pendingSpoken') };
  }
  return state.finished ? { text: '', hint: '', spoken: t('mailIndex.doneSpoken') } : null;
}
