/** Content of the right-hand pane for the selected item (loaded lazily, after the first paint). */
import { Badge, Button, Callout, Flex, Heading, Kbd, Spinner, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { OutboxEntry } from '../../shared/api';
import { formatCountdown } from '../format/countdown.format';
import { formatDateTime } from '../format/date.format';
import { isUrgent, priorityLabel, slaLabel, sourceLabel, statusLabel } from '../format/labels.format';
import { errorMessage, isNotFound } from '../state/error-message';
import type { DetailState } from '../state/live.hooks';
import { isOpenState } from '../outbox/outbox-words';
import { ActionBar, type ActionBarProps } from './action-bar.view';
import { DocumentDetailView } from './document-detail.view';
import { DossierDetailView } from './dossier-detail.view';
import { ItemLinks } from './item-links.view';
import { effectiveFlagged } from '../mail/mail-flags';
import { MailDetailView } from './mail-detail.view';
import { ClockIcon, SourceIcon, WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';
import { useRowPrivacy } from '../citizen/privacy.store';

/** What the action bar needs besides the item (from the workstation). */
export type DetailActionProps = Omit<ActionBarProps, 'item' | 'detail' | 'entries'> & { outboxEntries: readonly OutboxEntry[] };

interface DetailContentProps {
  detail: DetailState;
  onBack: () => void;
  actions: DetailActionProps;
  /** Open another item (a linked dossier, document or mail) in this pane. */
  onOpenItem: (id: string) => void;
  /** The item opened before this one through a link, to go back to. */
  previous: { id: string; ref: string } | null;
  onGoBack: () => void;
  /** Links changed: read the item again. */
  onReload: () => void;
}

export function DetailContent({ detail, onBack, actions, onOpenItem, previous, onGoBack, onReload }: DetailContentProps): ReactElement {
  const { t, lang } = useTr();
  // Privacy mode (issue #6): another citizen's name and numbers masked in the title too.
  const rowPrivacy = useRowPrivacy();

  if (detail.state === 'idle') {
    return (
      <Flex direction="column" align="center" justify="center" gap="2" className="detail-empty">
        <Text size="2" color="gray">
          {t('detail.empty')}
        </Text>
        <Text size="1" color="gray">
          {t('detail.emptyHint')}
        </Text>
      </Flex>
    );
  }
  if (detail.state === 'loading') {
    return (
      <Flex align="center" justify="center" gap="2" className="detail-empty" role="status">
        <Spinner />
        <Text size="2" color="gray">
          {t('detail.loading')}
        </Text>
      </Flex>
    );
  }
  if (detail.state === 'error') {
    return (
      <Flex direction="column" gap="3" p="3">
        <Callout.Root color={isNotFound(detail.error) ? 'gray' : 'red'} role="alert">
          <Callout.Icon>
            <WarningIcon />
          </Callout.Icon>
          <Callout.Text>{isNotFound(detail.error) ? t('detail.notFound') : t('detail.error', { message: errorMessage(detail.error) })}</Callout.Text>
        </Callout.Root>
      </Flex>
    );
  }

  const { item, detail: d, links } = detail.data;
  const { outboxEntries, ...barProps } = actions;
  const itemEntries = outboxEntries.filter((e) => e.itemId === item.id && isOpenState(e.state));
  const countdown = formatCountdown(t, item.remainingWorkingMinutes, item.sla);
  return (
    <article className="detail-article" aria-busy={detail.refreshing} data-item-id={item.id} data-source={item.source}>
      <header className="detail-header">
        {previous !== null ? (
          <Button size="1" variant="ghost" onClick={onGoBack} className="detail-previous" data-testid="detail-previous">
            {t('links.backTo', { ref: previous.ref })}
          </Button>
        ) : null}
        <Flex align="center" gap="2">
          <span className={`detail-source source-${item.source}`}>
            <SourceIcon source={item.source} size={14} />
            {sourceLabel(t, item.source)}
          </span>
          <Text size="2" weight="bold" className="mono detail-ref">
            {item.ref}
          </Text>
          {isUrgent(item.urgency) ? (
            <Badge color={item.urgency === 1 ? 'orange' : 'red'} variant={item.urgency >= 3 ? 'solid' : 'soft'}>
              {priorityLabel(t, item.urgency)}
            </Badge>
          ) : null}
          <Button size="1" variant="ghost" color="gray" onClick={onBack} className="detail-back" title={t('detail.backToList')} aria-label={t('detail.backToList')}>
            ← <Kbd size="1">Esc</Kbd>
          </Button>
        </Flex>
        <Heading as="h2" size="3" className="detail-title" id="detail-title">
          {rowPrivacy.title(item.title, item.party, item.source)}
        </Heading>
        {item.kind ? (
          <Text as="div" size="1" color="gray">
            {item.kind}
          </Text>
        ) : null}
        <Flex gap="2" align="center" wrap="wrap" mt="1">
          <Badge size="2" variant="soft" color="indigo" data-testid="detail-status">
            {statusLabel(t, item.source, item.status)}
          </Badge>
          <span className={`sla-pill sla-${item.sla}`} title={slaLabel(t, item.sla)}>
            <span className={`sla-dot sla-dot--${item.sla}`} aria-hidden="true" />
            {slaLabel(t, item.sla)}
            {item.remainingWorkingMinutes !== null ? ` · ${countdown.text}` : null}
          </span>
          {item.dueAt !== null ? (
            <Text size="1" color="gray">
              {t('queue.due', { date: formatDateTime(lang, item.dueAt) })}
            </Text>
          ) : null}
        </Flex>
        {item.pendingActions > 0 || item.attention !== 'none' ? (
          <Flex gap="2" align="center" wrap="wrap" mt="1">
            {item.pendingActions > 0 ? (
              <span className="pending-mark" data-testid="detail-pending" title={t('marks.pendingHint')}>
                <ClockIcon size={13} />
                {t('marks.pending')}
                {item.pendingActions > 1 ? ` (${item.pendingActions})` : ''}
              </span>
            ) : null}
            {item.attention !== 'none' ? (
              <Badge size="1" color={item.attention === 'conflict' ? 'orange' : 'red'} variant="solid" data-testid="detail-attention" data-attention={item.attention}>
                {t(`marks.${item.attention}`)}
              </Badge>
            ) : null}
          </Flex>
        ) : null}
        {item.assigneeName ? (
          <Text as="div" size="1" color="gray" mt="1">
            {t('queue.assignee', { name: item.assigneeName })}
          </Text>
        ) : null}
      </header>
      <ActionBar key={item.id} item={item} detail={d} {...barProps} entries={itemEntries} />
      <div className="detail-sections">
        {d.source === 'procedure' ? (
          <DossierDetailView d={d} />
        ) : d.source === 'document' ? (
          <DocumentDetailView d={d} dueAt={item.dueAt} />
        ) : (
          <MailDetailView item={item} d={d} flagged={effectiveFlagged(d, itemEntries)} />
        )}
        <ItemLinks key={`links-${item.id}`} item={item} links={links} onOpenItem={onOpenItem} onChanged={onReload} />
      </div>
    </article>
  );
}
