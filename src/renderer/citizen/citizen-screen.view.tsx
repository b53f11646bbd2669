/**
 * The citizen screen (issue #6): unified search (records + attachment text, filters, grouped by
 * citizen and case), the citizen view (by ID number, phone, name + birth year, or a CCCD scan: every
 * dossier, document and mail of the person on one timeline with their links), privacy mode, and the
 * "declare once" forms (`declare-once.view.tsx`): a new dossier with its papers and fees, or a supplement
 * to a dossier waiting for papers, prefilled from the scan and the cache with where each value came from.
 */
import { Button, Callout, Flex, Heading, Spinner, Text, TextField } from '@radix-ui/themes';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactElement } from 'react';
import type { Citizen, CitizenView, SearchOutput } from '../../shared/citizen';
import { DOCUMENT_STATUS_CODES, PROCEDURE_STATUS_CODES, SLA_STATES, SOURCES, type SlaState, type Source } from '../../shared/domain';
import { formatDate } from '../format/date.format';
import { slaLabel, sourceLabel, statusLabel } from '../format/labels.format';
import type { Translate } from '../format/translate';
import { useTr } from '../i18n.hooks';
import type { Lang } from '../i18n';
import type { ScreenProps } from '../screens/screen-registry';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { SourceIcon } from '../views/icons.view';
import { DeclareOnceForm, provenanceText } from './declare-once.view';
import { maskerFor, privacyStore, usePrivacy, type Masker } from './privacy.store';

const ID_RE = /^(\d{9}|\d{12})$/;

/** `scan:<n>:<text>` → the raw scan; else null. */
function scanOf(param: string | null): string | null {
  if (param === null || !param.startsWith('scan:')) return null;
  const rest = param.slice(5);
  const colon = rest.indexOf(':');
  return colon < 0 ? null : rest.slice(colon + 1);
}

function dayStart(value: string): number | undefined {
  if (value === '') return undefined;
  const t = Date.parse(`${value}T00:00:00+07:00`);
  return Number.isNaN(t) ? undefined : t;
}

function dayEnd(value: string): number | undefined {
  const start = dayStart(value);
  return start === undefined ? undefined : start + 86_400_000 - 1;
}

interface Results {
  people: Citizen[];
  search: SearchOutput;
}

