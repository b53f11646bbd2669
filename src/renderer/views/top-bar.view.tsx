/**
 * Top bar: app name, office and signed-in official, backend chips, "Đồng bộ ngay",
 * language switch. The training stripe sits above it when the session is in training mode.
 */
import { Button, Flex, Kbd, Spinner, Text, Tooltip } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { BackendStatus, Session } from '../../shared/api';
import { formatNumber } from '../format/date.format';
import { BackendChip, MailIndexHint } from './backend-chip.view';
import { ClockIcon, EmblemIcon, MailIcon, SearchIcon, SyncIcon } from './icons.view';
import { useTr } from '../i18n.hooks';
import { TrainingRoleSwitch } from './training-role.view';

export function TrainingStripe(): ReactElement {
  const { t } = useTr();
  return (
    <div className="training-stripe" data-testid="training-label" role="note" title={t('app.trainingHint')}>
      <strong>{t('app.trainingLabel')}</strong>
      <span className="training-stripe__hint">{t('app.trainingHint')}</span>
    </div>
  );
}

interface TopBarProps {
  session: Session | null;
  backends: BackendStatus[];
  clockOffset: number;
  syncing: boolean;
  onSyncNow: () => void;
  onToggleLang: () => void;
  /** Outbox entries not yet through or needing the official. */
  outboxCount: number;
  outboxAttention: boolean;
  panel: 'outbox' | 'audit' | 'compose' | null;
  onTogglePanel: (panel: 'outbox' | 'audit') => void;
  onOpenPalette: () => void;
  /** A mail account can send: show "Soạn thư". */
  canCompose: boolean;
  /** A mail is being written (the button brings it back). */
  composing: boolean;
  onCompose: () => void;
}

export function TopBar({ session, backends, clockOffset, syncing, onSyncNow, onToggleLang, outboxCount, outboxAttention, panel, onTogglePanel, onOpenPalette, canCompose, composing, onCompose }: TopBarProps): ReactElement {
  const { t, lang } = useTr();
  const now = Date.now() + clockOffset;

  return (
    <header className="top-bar" role="banner">
      <Flex align="center" gap="2" className="top-bar__brand">
        <EmblemIcon size={26} />
        <Flex direction="column" className="top-bar__titles">
          <Text as="div" size="3" weight="bold" className="top-bar__app">
            {t('app.title')}
          </Text>
          <Text as="div" size="1" className="top-bar__office" title={t('app.office')}>
            {session?.officeName ?? '\u00a0'}
          </Text>
        </Flex>
      </Flex>

      <Flex align="center" gap="2" className="top-bar__backends" role="group" aria-label={t('backend.progressLabel')}>
        {backends.map((b) => (
          <BackendChip key={b.id} backend={b} now={now} />
        ))}
        <MailIndexHint />
      </Flex>

      <Flex align="center" gap="2" className="top-bar__actions">
        <Button
          size="2"
          variant="outline"
          color="gray"
          onClick={onOpenPalette}
          data-testid="palette-button"
          className="top-bar__tool"
          aria-keyshortcuts="Control+K Meta+K"
          title={t('palette.open')}
        >
          <SearchIcon />
          <Kbd size="1">Ctrl K</Kbd>
        </Button>
        {canCompose ? (
          <Button
            size="2"
            variant={panel === 'compose' ? 'solid' : 'outline'}
            color="gray"
            onClick={onCompose}
            data-testid="compose-button"
            data-composing={composing ? 'true' : 'false'}
            aria-pressed={panel === 'compose'}
            aria-keyshortcuts="c"
            className="top-bar__tool"
            title={composing ? t('compose.resume') : `${t('compose.titleNew')} (c)`}
            aria-label={composing ? t('compose.resume') : t('compose.titleNew')}
          >
            <MailIcon />
            <span className="top-bar__tool-label">{composing ? t('compose.draftButton') : t('compose.button')}</span>
          </Button>
        ) : null}
        <Button
          size="2"
          variant={panel === 'outbox' ? 'solid' : 'outline'}
          color={outboxAttention ? 'orange' : 'gray'}
          onClick={() => onTogglePanel('outbox')}
          data-testid="outbox-button"
          data-count={outboxCount}
          aria-pressed={panel === 'outbox'}
          className="top-bar__tool"
          title={t('outbox.title')}
        >
          <ClockIcon />
          {t('outbox.button')}
          {outboxCount > 0 ? (
            <span className={`top-bar__count${outboxAttention ? ' is-attention' : ''}`} data-testid="outbox-count">
              {formatNumber(lang, outboxCount)}
            </span>
          ) : null}
        </Button>
        <Button
          size="2"
          variant={panel === 'audit' ? 'solid' : 'outline'}
          color="gray"
          onClick={() => onTogglePanel('audit')}
          data-testid="audit-button"
          aria-pressed={panel === 'audit'}
          className="top-bar__tool"
        >
          {t('audit.button')}
        </Button>
        <Button size="2" variant="solid" onClick={onSyncNow} disabled={syncing} data-testid="sync-now" className="top-bar__sync">
          {syncing ? <Spinner size="1" /> : <SyncIcon />}
          {t('sync.now')}
        </Button>
        <Tooltip content={t('lang.switchLabel')}>
          <Button
            size="2"
            variant="outline"
            color="gray"
            onClick={onToggleLang}
            data-testid="lang-switch"
            data-lang={lang}
            aria-label={t('lang.switchLabel')}
            lang={lang === 'vi' ? 'en' : 'vi'}
            className="top-bar__lang"
          >
            {t('lang.switchTo')}
          </Button>
        </Tooltip>
        {session?.training ? (
          <TrainingRoleSwitch session={session} />
        ) : session ? (
          <div className="top-bar__user" title={t('app.signedInAs')}>
            <Text as="div" size="2" weight="medium" className="top-bar__user-name">
              {session.user.fullName}
            </Text>
            <Text as="div" size="1" color="gray">
              {t(`role.${session.user.role}`)} · {session.user.username}
            </Text>
          </div>
        ) : null}
      </Flex>
    </header>
  );
}

interface ScreenTabsProps {
  /** Screens beside the queue this role may open (none: the strip is not shown). */
  screens: Array<{ id: string; label: string }>;
  /** The screen shown ('queue' or a screen id). */
  screen: string;
  onScreen: (id: string) => void;
}

/** The strip of screens under the top bar (its own row: the top bar is full with chips and tools). */
export function ScreenTabs({ screens, screen, onScreen }: ScreenTabsProps): ReactElement | null {
  const { t } = useTr();
  if (screens.length === 0) return null;
  return (
    <nav className="screen-tabs" aria-label={t('nav.label')}>
      {[{ id: 'queue', label: t('nav.queue') }, ...screens].map((s) => (
        <button
          key={s.id}
          type="button"
          className={`screen-tabs__tab${screen === s.id ? ' is-current' : ''}`}
          aria-current={screen === s.id ? 'page' : undefined}
          data-testid={`nav-${s.id}`}
          onClick={() => onScreen(s.id)}
        >
          {s.label}
        </button>
      ))}
    </nav>
  );
}
