/**
 * One chip per backend: state colour and words, last sync time, a progress bar while syncing;
 * click (or Enter/Space) opens the details with the error explained in plain words.
 * Beside the chips, while the search index of a large first mail sync is written (issue #4, event
 * `mail.searchIndex`): "Đang lập chỉ mục tìm kiếm thư: còn 4.000 thư" (MailIndexHint).
 */
import { Badge, Box, Button, Flex, Popover, Progress, Separator, Spinner, Text } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import type { BackendStatus } from '../../shared/api';
import { formatDateTime, formatNumber, formatRelative, formatShortDateTime } from '../format/date.format';
import { backendErrorLabel, backendStateLabel } from '../format/labels.format';
import { MAIL_INDEX_IDLE, mailIndexWords, nextMailIndexState, type MailIndexState } from '../format/mail-index.format';
import { useCoreEvents, useOnReconnect } from '../state/live.hooks';
import { SourceIcon, SyncIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

type BadgeColor = 'green' | 'blue' | 'amber' | 'red' | 'gray';

const STATE_COLOR: Record<BackendStatus['state'], BadgeColor> = {
  connecting: 'amber',
  online: 'green',
  syncing: 'blue',
  offline: 'red',
  error: 'red',
};

export function BackendChip({ backend, now }: { backend: BackendStatus; now: number }): ReactElement {
  const { t, lang } = useTr();
  const color = STATE_COLOR[backend.state];
  const stateText = backendStateLabel(t, backend.state);
  const progress = backend.progress;
  const percent = progress && progress.total ? Math.min(100, Math.round((progress.done / Math.max(progress.total, 1)) * 100)) : null;
  const progressText = progress
    ? progress.total !== null
      ? t('backend.progress', { done: formatNumber(lang, progress.done), total: formatNumber(lang, progress.total) })
      : t('backend.progressUnknown', { done: formatNumber(lang, progress.done) })
    : null;
  const syncedText =
    backend.lastSyncAt !== null ? t('backend.syncedAt', { time: formatShortDateTime(lang, backend.lastSyncAt, now) }) : t('backend.neverSynced');
  const errorText = backend.lastError ? backendErrorLabel(t, backend.lastError.code) : null;
  const hover = [backend.label, stateText, syncedText, errorText].filter(Boolean).join(' — ');

  return (
    <Popover.Root>
      <Popover.Trigger>
        <Button
          variant="soft"
          color={color}
          size="1"
          className="backend-chip"
          data-testid={`backend-${backend.id}`}
          data-state={backend.state}
          title={hover}
          aria-label={t('backend.details', { label: backend.label }) + ': ' + hover}
        >
          <span className={`state-dot state-dot--${backend.state}`} aria-hidden="true" />
          <SourceIcon source={backend.kind} size={14} />
          <span className="backend-chip__label">{backend.label}</span>
          <span className="backend-chip__state">{stateText}</span>
          {progress ? (
            <span className="backend-chip__progress">
              <Progress size="1" value={percent ?? undefined} max={100} color="blue" aria-label={t('backend.progressLabel')} className="backend-chip__bar" />
              <span className="backend-chip__count">{progressText}</span>
            </span>
          ) : (
            // Compact on the chip (a sync mark and the time); the sentence is in its tooltip and name.
            <span className="backend-chip__time">
              {backend.lastSyncAt !== null ? (
                <>
                  <SyncIcon size={12} />
                  {formatShortDateTime(lang, backend.lastSyncAt, now)}
                </>
              ) : (
                syncedText
              )}
            </span>
          )}
        </Button>
      </Popover.Trigger>
      <Popover.Content size="1" maxWidth="380px" data-testid={`backend-${backend.id}-details`}>
        <Flex direction="column" gap="2">
          <Flex align="center" gap="2">
            <SourceIcon source={backend.kind} />
            <Text weight="bold" size="2">
              {backend.label}
            </Text>
            <Badge color={color} variant="soft">
              {stateText}
            </Badge>
            {backend.training ? (
              <Badge color="orange" variant="outline">
                {t('backend.training')}
              </Badge>
            ) : null}
          </Flex>
          <Text size="1" color="gray">
            {syncedText}
            {backend.lastSyncAt !== null ? ` (${formatRelative(lang, backend.lastSyncAt, now)})` : ''}
          </Text>
          {progress ? (
            <Box>
              <Progress value={percent ?? undefined} max={100} aria-label={t('backend.progressLabel')} />
              <Text size="1" color="gray">
                {t('backend.progressLabel')}: {progressText}
              </Text>
            </Box>
          ) : null}
          <Text size="1">{t('backend.items', { n: formatNumber(lang, backend.itemCount) })}</Text>
          {backend.quarantined > 0 ? (
            <Text size="1" color="amber">
              {t('backend.quarantined', { n: formatNumber(lang, backend.quarantined) })}
            </Text>
          ) : null}
          {backend.lastError ? (
            <>
              <Separator size="4" />
              <Text size="1" weight="bold" color="red">
                {t('backend.lastError', { time: formatDateTime(lang, backend.lastError.at) })}
              </Text>
              <Text size="2" role="alert">
                {errorText}
              </Text>
              <Text size="1" color="gray" className="mono-wrap">
                {t('backend.technical')}: [{backend.lastError.code}] {backend.lastError.message}
              </Text>
            </>
          ) : null}
          {backend.lastAttemptAt !== null ? (
            <Text size="1" color="gray">
              {t('backend.lastAttempt', { time: formatDateTime(lang, backend.lastAttemptAt) })}
            </Text>
          ) : null}
        </Flex>
      </Popover.Content>
    </Popover.Root>
  );
}

/**
 * Mail not yet findable by search (issue #4 backfill). The live region (polite) is always mounted;
 * it speaks a steady sentence when indexing starts and when it ends, not every count (the count is
 * shown, updated at most ~4 times a second). Before any report, and after a reconnect or a core
 * restart until the next one (≤ ~250 ms while a pass runs): nothing pending.
 */
export function MailIndexHint(): ReactElement {
  const { t, lang } = useTr();
  const [state, setState] = useState<MailIndexState>(MAIL_INDEX_IDLE);
  useCoreEvents((event) => {
    if (event.type === 'mail.searchIndex') setState((prev) => nextMailIndexState(prev, event.pending));
    else if (event.type === 'core.restart') setState(MAIL_INDEX_IDLE);
  });
  useOnReconnect(() => setState(MAIL_INDEX_IDLE));
  const words = mailIndexWords(t, lang, state);
  return (
    <Flex
      align="center"
      gap="1"
      flexShrink="1"
      minWidth="0"
      role="status"
      aria-live="polite"
      data-testid="mail-index-hint"
      data-pending={state.pending}
      title={words?.hint || undefined}
    >
      {words && state.pending > 0 ? (
        <>
          <Spinner size="1" aria-hidden="true" />
          <Text size="1" color="gray" truncate aria-hidden="true" data-testid="mail-index-hint-text">
            {words.text}
          </Text>
        </>
      ) : null}
      {words ? <span className="visually-hidden">{words.spoken}</span> : null}
    </Flex>
  );
}
