/**
 * Top bar: app name, office and signed-in official, backend chips, "Đồng bộ ngay",
 * language switch. The training stripe sits above it when the session is in training mode.
 */
import { Button, Flex, Spinner, Text, Tooltip } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import type { BackendStatus, Session } from '../../shared/api';
import { useTranslation } from 'react-i18next';
import { switchLanguage } from '../i18n';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { BackendChip } from './backend-chip.view';
import { EmblemIcon, SyncIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

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
  onNotice: (text: string, tone: 'info' | 'error') => void;
}

export function TopBar({ session, backends, clockOffset, onNotice }: TopBarProps): ReactElement {
  const { t, lang } = useTr();
  const { i18n } = useTranslation();
  const api = useApi();
  const [syncing, setSyncing] = useState(false);
  const now = Date.now() + clockOffset;

  const syncNow = (): void => {
    setSyncing(true);
    api.call('sync.now', {}).then(
      (r) => {
        setSyncing(false);
        onNotice(r.started.length > 0 ? t('sync.started', { count: r.started.length }) : t('sync.nothingStarted'), 'info');
      },
      (error: unknown) => {
        setSyncing(false);
        onNotice(t('sync.failed', { message: errorMessage(error) }), 'error');
      },
    );
  };

  const toggleLang = (): void => {
    void switchLanguage(i18n, lang === 'vi' ? 'en' : 'vi', window.localStorage);
  };

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
      </Flex>

      <Flex align="center" gap="2" className="top-bar__actions">
        <Button size="2" variant="solid" onClick={syncNow} disabled={syncing} data-testid="sync-now" className="top-bar__sync">
          {syncing ? <Spinner size="1" /> : <SyncIcon />}
          {t('sync.now')}
        </Button>
        <Tooltip content={t('lang.switchLabel')}>
          <Button
            size="2"
            variant="outline"
            color="gray"
            onClick={toggleLang}
            data-testid="lang-switch"
            data-lang={lang}
            aria-label={t('lang.switchLabel')}
            lang={lang === 'vi' ? 'en' : 'vi'}
            className="top-bar__lang"
          >
            {t('lang.switchTo')}
          </Button>
        </Tooltip>
        {session ? (
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
