/**
 * The citizen screen (issue #6): unified search (records + attachment text, filters, grouped by
 * citizen and case), the citizen view (by ID number, phone, name + birth year, or a CCCD scan: every
 * dossier, document and mail of the person on one timeline with their links), privacy mode, and the
 * "declare once" form prefilled from the scan and the cache with where each value came from; a new
 * dossier is sent with `dossier.register` (outbox → DongBoHoSoMC) and its state and code are shown.
 */
import { Button, Callout, Flex, Heading, Spinner, Text, TextField } from '@radix-ui/themes';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { DossierRegisterActionSchema } from '../../shared/actions';
import type { OutboxEntry } from '../../shared/api';
import type { Citizen, CitizenView, Provenance, SearchOutput } from '../../shared/citizen';
import { DOCUMENT_STATUS_CODES, PROCEDURE_STATUS_CODES, SLA_STATES, SOURCES, type SlaState, type Source } from '../../shared/domain';
import { formatDate, formatDateTime } from '../format/date.format';
import { slaLabel, sourceLabel, statusLabel } from '../format/labels.format';
import type { Translate } from '../format/translate';
import { useTr } from '../i18n.hooks';
import type { Lang } from '../i18n';
import type { ScreenProps } from '../screens/screen-registry';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { SourceIcon } from '../views/icons.view';
import { outboxErrorText, outboxStateLabel } from '../outbox/outbox-words';
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

