/**
 * "Thông báo" (issue #7 point 3, feature `desktop`): the notifications the core raised (new urgent
 * items, items about to go overdue, the quiet-hours summary), live; the tray's counts; the settings
 * in force (config.json `notifications`). In the browser host the same notifications also pop up
 * through the Web Notifications API once the official allows it (Electron: the shell shows them as
 * OS notifications, the renderer does not repeat them). Clicking one opens its item in the queue.
 */
import { Button, Heading, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { ApiOutput } from '../../shared/api';
import type { DesktopNotification } from '../../shared/desktop';
import { formatDateTime } from '../format/date.format';
import { useTr } from '../i18n.hooks';
import type { ScreenProps } from '../screens/screen-registry';
import { useApi } from '../state/api.context';
import { useCoreEvents, useOnReconnect } from '../state/live.hooks';

type NotifyList = ApiOutput<'notify.list'>;

/** Web Notifications where the page may use them (browser host); null in Electron or old browsers. */
function webNotifications(): typeof Notification | null {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification : null;
}

export default function NotificationsScreen({ onNotice, openItem }: ScreenProps): ReactElement {
  const api = useApi();
  const { t, lang } = useTr();
  const [data, setData] = useState<NotifyList | null>(null);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(() => webNotifications()?.permission ?? 'unsupported');

  const load = useCallback(() => {
    api.call('notify.list', {}).then(setData, (error: unknown) => onNotice(t('desktop.loadFailed', { message: error instanceof Error ? error.message : String(error) }), 'error'));
  }, [api, onNotice, t]);
  useEffect(load, [load]);
  useOnReconnect(load);

  const popUp = useCallback(
    (n: DesktopNotification) => {
      const Web = webNotifications();
      if (!Web || Web.permission !== 'granted' || n.quiet) return;
      const shown = new Web(n.title, { body: n.body, tag: n.id });
      shown.onclick = () => {
        window.focus();
        const first = n.itemIds[0];
        if (first !== undefined) openItem(first);
        shown.close();
      };
    },
    [openItem],
  );

  useCoreEvents((event) => {
    if (event.type === 'notify.raised') {
      // The unread count follows with the core's tray.counts.
      setData((d) => (d ? { ...d, notifications: [event.notification, ...d.notifications].slice(0, 100) } : d));
      popUp(event.notification);
    } else if (event.type === 'tray.counts') {
      setData((d) => (d ? { ...d, counts: event.counts, unread: event.counts.unread } : d));
    }
  });

  const markAllRead = (): void => {
    api.call('notify.markRead', {}).then(
      ({ unread }) => setData((d) => (d ? { ...d, unread, notifications: d.notifications.map((n) => ({ ...n, read: true })) } : d)),
      (error: unknown) => onNotice(t('desktop.loadFailed', { message: error instanceof Error ? error.message : String(error) }), 'error'),
    );
  };

  const open = (n: DesktopNotification): void => {
    const first = n.itemIds[0];
    if (first === undefined) return;
    api.call('notify.markRead', { ids: [n.id] }).then(
      () => setData((d) => (d ? { ...d, notifications: d.notifications.map((x) => (x.id === n.id ? { ...x, read: true } : x)) } : d)),
      () => undefined, // opening the item matters more than the mark
    );
    openItem(first);
  };

  const askPermission = (): void => {
    const Web = webNotifications();
    if (!Web) return;
    void Web.requestPermission().then(setPermission);
  };

  const s = data?.settings;
  return (
    <section className="desktop-notify" aria-labelledby="desktop-notify-title">
      <Heading as="h2" size="4" id="desktop-notify-title">
        {t('desktop.title')}
      </Heading>
      {data ? (
        <>
          <dl className="desktop-notify__counts" data-testid="tray-counts">
            <div>
              <dt>{t('desktop.counts.open')}</dt>
              <dd data-testid="tray-open">{data.counts.open}</dd>
            </div>
            <div>
              <dt>{t('desktop.counts.dueToday')}</dt>
              <dd data-testid="tray-due-today">{data.counts.dueToday}</dd>
            </div>
            <div>
              <dt>{t('desktop.counts.overdue')}</dt>
              <dd data-testid="tray-overdue">{data.counts.overdue}</dd>
            </div>
          </dl>
          <p className="desktop-notify__settings" data-testid="notify-settings">
            {s && s.enabled
              ? t('desktop.settings.on', {
                  start: s.quietHours.start,
                  end: s.quietHours.end,
                  lead: s.leadMinutes.join(', '),
                  daysOff: s.quietOnDaysOff ? t('desktop.settings.daysOffQuiet') : '',
                })
              : t('desktop.settings.off')}{' '}
            {t(s?.startWithOs ? 'desktop.settings.startWithOs' : 'desktop.settings.notStartWithOs')} {t('desktop.settings.where')}
          </p>
          {data.quietNow ? (
            <Text as="p" size="2" color="gray" data-testid="quiet-now">
              {t('desktop.quietNow')}
            </Text>
          ) : null}
          <div className="desktop-notify__toolbar">
            <Text size="2" data-testid="notify-unread" aria-live="polite">
              {t('desktop.unread', { count: data.unread })}
            </Text>
            <Button size="1" variant="soft" onClick={markAllRead} disabled={data.unread === 0} data-testid="notify-mark-read">
              {t('desktop.markAllRead')}
            </Button>
            {permission === 'default' ? (
              <Button size="1" variant="soft" onClick={askPermission} data-testid="notify-permission">
                {t('desktop.allowBrowser')}
              </Button>
            ) : null}
            {permission === 'denied' ? (
              <Text size="1" color="gray">
                {t('desktop.browserDenied')}
              </Text>
            ) : null}
          </div>
          {data.notifications.length === 0 ? (
            <p className="desktop-notify__empty" data-testid="notify-empty">
              {t('desktop.empty')}
            </p>
          ) : (
            <ul className="desktop-notify__list" aria-label={t('desktop.listLabel')}>
              {data.notifications.map((n) => (
                <li
                  key={n.id}
                  className={`desktop-notify__item${n.read ? '' : ' desktop-notify__item--unread'}`}
                  data-testid="notification"
                  data-kind={n.kind}
                  data-item-ids={n.itemIds.join(' ')}
                >
                  <div className="desktop-notify__head">
                    <strong>{n.title}</strong>
                    <span className="desktop-notify__when">
                      {formatDateTime(lang, n.at)}
                      {n.quiet ? ` · ${t('desktop.quietTag')}` : ''}
                    </span>
                  </div>
                  <p className="desktop-notify__body">{n.body}</p>
                  {n.itemIds.length > 0 ? (
                    <Button size="1" variant="outline" onClick={() => open(n)} data-testid="notification-open">
                      {n.count > 1 ? t('desktop.openFirst') : t('desktop.open')}
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <p>{t('desktop.loading')}</p>
      )}
    </section>
  );
}
