/**
 * Issue #5: the supervisor's team dashboard (screen `dashboard`, role supervisor). Figures come from
 * `dashboard.get` and refresh on the core's change events (sync pages, outbox results), debounced.
 * Late and wrongly-assigned items can be ticked and handed to another official (`dashboard.reassign`,
 * through the outbox); the authority matrix is edited below; exports download as files.
 */
import { Button, Callout, Flex, Heading, Text, TextField } from '@radix-ui/themes';
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { DASHBOARD_PERIODS, type DashboardData, type DashboardPeriod } from '../../shared/dashboard';
import { formatDate, formatDateTime, formatNumber } from '../format/date.format';
import type { Translate } from '../format/translate';
import { useTr } from '../i18n.hooks';
import type { Lang } from '../i18n';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { useCoreEvents, useOnReconnect } from '../state/live.hooks';
import { AuthorityMatrixEditor } from '../views/authority-matrix.view';
import { DashboardChart } from '../views/dashboard-chart.view';
import type { ScreenProps } from './screen-registry';
import { downloadText } from '../views/audit-panel.view';

/** At most one refresh per this interval while sync pages stream in (a refresh costs ~0.1–0.3 s of core time on 200k items). */
const REFRESH_THROTTLE_MS = 1500;

function percent(lang: Lang, rate: number | null, none: string): string {
  if (rate === null) return none;
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rate);
}

function lateness(t: Translate, minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  if (d > 0) return h > 0 ? t('dashboard.lateness.daysHours', { d, h }) : t('dashboard.lateness.days', { d });
  if (h > 0) return t('dashboard.lateness.hours', { h });
  return t('dashboard.lateness.minutes', { m: Math.max(1, minutes) });
}

function download(filename: string, mimeType: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  downloadText(filename, bytes, mimeType);
}

interface Filter {
  period: DashboardPeriod;
  official: string;
  procedure: string;
}

