/**
 * Tab "Tình trạng đồng bộ": per backend the state, last successful sync, last attempt, error counts
 * and recent errors; below, the core log (newest last) filtered by level and backend. Secrets never
 * reach this view (the core redacts the log).
 */
import { Button, Callout, Flex, Heading, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { BackendHealth, LogEntry } from '../../shared/settings';
import { formatDateTime } from '../format/date.format';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';

type Level = LogEntry['level'];

export function SettingsHealth(): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [health, setHealth] = useState<BackendHealth[] | null>(null);
  const [logs, setLogs] = useState<{ entries: LogEntry[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [level, setLevel] = useState<Level | ''>('');
  const [backend, setBackend] = useState('');

  const load = useCallback(() => {
    api.call('health.get', {}).then(
      (r) => {
        setHealth(r.backends);
        setError(null);
      },
      (err: unknown) => setError(errorMessage(err)),
    );
    api
      .call('logs.tail', { limit: 300, ...(level ? { levels: [level] } : {}), ...(backend ? { backend } : {}) })
      .then(setLogs, (err: unknown) => setError(errorMessage(err)));
  }, [api, level, backend]);
  useEffect(() => load(), [load]);

  const when = (at: number | null): string => (at === null ? t('settings.health.never') : formatDateTime(lang, at));

  return (
    <Flex direction="column" gap="3" data-testid="settings-health">
      {error ? (
        <Callout.Root color="red" role="alert">
          <Callout.Text>{t('settings.loadFailed', { message: error })}</Callout.Text>
        </Callout.Root>
      ) : null}
      <Flex>
        <Button type="button" variant="soft" onClick={load} data-testid="settings-health-refresh">
          {t('settings.health.refresh')}
        </Button>
      </Flex>
      {health ? (
        <div className="settings-table-wrap">
          <table className="settings-table" data-testid="settings-health-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.health.backend')}</th>
                <th scope="col">{t('settings.health.state')}</th>
                <th scope="col">{t('settings.health.lastSuccess')}</th>
                <th scope="col">{t('settings.health.lastAttempt')}</th>
                <th scope="col">{t('settings.health.errors24h')}</th>
                <th scope="col">{t('settings.health.errorsTotal')}</th>
                <th scope="col">{t('settings.health.items')}</th>
              </tr>
            </thead>
            <tbody>
              {health.map((b) => (
                <tr key={b.id} data-testid={`health-${b.id}`}>
                  <th scope="row">{b.label}</th>
                  <td>{t(`settings.health.states.${b.state}`)}</td>
                  <td>{when(b.lastSuccessAt)}</td>
                  <td>{when(b.lastAttemptAt)}</td>
                  <td>{b.errorsLast24h}</td>
                  <td>{b.errorsTotal}</td>
                  <td>{b.itemCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Text role="status">{t('settings.loading')}</Text>
      )}
      {health
        ?.filter((b) => b.recentErrors.length > 0)
        .map((b) => (
          <details key={b.id} className="settings-errors" data-testid={`health-errors-${b.id}`}>
            <summary>{t('settings.health.recent', { label: b.label })}</summary>
            <ul>
              {b.recentErrors.map((e) => (
                <li key={`${e.at}-${e.code}`}>
                  <time>{formatDateTime(lang, e.at)}</time> <code>{e.code}</code> {e.message}
                </li>
              ))}
            </ul>
          </details>
        ))}
      <section>
        <Heading as="h3" size="3">
          {t('settings.health.logs')}
        </Heading>
        <Flex gap="3" align="center" my="2" wrap="wrap">
          <label>
            {t('settings.health.level')}{' '}
            <select value={level} data-testid="settings-log-level" onChange={(e) => setLevel(e.currentTarget.value === 'info' || e.currentTarget.value === 'warn' || e.currentTarget.value === 'error' ? e.currentTarget.value : '')}>
              <option value="">{t('settings.health.allLevels')}</option>
              {(['info', 'warn', 'error'] as const).map((l) => (
                <option key={l} value={l}>
                  {t(`settings.health.levels.${l}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.health.backend')}{' '}
            <select value={backend} data-testid="settings-log-backend" onChange={(e) => setBackend(e.currentTarget.value)}>
              <option value="">{t('settings.health.allBackends')}</option>
              {(health ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.label}
                </option>
              ))}
            </select>
          </label>
          {logs ? <Text size="1" color="gray">{t('settings.health.logCount', { shown: logs.entries.length, total: logs.total })}</Text> : null}
        </Flex>
        {logs && logs.entries.length === 0 ? <Text size="2">{t('settings.health.noLogs')}</Text> : null}
        {logs && logs.entries.length > 0 ? (
          // Scrollable: focusable so the keyboard can scroll it (axe scrollable-region-focusable).
          <div className="settings-table-wrap settings-log" tabIndex={0} role="region" aria-label={t('settings.health.logs')}>
            <table className="settings-table" data-testid="settings-log-table">
              <thead>
                <tr>
                  <th scope="col">{t('settings.health.time')}</th>
                  <th scope="col">{t('settings.health.level')}</th>
                  <th scope="col">{t('settings.health.backend')}</th>
                  <th scope="col">{t('settings.health.message')}</th>
                </tr>
              </thead>
              <tbody>
                {[...logs.entries].reverse().map((e) => (
                  <tr key={e.seq} className={`settings-log__row settings-log__row--${e.level}`}>
                    <td>{formatDateTime(lang, e.at)}</td>
                    <td>{t(`settings.health.levels.${e.level}`)}</td>
                    <td>{e.backend ?? ''}</td>
                    <td>
                      {e.msg}
                      {e.data ? <code className="settings-log__data">{e.data}</code> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </Flex>
  );
}
