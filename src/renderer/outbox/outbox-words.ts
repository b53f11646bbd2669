/**
 * Outbox entries in words: the action's name and particulars, the state, and why it stopped —
 * the backend's own message verbatim, or plain Vietnamese for transport failures. Pure.
 */
import { BACKEND_ERROR_CODES, type BackendErrorCode, type OutboxEntry, type OutboxState } from '../../shared/api';
import type { ItemAction, ItemActionKind } from '../../shared/actions';
import { formatDate, formatDateTime, formatMoney } from '../format/date.format';
import type { Translate } from '../format/translate';
import { actionNameKey } from '../actions/action-catalog';

type Lang = 'vi' | 'en';

export function actionLabel(t: Translate, kind: ItemActionKind): string {
  return t(actionNameKey(kind), { defaultValue: kind });
}

/** The action's name with what it does when the kind alone does not say (mail flags, reply or forward). */
export function actionTitle(t: Translate, action: ItemAction): string {
  switch (action.kind) {
    case 'mail.markSeen':
      return action.seen ? t('mail.actions.markSeen') : t('mail.actions.markUnseen');
    case 'mail.flag':
      return action.flagged ? t('mail.actions.flag') : t('mail.actions.unflag');
    case 'mail.send':
      return t(`mail.sendMode.${action.mode}`);
    case 'dossier.register':
      return t('citizen.register.actionName');
    default:
      return actionLabel(t, action.kind);
  }
}

export function outboxStateLabel(t: Translate, state: OutboxState): string {
  return t(`outboxState.${state}`, { defaultValue: state });
}

function nameOf(username: string, officials: ReadonlyArray<{ username: string; fullName: string }>): string {
  return officials.find((o) => o.username === username)?.fullName ?? username;
}

/** The particulars of an action in one line ("→ Lê Thị Mai", "Lý do: …", "2 khoản, 50.000 ₫"). */
export function actionDetail(t: Translate, lang: Lang, action: ItemAction, officials: ReadonlyArray<{ username: string; fullName: string }>): string {
  switch (action.kind) {
    case 'dossier.forward':
      return t('outbox.detail.to', { name: nameOf(action.toUser, officials) });
    case 'dossier.refuse':
    case 'dossier.sendBack':
    case 'dossier.stop':
    case 'document.refuse':
      return t('outbox.detail.reason', { reason: action.reason });
    case 'dossier.requestSupplement':
      return t('outbox.detail.missing', { missing: action.missing });
    case 'dossier.requestFees': {
      const total = action.fees.reduce((s, f) => s + f.amount, 0);
      return t('outbox.detail.fees', { count: action.fees.length, total: formatMoney(lang, total) });
    }
    case 'dossier.recordResult':
      return t('outbox.detail.result', { name: action.resultName });
    case 'dossier.returnResult':
      return t(`returnMethod.${action.method}`);
    case 'dossier.apology':
      return t('outbox.detail.apology', { date: formatDateTime(lang, action.newAppointmentAt) });
    case 'dossier.register':
      return `${action.applicantName} · ${action.procedureCode}`;
    case 'document.register':
      return t('outbox.detail.register', { number: action.incomingNumber, date: formatDate(lang, action.incomingDate) });
    case 'document.assign':
      return t('outbox.detail.assign', { name: nameOf(action.lead, officials) });
    case 'document.reply':
      return action.subject;
    case 'mail.send': {
      const to = [...action.to, ...action.cc];
      const files = action.attachments.length;
      const parts = [action.subject === '' ? t('mail.noSubject') : action.subject, t('outbox.detail.mailTo', { to: to.length > 3 ? `${to.slice(0, 3).join(', ')}…` : to.join(', ') })];
      if (files > 0) parts.push(t('outbox.detail.mailFiles', { count: files }));
      return parts.join(' · ');
    }
    case 'mail.markSeen':
    case 'mail.flag':
      return '';
    default:
      return action.note ?? '';
  }
}

function isBackendErrorCode(code: string): code is BackendErrorCode {
  return (BACKEND_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Why the entry stopped, as the official should read it. Refusals (`rejected`, `not_found`) are the
 * backend's own words, verbatim; transport failures get the plain-language text with what to do.
 */
export function outboxErrorText(t: Translate, error: OutboxEntry['lastError']): { text: string; technical: string | null } | null {
  if (!error) return null;
  if (isBackendErrorCode(error.code)) {
    return { text: t(`backendError.${error.code}`, { defaultValue: t('backendError.unknown') }), technical: error.message || null };
  }
  if (error.code === 'conflict') return { text: error.message || t('outbox.conflictText'), technical: null };
  return { text: error.message, technical: null };
}

export type OutboxTone = 'gray' | 'blue' | 'green' | 'red' | 'orange';

export const OUTBOX_STATE_TONE: Readonly<Record<OutboxState, OutboxTone>> = {
  pending: 'gray',
  sending: 'blue',
  done: 'green',
  needs_attention: 'red',
  conflict: 'orange',
  discarded: 'gray',
};

export interface OutboxEntryWords {
  action: string;
  detail: string;
  state: string;
  tone: OutboxTone;
  error: { text: string; technical: string | null } | null;
}

export function outboxEntryWords(
  t: Translate,
  lang: Lang,
  entry: OutboxEntry,
  officials: ReadonlyArray<{ username: string; fullName: string }> = [],
): OutboxEntryWords {
  return {
    action: actionTitle(t, entry.action),
    detail: actionDetail(t, lang, entry.action, officials),
    state: outboxStateLabel(t, entry.state),
    tone: OUTBOX_STATE_TONE[entry.state],
    error: outboxErrorText(t, entry.lastError),
  };
}

type Counts = Partial<Record<OutboxState, number>>;

/** Entries waiting to go out (offline banner). */
export function waitingCount(counts: Counts): number {
  return (counts.pending ?? 0) + (counts.sending ?? 0);
}

/** The top-bar badge: what is not yet through, plus what needs the official. */
export function openCount(counts: Counts): number {
  return waitingCount(counts) + (counts.needs_attention ?? 0) + (counts.conflict ?? 0);
}

/** States that still need something (from the system or from the official). */
export function isOpenState(state: OutboxState): boolean {
  return state !== 'done' && state !== 'discarded';
}

const STATE_RANK: Readonly<Record<OutboxState, number>> = {
  conflict: 0,
  needs_attention: 1,
  sending: 2,
  pending: 3,
  done: 4,
  discarded: 5,
};

/** Panel order: what needs the official first, then what is in flight, then history (newest first). */
export function sortOutbox(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return [...entries].sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || b.updatedAt - a.updatedAt);
}