function provenanceText(t: Translate, lang: Lang, p: Provenance | undefined): string | null {
  if (!p) return null;
  if (p.kind === 'scan') return t('citizen.fromScan', { at: formatDateTime(lang, p.at) });
  if (p.kind === 'dossier') return t('citizen.fromDossier', { ref: p.ref ?? '' });
  return t('citizen.fromId');
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
            <CitizenPanel view={view} lang={lang} t={t} openItem={openItem} form={form} setForm={setForm} onNotice={onNotice} onReload={reloadView} />
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
  onNotice,
  onReload,
}: {
  view: CitizenView;
  lang: Lang;
  t: Translate;
  openItem: (id: string) => void;
  form: 'new' | 'supplement' | null;
  setForm: (f: 'new' | 'supplement' | null) => void;
  onNotice: (text: string, tone: 'info' | 'error') => void;
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
      {form !== null ? <DeclareOnceForm key={`${view.idNumber}|${form}`} view={view} kind={form} onClose={() => setForm(null)} onNotice={onNotice} onReload={onReload} /> : null}

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

/** The new dossier / supplement form, prefilled with what is known and where it came from. */
function DeclareOnceForm({
  view,
  kind,
  onClose,
  onNotice,
  onReload,
}: {
  view: CitizenView;
  kind: 'new' | 'supplement';
  onClose: () => void;
  onNotice: (text: string, tone: 'info' | 'error') => void;
  onReload: (idNumber: string) => void;
}): ReactElement {
  const { t, lang } = useTr();
  const register = useRegister(view, kind, onReload);
  const c = view.citizen;
  const [values, setValues] = useState({
    idNumber: view.idNumber,
    fullName: c?.fullName ?? '',
    birthDate: c?.birthDate ?? '',
    sex: c?.sex ?? '',
    address: c?.address ?? '',
    phone: c?.phone ?? '',
    procedure: '',
    summary: '',
  });
  const prov = (k: string): string | null => provenanceText(t, lang, c?.provenance[k]);
  const field = (k: keyof typeof values, label: string, type = 'text'): ReactElement => (
    <label className="citizen-form__field">
      <span>{label}</span>
      <input
        type={type}
        value={values[k]}
        onChange={(e) => setValues({ ...values, [k]: e.target.value })}
        data-testid={`citizen-form-${k}`}
      />
      {k !== 'procedure' && k !== 'summary' && values[k] !== '' && prov(k) !== null ? (
        <small className="citizen-prov" data-testid={`citizen-form-${k}-source`}>
          {prov(k)}
        </small>
      ) : null}
    </label>
  );
  const copy = (): void => {
    const lines = [
      `${t('citizen.procedure')}: ${values.procedure}`,
      `${t('citizen.fullName')}: ${values.fullName}`,
      `${t('citizen.idNumber')}: ${values.idNumber}`,
      `${t('citizen.birthDate')}: ${values.birthDate}`,
      `${t('citizen.sex')}: ${values.sex === 'male' ? t('citizen.male') : values.sex === 'female' ? t('citizen.female') : ''}`,
      `${t('citizen.address')}: ${values.address}`,
      `${t('citizen.phone')}: ${values.phone}`,
    ];
    navigator.clipboard.writeText(lines.join('\n')).then(
      () => onNotice(t('citizen.copied'), 'info'),
      () => onNotice(t('citizen.copyFailed'), 'error'),
    );
  };
  return (
    <form className="citizen-form" data-testid="citizen-form" data-kind={kind} onSubmit={(e) => e.preventDefault()}>
      <Heading as="h3" size="2">
        {kind === 'new' ? t('citizen.formTitle') : t('citizen.formSupplementTitle')}
      </Heading>
      <Text as="p" size="1" color="gray">
        {t('citizen.formHint')}
      </Text>
      {kind === 'new' ? (
        <label className="citizen-form__field">
          <span>{t('citizen.procedure')}</span>
          <select
            value={values.procedure}
            onChange={(e) => setValues({ ...values, procedure: e.target.value })}
            disabled={register.procedures === null}
            data-testid="citizen-form-procedure"
          >
            <option value="">{register.procedures === null ? t('citizen.register.proceduresLoading') : t('citizen.register.chooseProcedure')}</option>
            {(register.procedures ?? []).map((p) => (
              <option key={`${p.backendId}|${p.code}`} value={`${p.backendId}|${p.code}`}>
                {p.name}
              </option>
            ))}
          </select>
          {register.catalogueError !== null ? (
            <small className="citizen-register__error" role="alert" data-testid="citizen-form-procedure-error">
              {t('citizen.register.proceduresFailed', { message: register.catalogueError })}
            </small>
          ) : null}
        </label>
      ) : (
        field('procedure', t('citizen.procedure'))
      )}
      {field('fullName', t('citizen.fullName'))}
      {field('idNumber', t('citizen.idNumber'))}
      {field('birthDate', t('citizen.birthDate'), 'date')}
      <label className="citizen-form__field">
        <span>{t('citizen.sex')}</span>
        <select value={values.sex} onChange={(e) => setValues({ ...values, sex: e.target.value })} data-testid="citizen-form-sex">
          <option value="">—</option>
          <option value="male">{t('citizen.male')}</option>
          <option value="female">{t('citizen.female')}</option>
        </select>
        {values.sex !== '' && prov('sex') !== null ? (
          <small className="citizen-prov" data-testid="citizen-form-sex-source">
            {prov('sex')}
          </small>
        ) : null}
      </label>
      {field('address', t('citizen.address'))}
      {field('phone', t('citizen.phone'), 'tel')}
      {kind === 'new' ? (
        <label className="citizen-form__field">
          <span>{t('citizen.register.summary')}</span>
          <textarea
            value={values.summary}
            maxLength={1000}
            rows={2}
            placeholder={t('citizen.register.summaryPlaceholder')}
            onChange={(e) => setValues({ ...values, summary: e.target.value })}
            data-testid="citizen-form-summary"
          />
        </label>
      ) : null}
      <Text as="p" size="1" color="gray">
        {kind === 'new' ? t('citizen.register.note') : t('citizen.notSent')}
      </Text>
      {register.invalid !== null ? (
        <Callout.Root color="red" role="alert" size="1" data-testid="citizen-register-invalid">
          <Callout.Text>{t('citizen.register.invalid', { message: register.invalid })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {register.entry !== null ? <RegisterStatus entry={register.entry} code={register.code} /> : null}
      <Flex gap="2">
        {kind === 'new' ? (
          <Button
            type="button"
            onClick={() => register.submit(values)}
            disabled={register.busy || (register.entry !== null && register.entry.state !== 'needs_attention' && register.entry.state !== 'discarded')}
            data-testid="citizen-form-send"
          >
            {t('citizen.register.send')}
          </Button>
        ) : null}
        <Button type="button" variant={kind === 'new' ? 'soft' : 'solid'} onClick={copy} data-testid="citizen-form-copy">
          {t('citizen.copy')}
        </Button>
        <Button type="button" variant="soft" onClick={onClose}>
          {t('citizen.close')}
        </Button>
      </Flex>
    </form>
  );
}

interface ProcedureOption {
  backendId: string;
  code: string;
  name: string;
}

interface FormValues {
  idNumber: string;
  fullName: string;
  birthDate: string;
  sex: string;
  address: string;
  phone: string;
  procedure: string;
  summary: string;
}

/**
 * Issue #6 "declare once": the procedure catalogue for the picker, and sending the new dossier
 * (`dossier.register` through the outbox): the entry's state follows its `outbox.changed` events; once
 * done the citizen is read again and the new dossier's code is the procedure item that was not there.
 */
function useRegister(
  view: CitizenView,
  kind: 'new' | 'supplement',
  onReload: (idNumber: string) => void,
): {
  procedures: ProcedureOption[] | null;
  catalogueError: string | null;
  invalid: string | null;
  entry: OutboxEntry | null;
  code: string | null;
  busy: boolean;
  submit: (values: FormValues) => void;
} {
  const api = useApi();
  const [procedures, setProcedures] = useState<ProcedureOption[] | null>(null);
  const [catalogueError, setCatalogueError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [entry, setEntry] = useState<OutboxEntry | null>(null);
  const [busy, setBusy] = useState(false);
  // The citizen's dossiers before sending: the new one is the procedure item not among them.
  const known = useRef<Set<string> | null>(null);

  useEffect(() => {
    if (kind !== 'new') return;
    let live = true;
    api.call('procedures.list', {}).then(
      (out) => {
        if (live) setProcedures(out.procedures);
      },
      (error: unknown) => {
        if (!live) return;
        setProcedures([]);
        setCatalogueError(errorMessage(error));
      },
    );
    return () => {
      live = false;
    };
  }, [api, kind]);

  const entryId = entry?.id ?? null;
  const standInId = entry?.itemId ?? null;
  useEffect(() => {
    if (entryId === null || standInId === null) return;
    let finished = false;
    const seen = (next: OutboxEntry): void => {
      if (next.id !== entryId || finished) return;
      setEntry(next);
      if (next.state === 'done') {
        finished = true;
        onReload(view.idNumber);
      }
    };
    const stop = api.subscribe((event) => {
      if (event.type === 'outbox.changed') seen(event.entry);
    });
    // A change between the submit's answer and this subscription would be missed: read the entry once.
    api.call('outbox.list', { itemId: standInId, limit: 5 }).then(
      (out) => out.entries.forEach(seen),
      () => undefined,
    );
    return stop;
  }, [api, entryId, standInId, onReload, view.idNumber]);

  const code = useMemo(() => {
    if (entry?.state !== 'done' || known.current === null) return null;
    const seen = known.current;
    const fresh = view.timeline.find((e) => e.item.source === 'procedure' && !seen.has(e.item.id));
    return fresh ? fresh.item.ref : null;
  }, [entry, view]);

  const submit = (values: FormValues): void => {
    setInvalid(null);
    const sep = values.procedure.indexOf('|');
    const backendId = sep > 0 ? values.procedure.slice(0, sep) : '';
    const action = {
      kind: 'dossier.register' as const,
      procedureCode: sep > 0 ? values.procedure.slice(sep + 1) : '',
      applicantName: values.fullName,
      idNumber: values.idNumber,
      birthDate: values.birthDate,
      sex: values.sex,
      address: values.address,
      phone: values.phone,
      summary: values.summary,
    };
    const parsed = DossierRegisterActionSchema.safeParse(action);
    if (!parsed.success) {
      setInvalid(parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    known.current = new Set(view.timeline.filter((e) => e.item.source === 'procedure').map((e) => e.item.id));
    setBusy(true);
    api.call('dossier.register', { backendId, action: parsed.data }).then(
      (created) => {
        setEntry(created);
        setBusy(false);
      },
      (error: unknown) => {
        setInvalid(errorMessage(error));
        setBusy(false);
      },
    );
  };

  return { procedures, catalogueError, invalid, entry, code, busy, submit };
}

/** Where the new dossier is: pending → sending → done (with its code), or why it stopped. */
function RegisterStatus({ entry, code }: { entry: OutboxEntry; code: string | null }): ReactElement {
  const { t } = useTr();
  const error = outboxErrorText(t, entry.lastError);
  const color = entry.state === 'done' ? 'green' : entry.state === 'needs_attention' || entry.state === 'conflict' ? 'red' : 'blue';
  return (
    <Callout.Root color={color} size="1" role="status" data-testid="citizen-register-status" data-state={entry.state}>
      <Callout.Text>
        {entry.state === 'done'
          ? code !== null
            ? t('citizen.register.done', { code })
            : t('citizen.register.doneNoCode')
          : t('citizen.register.state', { state: outboxStateLabel(t, entry.state) })}
        {entry.state !== 'done' && error !== null ? ` — ${error.text}${error.technical !== null ? ` (${error.technical})` : ''}` : ''}
      </Callout.Text>
    </Callout.Root>
  );
}
