/** One row of the queue (two lines, fixed height so the virtual list never measures). */
import { Badge } from '@radix-ui/themes';
import { memo, type ReactElement } from 'react';
import type { WorkItem } from '../../shared/work-item';
import { formatCountdown } from '../format/countdown.format';
import { formatShortDateTime, formatDateTime } from '../format/date.format';
import { isUrgent, priorityLabel, sourceLabel, statusLabel } from '../format/labels.format';
import { ClockIcon, SourceIcon } from './icons.view';
import { useTr } from '../i18n.hooks';
import { useOutsideAuthority } from '../state/authority.store';
import { useRowPrivacy } from '../citizen/privacy.store';

export const ROW_HEIGHT = 50;

const URGENCY_COLOR = { 1: 'orange', 2: 'red', 3: 'red', 4: 'crimson' } as const;

export function rowDomId(index: number): string {
  return `queue-row-${index}`;
}

interface QueueRowProps {
  item: WorkItem | undefined;
  index: number;
  start: number;
  selected: boolean;
  setSize: number;
  now: number;
  onPick: (index: number, open: boolean) => void;
}

export const QueueRow = memo(function QueueRow({ item, index, start, selected, setSize, now, onPick }: QueueRowProps): ReactElement {
  const { t, lang } = useTr();
  // Issue #5: assigned outside the authority matrix (one Map lookup; the matrix is loaded once).
  const outsideAuthority = useOutsideAuthority(item);
  // Issue #6 privacy mode: other citizens' names/ID numbers masked while a visitor can see the screen.
  const privacy = useRowPrivacy();
  const style = { transform: `translateY(${start}px)` };

  if (!item) {
    return (
      <div
        id={rowDomId(index)}
        role="option"
        aria-selected={selected}
        aria-posinset={index + 1}
        aria-setsize={setSize}
        aria-busy="true"
        className={`queue-row queue-row--placeholder${selected ? ' is-selected' : ''}`}
        data-testid="queue-row-placeholder"
        style={style}
        onClick={() => onPick(index, false)}
      >
        <span className="queue-row__skeleton" />
        <span className="queue-row__skeleton queue-row__skeleton--short" />
        <span className="visually-hidden">{t('queue.loadingRow')}</span>
      </div>
    );
  }

  const countdown = formatCountdown(t, item.remainingWorkingMinutes, item.sla);
  const status = statusLabel(t, item.source, item.status);
  const urgent = isUrgent(item.urgency);
  const due = item.dueAt !== null ? t('queue.due', { date: formatShortDateTime(lang, item.dueAt, now) }) : t('queue.noDue');

  return (
    <div
      id={rowDomId(index)}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      className={`queue-row sla-${item.sla}${selected ? ' is-selected' : ''}`}
      style={style}
      data-testid="queue-row"
      data-item-id={item.id}
      data-source={item.source}
      data-sla={item.sla}
      data-status={item.status}
      data-pending={item.pendingActions}
      data-attention={item.attention}
      data-due-at={item.dueAt ?? ''}
      data-index={index}
      onClick={() => onPick(index, false)}
      onDoubleClick={() => onPick(index, true)}
    >
      <div className="queue-row__line1">
        <span className={`queue-row__source source-${item.source}`} title={sourceLabel(t, item.source)}>
          <SourceIcon source={item.source} size={14} />
          <span className="queue-row__source-text">{t(`sourceShort.${item.source}`)}</span>
        </span>
        <span className="queue-row__ref">{item.ref}</span>
        {urgent ? (
          <Badge size="1" variant={item.urgency >= 3 ? 'solid' : 'soft'} color={URGENCY_COLOR[item.urgency as 1 | 2 | 3 | 4]} className="queue-row__urgency">
            {priorityLabel(t, item.urgency)}
          </Badge>
        ) : null}
        <span className={`queue-row__status status-${item.source}-${item.status}`}>{status}</span>
        {item.pendingActions > 0 ? (
          <span className="queue-row__pending" data-testid="row-pending" title={t('marks.pendingHint')}>
            <ClockIcon size={12} />
            {t('marks.pending')}
          </span>
        ) : null}
        {item.attention !== 'none' ? (
          <Badge size="1" variant="solid" color={item.attention === 'conflict' ? 'orange' : 'red'} className="queue-row__attention" data-testid="row-attention" data-attention={item.attention}>
            {t(`marks.${item.attention}`)}
          </Badge>
        ) : null}
        {outsideAuthority ? (
          <span className="queue-row__authority" data-testid="row-outside-authority" title={t('dashboard.queueMarkHint')}>
            {t('dashboard.queueMark')}
          </span>
        ) : null}
        <span className={`queue-row__countdown tone-${countdown.tone}`} title={t('queue.workingTimeHint')}>
          {countdown.text}
        </span>
      </div>
      <div className="queue-row__line2">
        <span className="queue-row__title" title={privacy.title(item.title, item.party, item.source)}>
          {privacy.title(item.title, item.party, item.source)}
        </span>
        {item.party ? <span className="queue-row__party">{privacy.party(item.party, item.source)}</span> : null}
        <span className="queue-row__due" title={item.dueAt !== null ? formatDateTime(lang, item.dueAt) : undefined}>
          {due}
        </span>
      </div>
    </div>
  );
});
