/**
 * Tab "Lịch làm việc": office hours, days off (holidays, Tết, compensating and swapped days), working
 * weekend days, the same-day cut-off; save, export as JSON, import from a JSON file. The core
 * validates everything (dates, overlaps, a "working Saturday" on a weekday…) and changes nothing when
 * the calendar is invalid.
 */
import { Button, Callout, Flex, Heading, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { ApiCallError } from '../../shared/api';
import type { CalendarView } from '../../shared/settings';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { downloadText } from '../views/audit-panel.view';

interface Day {
  date: string;
  name: string;
}
interface Range {
  start: string;
  end: string;
}

function daysOf(value: unknown): Day[] {
  return Array.isArray(value)
    ? value.flatMap((d: unknown) => {
        if (typeof d !== 'object' || d === null) return [];
        const r = d as Record<string, unknown>;
        return typeof r['date'] === 'string' && typeof r['name'] === 'string' ? [{ date: r['date'], name: r['name'] }] : [];
      })
    : [];
}

function rangesOf(value: unknown): Range[] {
  return Array.isArray(value)
    ? value.flatMap((d: unknown) => {
        if (typeof d !== 'object' || d === null) return [];
        const r = d as Record<string, unknown>;
        return typeof r['start'] === 'string' && typeof r['end'] === 'string' ? [{ start: r['start'], end: r['end'] }] : [];
      })
    : [];
}

function DayList({ title, testId, days, onChange }: { title: string; testId: string; days: Day[]; onChange: (days: Day[]) => void }): ReactElement {
  const { t } = useTr();
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const sorted = [...days].sort((a, b) => a.date.localeCompare(b.date));
  return (
    <section className="settings-days" data-testid={testId}>
      <Heading as="h3" size="3">
        {title} <Text size="2" color="gray">({t('settings.cal.count', { count: days.length })})</Text>
      </Heading>
      <div className="settings-table-wrap" tabIndex={0} role="region" aria-label={title}>
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.cal.date')}</th>
              <th scope="col">{t('settings.cal.dayName')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('settings.cal.remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((d) => (
              <tr key={d.date}>
                <td>{d.date}</td>
                <td>{d.name}</td>
                <td>
                  <button type="button" className="settings-link-button" aria-label={t('settings.cal.removeDay', { date: d.date })} onClick={() => onChange(days.filter((x) => x.date !== d.date))}>
                    {t('settings.cal.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        className="settings-add-day"
        onSubmit={(e) => {
          e.preventDefault();
          if (!date || !name.trim()) return;
          onChange([...days.filter((x) => x.date !== date), { date, name: name.trim() }]);
          setDate('');
          setName('');
        }}
      >
        <label>
          {t('settings.cal.newDate')}
          <input type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} required data-testid={`${testId}-date`} />
        </label>
        <label>
          {t('settings.cal.newName')}
          <input type="text" value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} data-testid={`${testId}-name`} />
        </label>
        <Button type="submit" variant="soft" data-testid={`${testId}-add`}>
          {t('settings.cal.add')}
        </Button>
      </form>
    </section>
  );
}

export function SettingsCalendar({ onNotice }: { onNotice: (text: string, tone: 'info' | 'error') => void }): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [view, setView] = useState<CalendarView | null>(null);
  const [data, setData] = useState<Record<string, unknown> | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const apply = (v: CalendarView): void => {
    setView(v);
    setData(structuredClone(v.data));
  };
  const load = useCallback(() => {
    api.call('calendar.get', {}).then(apply, (err: unknown) => setLoadError(errorMessage(err)));
  }, [api]);
  useEffect(() => load(), [load]);

  if (loadError) return <Callout.Root color="red"><Callout.Text>{t('settings.loadFailed', { message: loadError })}</Callout.Text></Callout.Root>;
  if (!view || !data) return <Text role="status">{t('settings.loading')}</Text>;

  const update = (key: string, value: unknown): void => {
    setData({ ...data, [key]: value });
    setStatus(null);
  };
  const failed = (err: unknown): void => {
    setIssues(err instanceof ApiCallError ? (err.error.details ?? []) : []);
    setStatus(null);
    onNotice(errorMessage(err), 'error');
  };
  const save = (): void => {
    api.call('calendar.set', { data }).then((v) => {
      apply(v);
      setIssues([]);
      setStatus(t('settings.cal.saved'));
    }, failed);
  };
  const exportFile = (): void => {
    api.call('calendar.export', {}).then((f) => downloadText(f.filename, f.content, 'application/json'), failed);
  };
  const importFile = (file: File): void => {
    void file.text().then((content) =>
      api.call('calendar.import', { content }).then((v) => {
        apply(v);
        setIssues([]);
        setStatus(`${t('settings.cal.imported', { file: file.name })} ${t('settings.cal.saved')}`);
      }, failed),
    );
  };

  const ranges = rangesOf(data['officeHours']);
  const years = Array.isArray(data['years']) ? data['years'].join(', ') : '';

  return (
    <Flex direction="column" gap="3" data-testid="settings-calendar">
      <Callout.Root color={view.editable ? 'blue' : 'amber'} size="1">
        <Callout.Text>
          {t(`settings.cal.source.${view.source}`)} {view.editable ? t('settings.restartNote') : t('settings.trainingReadOnly')}
        </Callout.Text>
      </Callout.Root>
      <Text size="2">
        {t('settings.cal.name', { name: String(data['name'] ?? '') })} — {t('settings.cal.years', { years })}
      </Text>
      <section>
        <Heading as="h3" size="3">
          {t('settings.cal.officeHours')}
        </Heading>
        <Flex direction="column" gap="1">
          {ranges.map((r, i) => (
            <Flex key={i} gap="2" align="center">
              <label>
                {t('settings.cal.from')}{' '}
                <input type="time" value={r.start} onChange={(e) => update('officeHours', ranges.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value } : x)))} />
              </label>
              <label>
                {t('settings.cal.to')}{' '}
                <input type="time" value={r.end} onChange={(e) => update('officeHours', ranges.map((x, j) => (j === i ? { ...x, end: e.currentTarget.value } : x)))} />
              </label>
              <button type="button" className="settings-link-button" onClick={() => update('officeHours', ranges.filter((_, j) => j !== i))}>
                {t('settings.cal.remove')}
              </button>
            </Flex>
          ))}
          <Flex gap="2" align="center">
            <Button type="button" variant="ghost" onClick={() => update('officeHours', [...ranges, { start: '13:00', end: '17:00' }])}>
              {t('settings.cal.addRange')}
            </Button>
            <label>
              {t('settings.cal.cutoff')}{' '}
              <input type="time" value={typeof data['sameDayCutoff'] === 'string' ? data['sameDayCutoff'] : '15:00'} onChange={(e) => update('sameDayCutoff', e.currentTarget.value)} />
            </label>
          </Flex>
        </Flex>
      </section>
      <DayList title={t('settings.cal.holidays')} testId="settings-holidays" days={daysOf(data['holidays'])} onChange={(days) => update('holidays', days)} />
      <DayList title={t('settings.cal.workingSaturdays')} testId="settings-saturdays" days={daysOf(data['workingSaturdays'])} onChange={(days) => update('workingSaturdays', days)} />
      {issues.length > 0 ? (
        <Callout.Root color="red" role="alert" data-testid="settings-calendar-issues">
          <Callout.Text>{t('settings.cal.invalid')}</Callout.Text>
          <ul className="settings-issues">
            {issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        </Callout.Root>
      ) : null}
      {status ? (
        <Callout.Root color="green" role="status" data-testid="settings-calendar-status">
          <Callout.Text>{status}</Callout.Text>
        </Callout.Root>
      ) : null}
      <Flex gap="2" wrap="wrap">
        <Button type="button" onClick={save} disabled={!view.editable} data-testid="settings-calendar-save">
          {t('settings.cal.save')}
        </Button>
        <Button type="button" variant="soft" onClick={exportFile} data-testid="settings-calendar-export">
          {t('settings.cal.export')}
        </Button>
        <Button type="button" variant="soft" onClick={() => fileInput.current?.click()} disabled={!view.editable}>
          {t('settings.cal.import')}
        </Button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="settings-calendar-file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) importFile(file);
          }}
        />
      </Flex>
    </Flex>
  );
}
