/** "Mất kết nối tới … — bạn vẫn làm việc được; N thao tác đang chờ gửi": actions stay available offline. */
import { Button } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { BackendStatus } from '../../shared/api';
import { formatNumber } from '../format/date.format';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

export function OfflineBanner({ backends, waiting, onOpenOutbox }: { backends: readonly BackendStatus[]; waiting: number; onOpenOutbox: () => void }): ReactElement {
  const { t, lang } = useTr();
  const names = backends.map((b) => b.label).join(', ');
  return (
    <div className="offline-banner" role="status" data-testid="offline-banner" data-waiting={waiting}>
      <WarningIcon />
      <span>
        {t('offline.banner', { names })}
        {'; '}
        <strong data-testid="offline-waiting">{t('offline.waiting', { count: waiting, n: formatNumber(lang, waiting) })}</strong>
      </span>
      {waiting > 0 ? (
        <Button size="1" variant="soft" color="amber" onClick={onOpenOutbox}>
          {t('offline.openOutbox')}
        </Button>
      ) : null}
    </div>
  );
}
