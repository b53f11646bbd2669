/**
 * The action bar of the detail pane: the actions legal for the item's current (possibly optimistic)
 * status, a keyboard menu (`a`, then 1…9) and the open action's form. Open outbox entries of the
 * item are listed under it, with what went wrong in the backend's own words.
 */
import { Badge, Button, Flex, Text } from '@radix-ui/themes';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { OutboxEntry, Session } from '../../shared/api';
import type { ItemActionKind } from '../../shared/actions';
import type { ItemDetail, WorkItem } from '../../shared/work-item';
import { isDestructive, legalActions, type MailCommand } from '../actions/action-catalog';
import { actionLabel, outboxEntryWords } from '../outbox/outbox-words';
import { ActionForm } from './action-form.view';
import { MailActionBar, type ComposeRequest } from './mail-actions.view';
import { ActionMenu } from './action-menu.view';
import { useTr } from '../i18n.hooks';

/** A request from outside the pane (the `a` key, the palette) to open the menu or one action. */
export interface ActionRequest {
  itemId: string;
  kind: ItemActionKind | MailCommand | 'menu';
  nonce: number;
}

export interface ActionBarProps {
  item: WorkItem;
  detail: ItemDetail;
  session: Session;
  clockOffset: number;
  request: ActionRequest | null;
  onRequestHandled: (nonce: number) => void;
  onSubmitted: (entry: OutboxEntry) => void;
  onOpenOutbox: () => void;
  /** Open the compose form (reply, reply all, forward of a mail). */
  onCompose: (request: ComposeRequest) => void;
  /** Outbox entries of this item that are not finished. */
  entries: readonly OutboxEntry[];
}

export function ActionBar(props: ActionBarProps): ReactElement {
  if (props.item.source === 'mail' && props.detail.source === 'mail') {
    return (
      <div className="action-bar" data-testid="action-bar" data-for-item={props.item.id}>
        <MailActionBar
          item={props.item}
          detail={props.detail}
          session={props.session}
          request={props.request}
          onRequestHandled={props.onRequestHandled}
          onSubmitted={props.onSubmitted}
          onCompose={props.onCompose}
          entries={props.entries}
        />
        <ItemOutboxEntries entries={props.entries} session={props.session} onOpenOutbox={props.onOpenOutbox} />
      </div>
    );
  }
  return <ItemActionBar {...props} />;
}

function ItemOutboxEntries({ entries, session, onOpenOutbox }: { entries: readonly OutboxEntry[]; session: Session; onOpenOutbox: () => void }): ReactElement | null {
  const { t, lang } = useTr();
  if (entries.length === 0) return null;
  return (
    <ul className="action-bar__entries" data-testid="item-outbox">
      {entries.map((entry) => {
        const w = outboxEntryWords(t, lang, entry, session.officials);
        return (
          <li key={entry.id} data-testid="item-outbox-entry" data-state={entry.state} data-kind={entry.action.kind}>
            <Badge size="1" color={w.tone} variant="soft">
              {w.state}
            </Badge>
            <Text size="1" weight="medium">
              {w.action}
            </Text>
            {w.detail ? (
              <Text size="1" color="gray">
                {w.detail}
              </Text>
            ) : null}
            {w.error ? (
              <Text size="1" color={entry.state === 'conflict' ? 'orange' : 'red'} className="action-bar__error">
                {w.error.text}
              </Text>
            ) : null}
            {entry.state === 'needs_attention' || entry.state === 'conflict' ? (
              <Button size="1" variant="ghost" onClick={onOpenOutbox} data-testid="item-outbox-open">
                {t('actionBar.openOutbox')}
              </Button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

function ItemActionBar(props: ActionBarProps): ReactElement {
  const { t } = useTr();
  const { item, request, onRequestHandled } = props;
  const legal = legalActions(item);
  const [openKind, setOpenKind] = useState<ItemActionKind | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement | null>(null);

  // Requests from the keyboard map and the palette.
  useEffect(() => {
    if (!request || request.itemId !== item.id) return;
    onRequestHandled(request.nonce);
    if (request.kind === 'menu') {
      setMenuOpen(true);
    } else {
      const match = legal.find((k) => k === request.kind);
      if (match) {
        setMenuOpen(false);
        setOpenKind(match);
      }
    }
    // `legal` follows item.status; the request is handled once (by nonce).
  }, [request, item.id, onRequestHandled]);

  // The status moved on (optimistic update, another official): an action no longer legal closes.
  const openStillLegal = openKind === null || legal.includes(openKind);
  useEffect(() => {
    if (!openStillLegal) setOpenKind(null);
  }, [openStillLegal]);

  const cancel = (): void => {
    setOpenKind(null);
    requestAnimationFrame(() => menuButton.current?.focus());
  };

  return (
    <div className="action-bar" data-testid="action-bar" data-for-item={item.id}>
      <Flex gap="1" align="center" wrap="wrap">
        <ActionMenu
          entries={legal}
          label={(kind) => actionLabel(t, kind)}
          destructive={isDestructive}
          open={menuOpen}
          onOpenChange={setMenuOpen}
          onPick={setOpenKind}
          buttonRef={menuButton}
        />
        {legal.map((kind) => (
          <Button
            key={kind}
            size="1"
            variant={openKind === kind ? 'solid' : 'soft'}
            color={isDestructive(kind) ? 'red' : 'gray'}
            highContrast={!isDestructive(kind)}
            data-testid="action-button"
            data-kind={kind}
            aria-pressed={openKind === kind}
            onClick={() => setOpenKind(openKind === kind ? null : kind)}
          >
            {actionLabel(t, kind)}
          </Button>
        ))}
        {legal.length === 0 ? (
          <Text size="1" color="gray">
            {t('actionBar.none')}
          </Text>
        ) : null}
      </Flex>

      <ItemOutboxEntries entries={props.entries} session={props.session} onOpenOutbox={props.onOpenOutbox} />

      {openKind !== null && openStillLegal ? (
        <ActionForm
          key={`${item.id}:${openKind}`}
          kind={openKind}
          item={item}
          detail={props.detail}
          session={props.session}
          clockOffset={props.clockOffset}
          onCancel={cancel}
          onSubmitted={(entry) => {
            setOpenKind(null);
            props.onSubmitted(entry);
          }}
        />
      ) : null}
    </div>
  );
}
