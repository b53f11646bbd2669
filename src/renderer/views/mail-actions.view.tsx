/**
 * The action bar of a mail: reply, reply all, forward (they open the compose form), mark read or
 * unread and flag or unflag (queued through the outbox like every action: optimistic, with the
 * pending mark until the mail server confirms). Opening a mail never marks it read: unread mail is
 * work in the queue until the official says otherwise. Keys: r, R, f, u, s, or `a` then 1…5.
 */
import { Button, Flex, Kbd, Text } from '@radix-ui/themes';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { OutboxEntry, Session } from '../../shared/api';
import type { MailAction } from '../../shared/actions';
import type { MailDetail, WorkItem } from '../../shared/work-item';
import { isMailCommand, MAIL_COMMAND_KEYS, mailCommandsFor, type MailCommand } from '../actions/action-catalog';
import { effectiveFlagged } from '../mail/mail-flags';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import type { ActionRequest } from './action-bar.view';
import { ActionMenu } from './action-menu.view';
import { useTr } from '../i18n.hooks';

/** Ask the workstation to open the compose form for a reply or forward of this mail. */
export interface ComposeRequest {
  mode: 'new' | 'reply' | 'replyAll' | 'forward';
  item: WorkItem | null;
  detail: MailDetail | null;
  /** The mail account to send from. */
  backendId: string;
}

interface MailActionBarProps {
  item: WorkItem;
  detail: MailDetail;
  session: Session;
  request: ActionRequest | null;
  onRequestHandled: (nonce: number) => void;
  onSubmitted: (entry: OutboxEntry) => void;
  onCompose: (request: ComposeRequest) => void;
  /** Open outbox entries of this item (the latest flag action decides what the button shows). */
  entries: readonly OutboxEntry[];
}

export function MailActionBar({ item, detail, session, request, onRequestHandled, onSubmitted, onCompose, entries }: MailActionBarProps): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const commands = mailCommandsFor(item.status);
  const [menuOpen, setMenuOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seen = item.status === 'seen';
  const flagged = effectiveFlagged(detail, entries);
  const canSend = session.mailAccounts.some((a) => a.backendId === item.backendId);

  const submit = (action: MailAction): void => {
    if (busy) return;
    setBusy(true);
    setError(null);
    api.call('action.submit', { itemId: item.id, action, baseUpdatedAt: item.updatedAt }).then(
      (entry) => {
        setBusy(false);
        onSubmitted(entry);
      },
      (err: unknown) => {
        setBusy(false);
        setError(t('mail.actions.failed', { message: errorMessage(err) }));
      },
    );
  };

  const run = (command: MailCommand): void => {
    if (!commands.includes(command)) return;
    switch (command) {
      case 'mail.toggleSeen':
        submit({ kind: 'mail.markSeen', seen: !seen });
        return;
      case 'mail.toggleFlag':
        submit({ kind: 'mail.flag', flagged: !flagged });
        return;
      default: {
        if (!canSend) {
          setError(t('mail.actions.noAccount'));
          return;
        }
        const mode = command === 'mail.reply' ? 'reply' : command === 'mail.replyAll' ? 'replyAll' : 'forward';
        onCompose({ mode, item, detail, backendId: item.backendId });
      }
    }
  };
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });

  // Requests from the keyboard map and the palette.
  useEffect(() => {
    if (!request || request.itemId !== item.id) return;
    onRequestHandled(request.nonce);
    if (request.kind === 'menu') setMenuOpen(true);
    else if (isMailCommand(request.kind)) runRef.current(request.kind);
  }, [request, item.id, onRequestHandled]);

  const label = (command: MailCommand): string => {
    if (command === 'mail.toggleSeen') return seen ? t('mail.actions.markUnseen') : t('mail.actions.markSeen');
    if (command === 'mail.toggleFlag') return flagged ? t('mail.actions.unflag') : t('mail.actions.flag');
    return t(`mail.actions.${command.slice('mail.'.length)}`);
  };

  return (
    <div className="mail-actions" data-testid="mail-actions" data-seen={seen ? 'true' : 'false'} data-flagged={flagged ? 'true' : 'false'}>
      <Flex gap="1" align="center" wrap="wrap">
        <ActionMenu entries={commands} label={label} open={menuOpen} onOpenChange={setMenuOpen} onPick={run} />
        {commands.map((command) => (
          <Button
            key={command}
            size="1"
            variant="soft"
            color={command === 'mail.toggleFlag' && flagged ? 'orange' : 'gray'}
            highContrast={!(command === 'mail.toggleFlag' && flagged)}
            data-testid="mail-command"
            data-kind={command}
            disabled={busy && (command === 'mail.toggleSeen' || command === 'mail.toggleFlag')}
            aria-pressed={command === 'mail.toggleFlag' ? flagged : command === 'mail.toggleSeen' ? seen : undefined}
            aria-keyshortcuts={MAIL_COMMAND_KEYS[command] === 'R' ? 'Shift+R' : MAIL_COMMAND_KEYS[command]}
            title={`${label(command)} (${MAIL_COMMAND_KEYS[command] === 'R' ? 'Shift+R' : MAIL_COMMAND_KEYS[command]})`}
            onClick={() => run(command)}
          >
            {label(command)}
            <Kbd size="1">{MAIL_COMMAND_KEYS[command]}</Kbd>
          </Button>
        ))}
        {commands.length === 0 ? (
          <Text size="1" color="gray">
            {t('actionBar.none')}
          </Text>
        ) : null}
      </Flex>
      {!canSend && commands.length > 0 ? (
        <Text as="div" size="1" color="gray" mt="1">
          {t('mail.actions.noAccount')}
        </Text>
      ) : null}
      {error ? (
        <Text as="div" size="1" color="red" role="alert" mt="1" data-testid="mail-actions-error">
          {error}
        </Text>
      ) : null}
    </div>
  );
}