export default function DashboardScreen({ onNotice, openItem }: ScreenProps): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [filter, setFilter] = useState<Filter>({ period: 'month', official: '', procedure: '' });
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<'reassign' | 'xlsx' | 'pdf' | null>(null);
  const [showMatrix, setShowMatrix] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);

  const input = useCallback(
    () => ({
      period: filter.period,
      ...(filter.official ? { official: filter.official } : {}),
      ...(filter.procedure ? { procedure: filter.procedure } : {}),
    }),
    [filter],
  );

  const load = useCallback(() => {
    const mine = ++seq.current;
    api.call('dashboard.get', input()).then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(null);
      },
      (err: unknown) => mine === seq.current && setError(errorMessage(err)),
    );
  }, [api, input]);

  useEffect(() => {
    load();
  }, [load]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  // Throttled, not debounced: a steady stream of sync pages must not postpone the refresh forever.
  const schedule = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      load();
    }, REFRESH_THROTTLE_MS);
  }, [load]);
  useCoreEvents((event) => {
    if (event.type === 'items.changed' || (event.type === 'outbox.changed' && event.entry.state === 'done')) schedule();
  });
  useOnReconnect(load);

  const doExport = (format: 'xlsx' | 'pdf'): void => {
    setBusy(format);
    api.call('dashboard.export', { filter: input(), format }).then(
      (r) => {
        setBusy(null);
        download(r.filename, r.mimeType, r.base64);
        onNotice(t('dashboard.exported', { filename: r.filename }), 'info');
      },
      (err: unknown) => {
        setBusy(null);
        onNotice(t('dashboard.exportFailed', { message: errorMessage(err) }), 'error');
      },
    );
  };

  const toggle = (id: string): void =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const reassign = (): void => {
    if (!data) return;
    if (selected.size === 0) return onNotice(t('dashboard.reassign.needItems'), 'error');
    if (!target) return onNotice(t('dashboard.reassign.needTarget'), 'error');
    const versions = new Map<string, number>();
    for (const l of data.late) versions.set(l.id, l.updatedAt);
    for (const f of data.flagged) versions.set(f.id, f.updatedAt);
    const items = [...selected].filter((id) => versions.has(id)).map((id) => ({ id, baseUpdatedAt: versions.get(id) ?? 0 }));
    setBusy('reassign');
    api.call('dashboard.reassign', { items, toUser: target, ...(note.trim() ? { note: note.trim() } : {}) }).then(
      (r) => {
        setBusy(null);
        setSelected(new Set(r.refused.map((x) => x.itemId)));
        if (r.queued.length > 0) onNotice(t('dashboard.reassign.queued', { n: r.queued.length }), 'info');
        if (r.refused.length > 0) onNotice(t('dashboard.reassign.refused', { n: r.refused.length, first: r.refused[0]?.message ?? '' }), 'error');
        setNote('');
        schedule();
      },
      (err: unknown) => {
        setBusy(null);
        onNotice(t('dashboard.reassign.failed', { message: errorMessage(err) }), 'error');
      },
    );
  };

  const num = (n: number): string => formatNumber(lang, n);
  const none = t('dashboard.noRate');

  return (
    <section className="dashboard" aria-labelledby="dashboard-title" data-testid="dashboard">
      <Flex className="dashboard__head" align="center" gap="3" wrap="wrap">
        <Heading as="h1" size="5" id="dashboard-title">
          {t('dashboard.title')}
        </Heading>
        <label className="dashboard__field">
          <span>{t('dashboard.period')}</span>
          <select value={filter.period} onChange={(e) => setFilter((f) => ({ ...f, period: e.target.value as DashboardPeriod }))} data-testid="dash-period">
            {DASHBOARD_PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`dashboard.periods.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="dashboard__field">
          <span>{t('dashboard.official')}</span>
          <select value={filter.official} onChange={(e) => setFilter((f) => ({ ...f, official: e.target.value }))} data-testid="dash-official">
            <option value="">{t('dashboard.all')}</option>
            {data?.choices.officials.map((o) => (
              <option key={o.username} value={o.username}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        <label className="dashboard__field">
          <span>{t('dashboard.procedure')}</span>
          <select value={filter.procedure} onChange={(e) => setFilter((f) => ({ ...f, procedure: e.target.value }))} data-testid="dash-procedure">
            <option value="">{t('dashboard.all')}</option>
            {data?.choices.kinds.map((k) => (
              <option key={`${k.source}|${k.kind}`} value={k.kind}>
                {k.kind}
              </option>
            ))}
          </select>
        </label>
        <Flex gap="2" className="dashboard__exports">
          <Button variant="soft" onClick={() => doExport('xlsx')} disabled={busy !== null || !data} data-testid="dash-export-xlsx">
            {t('dashboard.exportXlsx')}
          </Button>
          <Button variant="soft" onClick={() => doExport('pdf')} disabled={busy !== null || !data} data-testid="dash-export-pdf">
            {t('dashboard.exportPdf')}
          </Button>
        </Flex>
        {data ? (
          <Text size="1" color="gray" data-testid="dash-updated">
            {t('dashboard.updated', { time: formatDateTime(lang, data.now) })}
          </Text>
        ) : null}
      </Flex>

      {error ? (
        <Callout.Root color="red" size="1" role="alert">
          <Callout.Text>{t('dashboard.loadFailed', { message: error })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {!data ? (
        <Text size="2">{t('dashboard.loading')}</Text>
      ) : (
        <>
          <ul className="dashboard__totals" aria-label={t('dashboard.title')}>
            {(['backlog', 'dueToday', 'overdue', 'paused'] as const).map((k) => (
              <li key={k} className={`dashboard__total dashboard__total--${k}`} data-testid={`dash-total-${k}`} data-value={data.totals[k]}>
                <span className="dashboard__total-value">{num(data.totals[k])}</span>
                <span className="dashboard__total-label">{t(`dashboard.totals.${k}`)}</span>
              </li>
            ))}
            <li className="dashboard__total dashboard__total--rate" data-testid="dash-total-rate" data-resolved={data.totals.resolved} data-on-time={data.totals.onTime}>
              <span className="dashboard__total-value">{percent(lang, data.totals.onTimeRate, none)}</span>
              <span className="dashboard__total-label">
                {t('dashboard.totals.onTimeRate')} · {t('dashboard.totals.onTimeOf', { onTime: num(data.totals.onTime), resolved: num(data.totals.resolved) })}
              </span>
            </li>
            <li className="dashboard__total dashboard__total--outside" data-testid="dash-total-outside" data-value={data.totals.outsideAuthority}>
              <span className="dashboard__total-value">{num(data.totals.outsideAuthority)}</span>
              <span className="dashboard__total-label">{t('dashboard.totals.outsideAuthority')}</span>
            </li>
          </ul>

          <div className="dashboard__charts">
            <div className="dashboard__panel">
              <Heading as="h2" size="3">
                {t('dashboard.aging')}
              </Heading>
              <DashboardChart
                kind="bar"
                labels={data.aging.map((a) => t(`dashboard.agingBuckets.${a.bucket}`))}
                values={data.aging.map((a) => a.count)}
                label={t('dashboard.agingChart')}
                testId="dash-aging-chart"
              />
              <table className="dashboard-table dashboard-table--compact dashboard-table--aging" data-testid="dash-aging">
                <tbody>
                  <tr>
                    {data.aging.map((a) => (
                      <th key={a.bucket} scope="col">
                        {t(`dashboard.agingBuckets.${a.bucket}`)}
                      </th>
                    ))}
                  </tr>
                  <tr>
                    {data.aging.map((a) => (
                      <td key={a.bucket} data-bucket={a.bucket}>
                        {num(a.count)}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </div>
            <div className="dashboard__panel">
              <Heading as="h2" size="3">
                {t('dashboard.trend')}
              </Heading>
              <DashboardChart
                kind="line"
                percent
                labels={data.periods.map((p) => formatDate(lang, p.start))}
                values={data.periods.map((p) => p.onTimeRate)}
                label={t('dashboard.trendChart')}
                testId="dash-trend-chart"
              />
              <table className="dashboard-table dashboard-table--compact">
                <tbody>
                  {data.periods.map((p) => (
                    <tr key={p.start}>
                      <th scope="row">{t('dashboard.weekOf', { date: formatDate(lang, p.start) })}</th>
                      <td>{percent(lang, p.onTimeRate, none)}</td>
                      <td>
                        {num(p.onTime)}/{num(p.resolved)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          <Heading as="h2" size="3" mt="3">
            {t('dashboard.byOfficial')}
          </Heading>
          <div className="dashboard__scroll" tabIndex={0} role="region" aria-label={t('dashboard.byOfficial')}>
            <table className="dashboard-table dashboard-table--numeric" data-testid="dash-officials">
              <thead>
                <tr>
                  {(['official', 'backlog', 'dueToday', 'overdue', 'paused', 'resolved', 'onTime', 'rate', 'outside'] as const).map((c) => (
                    <th key={c} scope="col">
                      {t(`dashboard.cols.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.officials.map((o) => (
                  <tr key={`${o.username ?? ''}|${o.name}`} data-username={o.username ?? ''} data-testid="dash-official-row">
                    <th scope="row">{o.username === null && o.backlog > 0 ? t('dashboard.unassigned') : o.name}</th>
                    <td data-col="backlog">{num(o.backlog)}</td>
                    <td data-col="dueToday">{num(o.dueToday)}</td>
                    <td data-col="overdue">{num(o.overdue)}</td>
                    <td data-col="paused">{num(o.paused)}</td>
                    <td data-col="resolved">{num(o.resolved)}</td>
                    <td data-col="onTime">{num(o.onTime)}</td>
                    <td data-col="rate">{percent(lang, o.onTimeRate, none)}</td>
                    <td data-col="outside" className={o.outsideAuthority > 0 ? 'dashboard__flag' : undefined}>
                      {num(o.outsideAuthority)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <Heading as="h2" size="3" mt="3">
            {t('dashboard.byProcedure')}
          </Heading>
          <div className="dashboard__scroll dashboard__scroll--tall" tabIndex={0} role="region" aria-label={t('dashboard.byProcedure')}>
            <table className="dashboard-table dashboard-table--numeric" data-testid="dash-procedures">
              <thead>
                <tr>
                  {(['kind', 'backlog', 'overdue', 'resolved', 'onTime', 'rate'] as const).map((c) => (
                    <th key={c} scope="col">
                      {t(`dashboard.cols.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.procedures.map((p) => (
                  <tr key={`${p.source}|${p.kind}`} data-kind={p.kind}>
                    <th scope="row">{p.kind}</th>
                    <td data-col="backlog">{num(p.backlog)}</td>
                    <td data-col="overdue">{num(p.overdue)}</td>
                    <td data-col="resolved">{num(p.resolved)}</td>
                    <td data-col="onTime">{num(p.onTime)}</td>
                    <td data-col="rate">{percent(lang, p.onTimeRate, none)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <div className="dashboard__reassign" role="group" aria-label={t('dashboard.reassign.title')}>
            <Text size="2" weight="bold">
              {t('dashboard.reassign.title')}
            </Text>
            <Text size="2" data-testid="dash-selected">
              {t('dashboard.reassign.selected', { n: selected.size })}
            </Text>
            <label className="dashboard__field">
              <span>{t('dashboard.reassign.to')}</span>
              <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="dash-reassign-to">
                <option value="">{t('dashboard.reassign.choose')}</option>
                {data.choices.officials.map((o) => (
                  <option key={o.username} value={o.username}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <TextField.Root
              size="2"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder={t('dashboard.reassign.note')}
              aria-label={t('dashboard.reassign.note')}
              className="dashboard__note"
            />
            <Button onClick={reassign} disabled={busy !== null} data-testid="dash-reassign">
              {t('dashboard.reassign.submit')}
            </Button>
          </div>

          <Heading as="h2" size="3" mt="3" data-testid="dash-late-title">
            {t('dashboard.late', { n: num(data.lateTotal) })}
          </Heading>
          {data.late.length === 0 ? (
            <Text size="2">{t('dashboard.noLate')}</Text>
          ) : (
            <div className="dashboard__scroll dashboard__scroll--tall" tabIndex={0} role="region" aria-label={t('dashboard.late', { n: num(data.lateTotal) })}>
              <table className="dashboard-table" data-testid="dash-late">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">{t('dashboard.reassign.title')}</span>
                    </th>
                    {(['ref', 'kind', 'official', 'due', 'late', 'state', 'reason'] as const).map((c) => (
                      <th key={c} scope="col">
                        {t(`dashboard.cols.${c}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.late.map((l) => (
                    <tr key={`${l.id}|${l.state}`} data-item-id={l.id} data-state={l.state}>
                      <td>
                        {l.state === 'open' ? (
                          <input type="checkbox" checked={selected.has(l.id)} onChange={() => toggle(l.id)} aria-label={t('dashboard.select', { ref: l.ref })} />
                        ) : null}
                      </td>
                      <th scope="row">
                        <button type="button" className="dashboard__link" onClick={() => openItem(l.id)}>
                          {l.ref}
                        </button>
                      </th>
                      <td>{l.kind ?? ''}</td>
                      <td>{l.officialName ?? ''}</td>
                      <td>{formatDateTime(lang, l.dueAt)}</td>
                      <td>{lateness(t, l.lateMinutes)}</td>
                      <td>{t(l.state === 'open' ? 'dashboard.lateOpen' : 'dashboard.lateResolved')}</td>
                      <td className="dashboard__reason">{l.reason ?? t('dashboard.noReason')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data.lateTotal > data.late.length ? (
            <Text size="1" color="gray">
              {t('dashboard.lateShown', { shown: num(data.late.length), n: num(data.lateTotal) })}
            </Text>
          ) : null}

          <Heading as="h2" size="3" mt="3">
            {t('dashboard.flagged', { n: num(data.totals.outsideAuthority) })}
          </Heading>
          {data.flagged.length === 0 ? (
            <Text size="2">{t('dashboard.noFlagged')}</Text>
          ) : (
            <div className="dashboard__scroll" tabIndex={0} role="region" aria-label={t('dashboard.flagged', { n: num(data.totals.outsideAuthority) })}>
              <table className="dashboard-table" data-testid="dash-flagged">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">{t('dashboard.reassign.title')}</span>
                    </th>
                    <th scope="col">{t('dashboard.cols.ref')}</th>
                    <th scope="col">{t('dashboard.cols.kind')}</th>
                    <th scope="col">{t('dashboard.cols.assignee')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.flagged.map((f) => (
                    <tr key={f.id} data-item-id={f.id} className="dashboard__flag-row">
                      <td>
                        <input type="checkbox" checked={selected.has(f.id)} onChange={() => toggle(f.id)} aria-label={t('dashboard.select', { ref: f.ref })} />
                      </td>
                      <th scope="row">
                        <button type="button" className="dashboard__link" onClick={() => openItem(f.id)}>
                          {f.ref}
                        </button>
                      </th>
                      <td>{f.kind}</td>
                      <td>{f.assigneeName ?? f.assignee}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <Flex mt="4" direction="column" gap="2">
            <Heading as="h2" size="3">
              {t('dashboard.matrix.title')}
            </Heading>
            <Button variant="soft" className="dashboard__matrix-toggle" onClick={() => setShowMatrix((v) => !v)} aria-expanded={showMatrix} data-testid="dash-matrix-toggle">
              {t(showMatrix ? 'dashboard.matrix.hide' : 'dashboard.matrix.show')}
            </Button>
            {showMatrix ? <AuthorityMatrixEditor onNotice={onNotice} onSaved={load} /> : null}
          </Flex>
        </>
      )}
    </section>
  );
}
