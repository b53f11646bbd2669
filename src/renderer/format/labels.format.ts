/**
 * Translation keys for codes: statuses, priorities, SLA states, sources, backend states and errors.
 * The words live in locales/*.json; these helpers only build keys and fall back to the raw code.
 */
import type { BackendErrorCode } from '../../shared/api';
import type { SlaState, Source } from '../../shared/domain';
import type { Translate } from './translate';

export function statusKey(source: Source, status: string): string {
  return `status.${source}.${status}`;
}

/** Status in words; an unknown code shows as itself rather than as a key. */
export function statusLabel(t: Translate, source: Source, status: string): string {
  return t(statusKey(source, status), { defaultValue: status });
}

export function priorityLabel(t: Translate, urgency: number): string {
  return t(`priority.${urgency}`, { defaultValue: String(urgency) });
}

export function slaLabel(t: Translate, sla: SlaState): string {
  return t(`sla.${sla}`);
}

export function sourceLabel(t: Translate, source: Source): string {
  return t(`source.${source}`);
}

export function backendStateLabel(t: Translate, state: string): string {
  return t(`backendState.${state}`, { defaultValue: state });
}

/** Plain-language explanation of a backend failure, with what to do. */
export function backendErrorLabel(t: Translate, code: BackendErrorCode): string {
  return t(`backendError.${code}`, { defaultValue: t('backendError.unknown') });
}

/** Khẩn and above get a badge in the queue. */
export function isUrgent(urgency: number): boolean {
  return urgency >= 1;
}