export default function CitizenScreen({ param, openItem, onNotice }: ScreenProps): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const privacy = usePrivacy();

  // ---------- search ----------
  const [q, setQ] = useState('');
  const [source, setSource] = useState<Source | ''>('');
  const [status, setStatus] = useState('');
  const [sla, setSla] = useState<SlaState | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [results, setResults] = useState<Results | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);

  const runSearch = useCallback(
    (e?: FormEvent) => {
      e?.preventDefault();
      const text = q.trim();
      if (text === '') return;
      setSearching(true);
      setSearchError(null);
      const filter = {
        q: text,
        ...(source !== '' ? { sources: [source] } : {}),
        ...(status !== '' ? { statuses: [status] } : {}),
        ...(sla !== '' ? { sla: [sla] } : {}),
        ...(dayStart(from) !== undefined ? { from: dayStart(from) } : {}),
        ...(dayEnd(to) !== undefined ? { to: dayEnd(to) } : {}),
        limit: 200,
      };
      Promise.all([api.call('citizen.find', { q: text }), api.call('search.query', filter)]).then(
        ([people, search]) => {
          setResults({ people: people.citizens, search });
          setSearching(false);
        },
        (error: unknown) => {
          setSearchError(errorMessage(error));
          setSearching(false);
        },
      );
    },
    [api, q, source, status, sla, from, to],
  );

  // ---------- citizen view ----------
  const [view, setView] = useState<CitizenView | null>(null);
  const [viewLoading, setViewLoading] = useState(false);
  const [viewError, setViewError] = useState<string | null>(null);
  const [form, setForm] = useState<'new' | 'supplement' | null>(null);

  const openCitizen = useCallback(
    (input: { idNumber: string } | { scan: string }) => {
      setViewLoading(true);
      setViewError(null);
      setForm(null);
      api.call('citizen.view', input).then(
        (v) => {
          setView(v);
          privacyStore.setServed(v.idNumber, v.citizen?.fullName ?? null);
          setViewLoading(false);
          if ('scan' in input) {
            onNotice(t('citizen.scanOpened'), 'info');
            setForm('new');
          }
        },
        (error: unknown) => {
          setViewError(errorMessage(error));
          setViewLoading(false);
        },
      );
    },
    [api, onNotice, t],
  );

  /** Read the citizen again (a new dossier landed) without closing the form. */
  const reloadView = useCallback(
    (idNumber: string) => {
      api.call('citizen.view', { idNumber }).then(
        (v) => setView(v),
        (error: unknown) => setViewError(errorMessage(error)),
      );
    },
    [api],
  );

  // Each parameter (a scan, an ID number) opens the citizen once — not again when the language changes.
  const handledParam = useRef<string | null>(null);
  useEffect(() => {
    if (param === handledParam.current) return;
    handledParam.current = param;
    const scan = scanOf(param);
    if (scan !== null) openCitizen({ scan });
    else if (param !== null && ID_RE.test(param)) openCitizen({ idNumber: param });
  }, [param, openCitizen]);

  const statusOptions = useMemo(() => {
    const proc = PROCEDURE_STATUS_CODES.map((c) => ({ value: c, label: statusLabel(t, 'procedure', c) }));
    const docs = DOCUMENT_STATUS_CODES.map((c) => ({ value: c, label: statusLabel(t, 'document', c) }));
    return source === 'document' ? docs : source === 'procedure' ? proc : [...proc, ...docs];
  }, [source, t]);

  return (
    <div className="citizen-screen" data-testid="citizen-screen">
      <Flex justify="between" align="center" gap="3" wrap="wrap">
        <Heading as="h1" size="4">
          {t('citizen.title')}
        </Heading>
        <label className="citizen-privacy" title={t('citizen.privacyHint')}>
          <input type="checkbox" checked={privacy.on} onChange={(e) => privacyStore.setOn(e.target.checked)} data-testid="citizen-privacy" />{' '}
          {t('citizen.privacy')}
        </label>
      </Flex>
      <Text as="p" size="2" color="gray">
        {t('citizen.scanHint')}
      </Text>

      <form className="citizen-search" onSubmit={runSearch} role="search">
        <label className="citizen-search__label" htmlFor="citizen-q">
          {t('citizen.searchLabel')}
        </label>
        <Flex gap="2">
          <TextField.Root
            id="citizen-q"
            className="citizen-search__input"
            value={q}
            maxLength={200}
            placeholder={t('citizen.searchPlaceholder')}
            onChange={(e) => setQ(e.target.value)}
            data-testid="citizen-search-input"
          />
          <Button type="submit" disabled={searching || q.trim() === ''} data-testid="citizen-search-submit">
            {t('citizen.searchButton')}
          </Button>
        </Flex>
        <fieldset className="citizen-filters">
          <legend>{t('citizen.filters')}</legend>
          <label>
            {t('citizen.source')}
            <select value={source} onChange={(e) => setSource(e.target.value as Source | '')} data-testid="citizen-filter-source">
              <option value="">{t('citizen.sourceAll')}</option>
              {SOURCES.map((s) => (
                <option key={s} value={s}>
                  {sourceLabel(t, s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('citizen.status')}
            <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="citizen-filter-status">
              <option value="">{t('citizen.statusAll')}</option>
              {statusOptions.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('citizen.sla')}
            <select value={sla} onChange={(e) => setSla(e.target.value as SlaState | '')} data-testid="citizen-filter-sla">
              <option value="">{t('citizen.slaAll')}</option>
              {SLA_STATES.map((s) => (
                <option key={s} value={s}>
                  {slaLabel(t, s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('citizen.from')}
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="citizen-filter-from" />
          </label>
          <label>
            {t('citizen.to')}
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="citizen-filter-to" />
          </label>
        </fieldset>
      </form>

      <div className="citizen-columns">
        <section className="citizen-results" aria-label={t('citizen.results', { count: results?.search.total ?? 0 })}>
          {searching ? <Spinner /> : null}
          {searchError !== null ? (
            <Callout.Root color="red" role="alert">
              <Callout.Text>{t('citizen.error', { message: searchError })}</Callout.Text>
            </Callout.Root>
          ) : null}
          {results ? <SearchResults results={results} onCitizen={(idNumber) => openCitizen({ idNumber })} openItem={openItem} /> : null}
        </section>

        <section className="citizen-view" aria-label={t('citizen.served')} data-testid="citizen-view">
          {viewLoading ? <Spinner /> : null}
          {viewError !== null ? (
            <Callout.Root color="red" role="alert" data-testid="citizen-view-error">
              <Callout.Text>{viewError}</Callout.Text>
            </Callout.Root>
          ) : null}
          {view && !viewLoading ? (
            <CitizenPanel view={view} lang={lang} t={t} openItem={openItem} form={form} setForm={setForm} onReload={reloadView} />
          ) : null}
        </section>
      </div>
    </div>
  );
}

function SearchResults({
  results,
  onCitizen,
  openItem,
}: {
  results: Results;
  onCitizen: (id: string) => void;
  openItem: (id: string) => void;
}): ReactElement {
  const { t, lang } = useTr();
  const privacy = usePrivacy();
  return (
    <div data-testid="citizen-results">
      <Heading as="h2" size="3">
        {t('citizen.people')}
      </Heading>
      {results.people.length === 0 ? (
        <Text as="p" size="2" color="gray">
          {t('citizen.noPeople')}
        </Text>
      ) : (
        <ul className="citizen-people">
          {results.people.map((c) => {
            const m = maskerFor(privacy, c.idNumber);
            return (
              <li key={c.idNumber} data-testid="citizen-person" data-id={c.idNumber}>
                <button type="button" className="citizen-link" onClick={() => onCitizen(c.idNumber)}>
                  {m.name(c.fullName)} · {m.id(c.idNumber)}
                  {c.birthYear !== null ? ` · ${c.birthYear}` : ''}
                  {c.phone !== null ? ` · ${m.phone(c.phone) ?? ''}` : ''}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <Heading as="h2" size="3">
        {t('citizen.results', { count: results.search.total })}
      </Heading>
      {results.search.truncated ? (
        <Text as="p" size="1" color="orange">
          {t('citizen.truncated')}
        </Text>
      ) : null}
      {results.search.groups.length === 0 ? (
        <Text as="p" size="2" color="gray">
          {t('citizen.noResults')}
        </Text>
      ) : null}
      {results.search.groups.map((g) => {
        const m = maskerFor(privacy, g.citizenId);
        return (
          <div key={`${g.citizenId ?? ''}|${g.caseRef ?? ''}`} className="citizen-group" data-testid="citizen-group" data-citizen={g.citizenId ?? ''}>
            <div className="citizen-group__head">
              {g.citizenId !== null ? (
                <button type="button" className="citizen-link" onClick={() => onCitizen(g.citizenId ?? '')}>
                  {m.name(g.citizenName) ?? t('citizen.unknownCitizen')} · {m.id(g.citizenId)}
                </button>
              ) : (
                <span>{t('citizen.unknownCitizen')}</span>
              )}
              <span className="citizen-group__case">{g.caseRef !== null ? t('citizen.case', { ref: g.caseRef }) : t('citizen.noCase')}</span>
            </div>
            <ul className="citizen-hits">
              {g.hits.map((h) => (
                <li key={h.item.id} data-testid="citizen-hit" data-item-id={h.item.id} data-source={h.item.source}>
                  <SourceIcon source={h.item.source} size={14} />
                  <span className="citizen-hit__ref">{h.item.ref}</span>
                  <span className="citizen-hit__title">{m.text(h.item.title)}</span>
                  {h.item.party !== null ? <span className="citizen-hit__party">{m.name(h.item.party)}</span> : null}
                  <span className="citizen-hit__status">{statusLabel(t, h.item.source, h.item.status)}</span>
                  <span className="citizen-hit__date">{formatDate(lang, h.item.receivedAt)}</span>
                  {h.inAttachment !== null ? (
                    <span className="citizen-hit__attachment" data-testid="citizen-hit-attachment">
                      {t('citizen.inAttachment', { name: h.inAttachment })}
                    </span>
                  ) : null}
                  <Button size="1" variant="soft" onClick={() => openItem(h.item.id)}>
                    {t('citizen.open')}
                  </Button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}

function Field({ label, value, prov, testId }: { label: string; value: string | null; prov: string | null; testId: string }): ReactElement {
  const { t } = useTr();
  return (
    <div className="citizen-field">
      <dt>{label}</dt>
      <dd data-testid={testId}>
        {value ?? <span className="citizen-muted">{t('citizen.empty')}</span>}
        {prov !== null && value !== null ? <span className="citizen-prov"> ({prov})</span> : null}
      </dd>
    </div>
  );
}

function CitizenPanel({
  view,
  lang,
  t,
  openItem,
  form,
  setForm,
  onReload,
}: {
  view: CitizenView;
  lang: Lang;
  t: Translate;
  openItem: (id: string) => void;
  form: 'new' | 'supplement' | null;
  setForm: (f: 'new' | 'supplement' | null) => void;
  onReload: (idNumber: string) => void;
}): ReactElement {
  const privacy = usePrivacy();
  const m: Masker = maskerFor(privacy, view.idNumber);
  const c = view.citizen;
  const p = (k: string): string | null => provenanceText(t, lang, c?.provenance[k]);
  const byId = new Map(view.timeline.map((e) => [e.item.id, e.item]));
  return (
    <div className="citizen-panel">
      <Heading as="h2" size="3" data-testid="citizen-name">
        {c ? m.name(c.fullName) : m.id(view.idNumber)}
      </Heading>
      {c === null ? (
        <Text as="p" size="2" color="gray">
          {t('citizen.notInCache')}
        </Text>
      ) : null}
      <dl className="citizen-fields">
        <Field label={t('citizen.idNumber')} value={m.id(view.idNumber)} prov={p('idNumber')} testId="citizen-id" />
        {c ? (
          <>
            <Field
              label={c.birthDate !== null ? t('citizen.birthDate') : t('citizen.birthYear')}
              value={c.birthDate !== null ? formatDate(lang, Date.parse(`${c.birthDate}T12:00:00+07:00`)) : c.birthYear !== null ? String(c.birthYear) : null}
              prov={p(c.birthDate !== null ? 'birthDate' : 'birthYear')}
              testId="citizen-birth"
            />
            <Field label={t('citizen.sex')} value={c.sex !== null ? t(`citizen.${c.sex}`) : null} prov={p('sex')} testId="citizen-sex" />
            <Field label={t('citizen.address')} value={m.address(c.address)} prov={p('address')} testId="citizen-address" />
            <Field label={t('citizen.phone')} value={m.phone(c.phone)} prov={p('phone')} testId="citizen-phone" />
            <Field label={t('citizen.dossierCount')} value={String(c.dossierCount)} prov={null} testId="citizen-dossier-count" />
          </>
        ) : null}
      </dl>
      <Flex gap="2" my="2">
        <Button onClick={() => setForm('new')} data-testid="citizen-new-dossier">
          {t('citizen.newDossier')}
        </Button>
        <Button variant="soft" onClick={() => setForm('supplement')} data-testid="citizen-supplement">
          {t('citizen.supplement')}
        </Button>
      </Flex>
      {form !== null ? <DeclareOnceForm key={`${view.idNumber}|${form}`} view={view} kind={form} onClose={() => setForm(null)} onReload={onReload} /> : null}

      <Heading as="h3" size="2">
        {t('citizen.timeline', { count: view.timeline.length })}
      </Heading>
      {view.timeline.length === 0 ? (
        <Text as="p" size="2" color="gray">
          {t('citizen.noTimeline')}
        </Text>
      ) : (
        <ol className="citizen-timeline" data-testid="citizen-timeline">
          {view.timeline.map((e) => (
            <li key={e.item.id} data-testid="citizen-timeline-entry" data-item-id={e.item.id} data-source={e.item.source}>
              <span className="citizen-timeline__date">{formatDate(lang, e.at)}</span>
              <SourceIcon source={e.item.source} size={14} />
              <span className="citizen-hit__ref">{e.item.ref}</span>
              <span className="citizen-hit__title">{e.item.title}</span>
              <span className="citizen-hit__status">{statusLabel(t, e.item.source, e.item.status)}</span>
              <span className="citizen-timeline__via">{t(`citizen.via.${e.via}`)}</span>
              {e.linkedIds.length > 0 ? (
                <span className="citizen-timeline__links">
                  {t('citizen.linkedTo', { refs: e.linkedIds.map((id) => byId.get(id)?.ref ?? id).join(', ') })}
                </span>
              ) : null}
              <Button size="1" variant="soft" onClick={() => openItem(e.item.id)}>
                {t('citizen.open')}
              </Button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
