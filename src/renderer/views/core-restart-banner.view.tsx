/**
 * Issue #7: "Bộ xử lý nền vừa khởi động lại; các thao tác đang chờ vẫn được giữ nguyên" — shown when
 * the Electron shell restarted a crashed core (event `core.restart`), or, when it gave up after too
 * many crashes in a minute, what to do. Dismissable; a new event shows it again.
 */
import { Button } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import type { CoreRestartEvent } from '../../shared/shell';
import { useTr } from '../i18n.hooks';
import { useCoreEvents } from '../state/live.hooks';
import { WarningIcon } from './icons.view';

export function CoreRestartBanner(): ReactElement | null {
  const { t } = useTr();
  const [event, setEvent] = useState<CoreRestartEvent | null>(null);
  useCoreEvents((e) => {
    if (e.type === 'core.restart') setEvent(e);
  });
  if (!event) return null;
  const gaveUp = event.state === 'gave_up';
  return (
    <div className={`core-restart-banner core-restart-banner--${event.state}`} role={gaveUp ? 'alert' : 'status'} data-testid="core-restart-banner" data-state={event.state}>
      <WarningIcon />
      <span className="core-restart-banner__text">{t(gaveUp ? 'shell.coreGaveUp' : 'shell.coreRestarted')}</span>
      <Button size="1" variant="soft" color="gray" onClick={() => setEvent(null)} data-testid="core-restart-dismiss">
        {t('shell.dismiss')}
      </Button>
    </div>
  );
}
