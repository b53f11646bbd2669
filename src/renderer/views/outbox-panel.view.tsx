/**
 * The outbox ("Hộp thao tác"): every action waiting to go out, in flight, refused or in conflict,
 * then the recent history. Refusals show the backend's own message; transport failures the plain
 * explanation. A conflict shows the item as the official saw it next to the backend's current one.
 * Live: the workstation feeds it from `outbox.changed` events. A plain panel, not a modal dialog.
 */
import { Badge, Button, Callout, Flex, Heading, Kbd, Text } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import type { OutboxEntry, Session } from '../../shared/api';
import type { WorkItem } from '../../shared/work-item';
import { formatDateTime, formatNumber } from '../format/date.format';
import { statusLabel } from '../format/labels.format';
import { isOpenState, openCount, outboxEntryWords, sortOutbox } from '../outbox/outbox-words';
import type { OutboxView } from '../state/outbox.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

interface OutboxPanelProps {
  outbox: OutboxView;
  session: Session;
  onClose: () => void;
  onNotice: (text: string, tone: 'info' | 'error') => void;
}

function ConflictView({ base, current }: { base: WorkItem; current: WorkItem }): ReactElement {
  const { t, lang } = useTr();
  const rows: Array<{ label: string; a: string; b: string }> = [
    { label: t('outbox.conflict.status'), a: statusLabel(t, base.source, base.status), b: statusLabel(t, current.source, current.status) },
    { label: t('outbox.conflict.handler'), a: base.assigneeName ?? base.assignee ?? t('detail.none'), b: current.assigneeName ?? current.assignee ?? t('detail.none') },
    { label: t('outbox.conflict.updatedAt'), a: formatDateTime(lang, base.updatedAt), b: formatDateTime(lang, current.updatedAt) },
    { label: t('outbox.conflict.due'), a: base.dueAt !== null ? formatDateTime(lang, base.dueAt) : t('detail.none'), b: current.dueAt !== null ? formatDateTime(lang, current.dueAt) : t('detail.none') },
  ];
  return (
    <table className="data-table conflict-view" data-testid="conflict-view">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">{t('outbox.conflict.field')}</span>
          </th>
          <th scope="col" data-testid="conflict-base">
            {t('outbox.conflict.base')}
          </th>
          <th scope="col" data-testid="conflict-current">
            {t('outbox.conflict.current')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} className={r.a !== r.b ? 'is-changed' : undefined}>
            <th scope="row">{r.label}</th>
            <td>{r.a}</td>
            <td>{r.b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EntryCard({ entry, session, onNotice, onChanged }: { entry: OutboxEntry; session: Session; onNotice: OutboxPanelProps['onNotice']; onChanged: (e: OutboxEntry) => void }): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const w = outboxEntryWords(t, lang, entry, session.officials);

  const run = (call: () => Promise<OutboxEntry>, done: string): void => {
    setBusy(true);
    call().then(
      (updated) => {
        setBusy(false);
        onChanged(updated);
        onNotice(done, 'info');
      },
      (error: unknown) => {
        setBusy(false);
        onNotice(t('outbox.failed', { message: errorMessage(error) }), 'error');
      },
    );
  };

  return (
    <li className={`outbox-entry outbox-entry--${entry.state}`} data-testid="outbox-entry" data-id={entry.id} data-item-id={entry.itemId} data-state={entry.state} data-kind={entry.action.kind}>
      <Flex align="center" gap="2" wrap="wrap">
        <Badge size="1" color={w.tone} variant={entry.state === 'conflict' || entry.state === 'needs_attention' ? 'solid' : 'soft'} data-testid="outbox-state">
          {w.state}
        </Badge>
        <Text size="2" weight="bold">
          {w.action}
        </Text>
        <Text size="1" className="mono outbox-entry__ref">
          {entry.itemRef}
        </Text>
      </Flex>
      <Text as="div" size="1" className="outbox-entry__title" title={entry.itemTitle}>
        {entry.itemTitle}
      </Text>
      {w.detail ? (
        <Text as="div" size="1" color="gray" className="outbox-entry__detail">
          {w.detail}
        </Text>
      ) : null}
      <Text as="div" size="1" color="gray" className="tabular">
        {t('outbox.createdAt', { time: formatDateTime(lang, entry.createdAt) })}
        {' · '}
        {t('outbox.attempts', { count: entry.attempts })}
        {entry.nextAttemptAt !== null && isOpenState(entry.state) ? ` · ${t('outbox.nextAttempt', { time: formatDateTime(lang, entry.nextAttemptAt) })}` : ''}
      </Text>
      {w.error ? (
        <div className="outbox-entry__error" role={entry.state === 'needs_attention' ? 'alert' : undefined} data-testid="outbox-error">
          <Text as="div" size="1" color={entry.state === 'conflict' ? 'orange' : 'red'} weight="medium">
            {w.error.text}
          </Text>
          {w.error.technical ? (
            <Text as="div" size="1" color="gray" className="mono-wrap">
              {t('backend.technical')}: [{entry.lastError?.code}] {w.error.technical}
            </Text>
          ) : null}
        </div>
      ) : null}
      {entry.state === 'conflict' && entry.conflict ? <ConflictView base={entry.conflict.base} current={entry.conflict.current} /> : null}
      {entry.state === 'conflict' ? (
        <Flex gap="2" mt="1">
          <Button
            size="1"
            disabled={busy}
            data-testid="conflict-apply"
            onClick={() => run(() => api.call('outbox.resolveConflict', { id: entry.id, resolution: 'apply_anyway' }), t('outbox.appliedAnyway'))}
          >
            {t('outbox.conflict.apply')}
          </Button>
          <Button
            size="1"
            variant="soft"
            color="gray"
            disabled={busy}
            data-testid="conflict-discard"
            onClick={() => run(() => api.call('outbox.resolveConflict', { id: entry.id, resolution: 'discard' }), t('outbox.discarded'))}
          >
            {t('outbox.conflict.discard')}
          </Button>
        </Flex>
      ) : entry.state === 'needs_attention' || entry.state === 'pending' ? (
        <Flex gap="2" mt="1">
          <Button size="1" variant={entry.state === 'needs_attention' ? 'solid' : 'soft'} disabled={busy} data-testid="outbox-retry" onClick={() => run(() => api.call('outbox.retry', { id: entry.id }), t('outbox.retried'))}>
            {entry.state === 'pending' ? t('outbox.sendNow') : t('outbox.retry')}
          </Button>
          <Button size="1" variant="soft" color="red" disabled={busy} data-testid="outbox-discard" onClick={() => run(() => api.call('outbox.discard', { id: entry.id }), t('outbox.discarded'))}>
            {t('outbox.discard')}
          </Button>
        </Flex>
      ) : null}
    </li>
  );
}

export function OutboxPanel({ outbox, session, onClose, onNotice }: OutboxPanelProps): ReactElement {
  const { t, lang } = useTr();
  const [showHistory, setShowHistory] = useState(false);
  const sorted = sortOutbox(outbox.entries);
  const open = sorted.filter((e) => isOpenState(e.state));
  const history = sorted.filter((e) => !isOpenState(e.state));
  const count = openCount(outbox.counts);

  return (
    <div className="side-panel" data-testid="outbox-panel" aria-labelledby="outbox-title">
      <header className="side-panel__header">
        <Heading as="h2" size="3" id="outbox-title">
          {t('outbox.title')}
        </Heading>
        <Badge size="1" color={count > 0 ? 'orange' : 'gray'} variant="soft" data-testid="outbox-panel-count">
          {formatNumber(lang, count)}
        </Badge>
        <Button size="1" variant="ghost" color="gray" onClick={onClose} className="side-panel__close" data-testid="panel-close" aria-label={t('panel.close')}>
          {t('panel.close')} <Kbd size="1">Esc</Kbd>
        </Button>
      </header>
      <Text as="p" size="1" color="gray" className="side-panel__intro">
        {t('outbox.intro')}
      </Text>
      {outbox.error && !outbox.loaded ? (
        <Callout.Root color="red" size="1" role="alert" m="3">
          <Callout.Icon>
            <WarningIcon />
          </Callout.Icon>
          <Callout.Text>{t('outbox.loadFailed', { message: errorMessage(outbox.error) })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {open.length === 0 ? (
        <Text as="div" size="2" color="gray" className="side-panel__empty" data-testid="outbox-empty">
          {outbox.loaded ? t('outbox.empty') : t('outbox.loading')}
        </Text>
      ) : (
        <ul className="outbox-list">
          {open.map((e) => (
            <EntryCard key={e.id} entry={e} session={session} onNotice={onNotice} onChanged={outbox.apply} />
          ))}
        </ul>
      )}
      {history.length > 0 ? (
        <section className="outbox-history">
          <Button size="1" variant="ghost" color="gray" aria-expanded={showHistory} onClick={() => setShowHistory((v) => !v)} data-testid="outbox-history-toggle">
            {showHistory ? t('outbox.hideHistory') : t('outbox.showHistory', { count: history.length })}
          </Button>
          {showHistory ? (
            <ul className="outbox-list outbox-list--history">
              {history.slice(0, 50).map((e) => (
                <EntryCard key={e.id} entry={e} session={session} onNotice={onNotice} onChanged={outbox.apply} />
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
