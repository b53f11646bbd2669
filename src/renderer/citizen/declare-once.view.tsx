/**
 * Issue #6 "declare once": the new-dossier and supplement forms of the citizen screen, prefilled from
 * the scan and the cache with where each value came from.
 * - New dossier → `dossier.register` (outbox → DongBoHoSoMC): procedure, summary, the papers handed in
 *   (the catalogue's component papers as a checklist plus free text) and the fees (prefilled from the
 *   catalogue, "paid at the counter").
 * - Supplement → the chosen status-5 dossier's `dossier.supplementReceived` (outbox →
 *   CapNhatTienDoHoSoMC): the papers received (at least one; the request's own wording offered) and,
 *   when the official corrected them, the applicant's details.
 * Both follow their outbox entry (pending → done, or why it stopped) and read the citizen again when done.
 */
import { Button, Callout, Flex, Heading, Text } from '@radix-ui/themes';
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { DossierActionSchema, DossierRegisterActionSchema, SupplementFormPapersSchema } from '../../shared/actions';
import type { OutboxEntry } from '../../shared/api';
import type { CitizenView, Provenance } from '../../shared/citizen';
import type { WorkItem } from '../../shared/work-item';
import { formatDateTime } from '../format/date.format';
import type { Translate } from '../format/translate';
import { useTr } from '../i18n.hooks';
import type { Lang } from '../i18n';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { outboxErrorText, outboxStateLabel } from '../outbox/outbox-words';
import { ScanFiles, type ScanRow } from './scan-files.view';

export function provenanceText(t: Translate, lang: Lang, p: Provenance | undefined): string | null {
  if (!p) return null;
  if (p.kind === 'scan') return t('citizen.fromScan', { at: formatDateTime(lang, p.at) });
  if (p.kind === 'dossier') return t('citizen.fromDossier', { ref: p.ref ?? '' });
  return t('citizen.fromId');
}

interface ApplicantValues {
  idNumber: string;
  fullName: string;
  birthDate: string;
  sex: string;
  address: string;
  phone: string;
}
const APPLICANT_KEYS = ['fullName', 'idNumber', 'birthDate', 'sex', 'address', 'phone'] as const satisfies readonly (keyof ApplicantValues)[];

interface ProcedureOption {
  backendId: string;
  code: string;
  name: string;
  papers: string[];
  fees: { name: string; amount: number }[];
}

interface FeeRow {
  name: string;
  /** As typed ("50.000" is fifty thousand đồng). */
  amount: string;
  paid: boolean;
}

/** "50.000", "50 000", "50000" → 50000; anything else → NaN (the schema's Vietnamese message says why). */
function parseAmount(text: string): number {
  const digits = text.replace(/[\s.,]/g, '');
  return /^\d{1,12}$/.test(digits) ? Number(digits) : Number.NaN;
}

function issuesText(error: { issues: readonly { message: string }[] }): string {
  return [...new Set(error.issues.map((i) => i.message))].join('; ');
}

/** The new dossier / supplement form, prefilled with what is known and where it came from. */
export function DeclareOnceForm({
  view,
  kind,
  onClose,
  onReload,
}: {
  view: CitizenView;
  kind: 'new' | 'supplement';
  onClose: () => void;
  onReload: (idNumber: string) => void;
}): ReactElement {
  const { t, lang } = useTr();
  const c = view.citizen;
  const [initial] = useState<ApplicantValues>(() => ({
    idNumber: view.idNumber,
    fullName: c?.fullName ?? '',
    birthDate: c?.birthDate ?? '',
    sex: c?.sex ?? '',
    address: c?.address ?? '',
    phone: c?.phone ?? '',
  }));
  const [values, setValues] = useState<ApplicantValues>(initial);
  const prov = (k: string): string | null => provenanceText(t, lang, c?.provenance[k]);
  const field = (k: keyof ApplicantValues, label: string, type = 'text'): ReactElement => (
    <label className="citizen-form__field">
      <span>{label}</span>
      <input type={type} value={values[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} data-testid={`citizen-form-${k}`} />
      {values[k] !== '' && values[k] === initial[k] && prov(k) !== null ? (
        <small className="citizen-prov" data-testid={`citizen-form-${k}-source`}>
          {prov(k)}
        </small>
      ) : null}
    </label>
  );
  const applicantFields = (
    <>
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
        {values.sex !== '' && values.sex === initial.sex && prov('sex') !== null ? (
          <small className="citizen-prov" data-testid="citizen-form-sex-source">
            {prov('sex')}
          </small>
        ) : null}
      </label>
      {field('address', t('citizen.address'))}
      {field('phone', t('citizen.phone'), 'tel')}
    </>
  );
  return kind === 'new' ? (
    <NewDossierForm view={view} values={values} applicantFields={applicantFields} onClose={onClose} onReload={onReload} />
  ) : (
    <SupplementForm view={view} values={values} initial={initial} applicantFields={applicantFields} onClose={onClose} onReload={onReload} />
  );
}

function NewDossierForm({
  view,
  values,
  applicantFields,
  onClose,
  onReload,
}: {
  view: CitizenView;
  values: ApplicantValues;
  applicantFields: ReactElement;
  onClose: () => void;
  onReload: (idNumber: string) => void;
}): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [procedures, setProcedures] = useState<ProcedureOption[] | null>(null);
  const [catalogueError, setCatalogueError] = useState<string | null>(null);
  const [stale, setStale] = useState<{ backendId: string; label: string; fetchedAt: number | null }[]>([]);
  const [procedure, setProcedure] = useState('');
  const [summary, setSummary] = useState('');
  const [checked, setChecked] = useState<string[]>([]);
  const [extras, setExtras] = useState<string[]>([]);
  const [fees, setFees] = useState<FeeRow[]>([]);
  const [scans, setScans] = useState<ScanRow[]>([]);
  const [scanProblem, setScanProblem] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { entry, setEntry } = useFollowEntry(() => onReload(view.idNumber));
  // The citizen's dossiers before sending: the new one is the procedure item not among them.
  const known = useRef<Set<string> | null>(null);

  useEffect(() => {
    let live = true;
    api.call('procedures.list', {}).then(
      (out) => {
        if (!live) return;
        setProcedures(out.procedures);
        setStale(out.stale);
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
  }, [api]);

  const chosen = useMemo(() => (procedures ?? []).find((p) => `${p.backendId}|${p.code}` === procedure) ?? null, [procedures, procedure]);
  const choose = (value: string): void => {
    setProcedure(value);
    const next = (procedures ?? []).find((p) => `${p.backendId}|${p.code}` === value);
    // A new procedure: its own papers to tick and its catalogue fees, prefilled, not yet paid.
    setChecked([]);
    setFees((next?.fees ?? []).map((f) => ({ name: f.name, amount: String(f.amount), paid: false })));
  };

  const code = useMemo(() => {
    if (entry?.state !== 'done' || known.current === null) return null;
    const seen = known.current;
    const fresh = view.timeline.find((e) => e.item.source === 'procedure' && !seen.has(e.item.id));
    return fresh ? fresh.item.ref : null;
  }, [entry, view]);

  const submit = (): void => {
    setInvalid(null);
    if (scans.some((r) => r.state !== 'ready')) {
      setInvalid(t('citizen.files.notReady'));
      return;
    }
    const sep = procedure.indexOf('|');
    const backendId = sep > 0 ? procedure.slice(0, sep) : '';
    const papers = [...(chosen?.papers ?? []).filter((p) => checked.includes(p)), ...extras];
    const sendFees = fees.length > 0 || (chosen?.fees.length ?? 0) > 0;
    const action = {
      kind: 'dossier.register' as const,
      procedureCode: sep > 0 ? procedure.slice(sep + 1) : '',
      applicantName: values.fullName,
      idNumber: values.idNumber,
      birthDate: values.birthDate,
      sex: values.sex,
      address: values.address,
      phone: values.phone,
      summary,
      papers,
      ...(sendFees ? { fees: fees.map((f) => ({ name: f.name, amount: parseAmount(f.amount), paid: f.paid })) } : {}),
      ...(scans.length > 0 ? { files: scans.flatMap((r) => (r.staged ? [r.staged] : [])) } : {}),
    };
    const parsed = DossierRegisterActionSchema.safeParse(action);
    if (!parsed.success) {
      setInvalid(issuesText(parsed.error));
      return;
    }
    known.current = new Set(view.timeline.filter((e) => e.item.source === 'procedure').map((e) => e.item.id));
    send(api.call('dossier.register', { backendId, action: parsed.data }), { entry: setEntry, invalid: setInvalid, busy: setBusy });
  };

  return (
    <form className="citizen-form" data-testid="citizen-form" data-kind="new" onSubmit={(e) => e.preventDefault()}>
      <Heading as="h3" size="2">
        {t('citizen.formTitle')}
      </Heading>
      <Text as="p" size="1" color="gray">
        {t('citizen.formHint')}
      </Text>
      <label className="citizen-form__field">
        <span>{t('citizen.procedure')}</span>
        <select value={procedure} onChange={(e) => choose(e.target.value)} disabled={procedures === null} data-testid="citizen-form-procedure">
          <option value="">{procedures === null ? t('citizen.register.proceduresLoading') : t('citizen.register.chooseProcedure')}</option>
          {(procedures ?? []).map((p) => (
            <option key={`${p.backendId}|${p.code}`} value={`${p.backendId}|${p.code}`}>
              {p.name}
            </option>
          ))}
        </select>
        {catalogueError !== null ? (
          <small className="citizen-register__error" role="alert" data-testid="citizen-form-procedure-error">
            {t('citizen.register.proceduresFailed', { message: catalogueError })}
          </small>
        ) : null}
        {stale.map((b) => (
          <small key={b.backendId} className="citizen-prov" role="status" data-testid="citizen-form-procedure-stale">
            {b.fetchedAt !== null
              ? t('citizen.register.catalogueKept', { label: b.label, at: formatDateTime(lang, b.fetchedAt) })
              : t('citizen.register.catalogueMissing', { label: b.label })}
          </small>
        ))}
      </label>
      {applicantFields}
      <label className="citizen-form__field">
        <span>{t('citizen.register.summary')}</span>
        <textarea
          value={summary}
          maxLength={1000}
          rows={2}
          placeholder={t('citizen.register.summaryPlaceholder')}
          onChange={(e) => setSummary(e.target.value)}
          data-testid="citizen-form-summary"
        />
      </label>
      <PaperList
        legend={t('citizen.papers.received')}
        suggestions={chosen?.papers ?? []}
        suggestionsHint={chosen !== null && chosen.papers.length === 0 ? t('citizen.papers.noCatalogue') : null}
        checked={checked}
        setChecked={setChecked}
        extras={extras}
        setExtras={setExtras}
      />
      <FeeList fees={fees} setFees={setFees} />
      <ScanFiles rows={scans} setRows={setScans} problem={scanProblem} setProblem={setScanProblem} />
      <Text as="p" size="1" color="gray">
        {t('citizen.register.note')} {t('citizen.papers.noFiles')}
      </Text>
      {invalid !== null ? (
        <Callout.Root color="red" role="alert" size="1" data-testid="citizen-register-invalid">
          <Callout.Text>{t('citizen.register.invalid', { message: invalid })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {entry !== null ? (
        <EntryStatus entry={entry} doneText={code !== null ? t('citizen.register.done', { code }) : t('citizen.register.doneNoCode')} stateKey="citizen.register.state" />
      ) : null}
      <Flex gap="2">
        <Button type="button" onClick={submit} disabled={busy || (entry !== null && entry.state !== 'needs_attention' && entry.state !== 'discarded')} data-testid="citizen-form-send">
          {t('citizen.register.send')}
        </Button>
        <Button type="button" variant="soft" onClick={onClose}>
          {t('citizen.close')}
        </Button>
      </Flex>
    </form>
  );
}

function SupplementForm({
  view,
  values,
  initial,
  applicantFields,
  onClose,
  onReload,
}: {
  view: CitizenView;
  values: ApplicantValues;
  initial: ApplicantValues;
  applicantFields: ReactElement;
  onClose: () => void;
  onReload: (idNumber: string) => void;
}): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const waiting = useMemo(() => view.timeline.filter((e) => e.item.source === 'procedure' && e.item.status === '5').map((e) => e.item), [view]);
  const [dossierId, setDossierId] = useState<string>(() => waiting[0]?.id ?? '');
  const dossier: WorkItem | null = waiting.find((d) => d.id === dossierId) ?? null;
  const [asked, setAsked] = useState<{ id: string; reason: string } | null>(null);
  const [checked, setChecked] = useState<string[]>([]);
  const [extras, setExtras] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [scans, setScans] = useState<ScanRow[]>([]);
  const [scanProblem, setScanProblem] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentFor, setSentFor] = useState<string | null>(null);
  const { entry, setEntry } = useFollowEntry(() => onReload(view.idNumber));

  // What the open supplement request asked for, offered as a paper to tick.
  useEffect(() => {
    if (dossierId === '') return;
    let live = true;
    api.call('item.get', { id: dossierId }).then(
      (got) => {
        if (!live || got.detail.source !== 'procedure') return;
        const open = [...got.detail.supplements].reverse().find((s) => s.receivedAt === null);
        const reason = open?.reason.trim() ?? '';
        setAsked(reason.length >= 2 ? { id: dossierId, reason: reason.slice(0, 300) } : null);
      },
      () => {
        if (live) setAsked(null);
      },
    );
    return () => {
      live = false;
    };
  }, [api, dossierId]);

  const corrected = APPLICANT_KEYS.some((k) => values[k] !== initial[k]);
  const suggestions = asked !== null && asked.id === dossierId ? [asked.reason] : [];

  const submit = (): void => {
    setInvalid(null);
    if (dossier === null) {
      setInvalid(t('citizen.supplementForm.chooseDossier'));
      return;
    }
    if (scans.some((r) => r.state !== 'ready')) {
      setInvalid(t('citizen.files.notReady'));
      return;
    }
    const files = scans.flatMap((r) => (r.staged ? [r.staged] : []));
    // At least one paper: named, or a scanned file.
    const names = [...suggestions.filter((p) => checked.includes(p)), ...extras];
    const papers = SupplementFormPapersSchema.safeParse(names);
    if (!papers.success && !(names.length === 0 && files.length > 0)) {
      setInvalid(issuesText(papers.error));
      return;
    }
    const action = {
      kind: 'dossier.supplementReceived' as const,
      ...(names.length > 0 ? { papers: names } : {}),
      ...(files.length > 0 ? { files } : {}),
      ...(note.trim() !== '' ? { note } : {}),
      ...(corrected
        ? {
            applicant: {
              fullName: values.fullName,
              idNumber: values.idNumber,
              // Unknown birth date or sex (dossiers do not carry them): not sent, left as the backend has them.
              ...(values.birthDate !== '' ? { birthDate: values.birthDate } : {}),
              ...(values.sex !== '' ? { sex: values.sex } : {}),
              address: values.address,
              phone: values.phone,
            },
          }
        : {}),
    };
    const parsed = DossierActionSchema.safeParse(action);
    if (!parsed.success) {
      setInvalid(issuesText(parsed.error));
      return;
    }
    const ref = dossier.ref;
    send(api.call('action.submit', { itemId: dossier.id, action: parsed.data, baseUpdatedAt: dossier.updatedAt }), {
      entry: (created) => {
        setSentFor(ref);
        setEntry(created);
      },
      invalid: setInvalid,
      busy: setBusy,
    });
  };

  return (
    <form className="citizen-form" data-testid="citizen-form" data-kind="supplement" onSubmit={(e) => e.preventDefault()}>
      <Heading as="h3" size="2">
        {t('citizen.formSupplementTitle')}
      </Heading>
      {entry === null && waiting.length === 0 ? (
        <Callout.Root color="gray" size="1" data-testid="citizen-supplement-none">
          <Callout.Text>{t('citizen.supplementForm.none')}</Callout.Text>
        </Callout.Root>
      ) : null}
      {waiting.length > 0 ? (
        <>
          <Text as="p" size="1" color="gray">
            {t('citizen.supplementForm.hint')}
          </Text>
          <label className="citizen-form__field">
            <span>{t('citizen.supplementForm.dossier')}</span>
            <select
              value={dossierId}
              onChange={(e) => {
                setDossierId(e.target.value);
                setChecked([]);
              }}
              data-testid="citizen-supplement-dossier"
            >
              {waiting.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.ref} — {d.kind}
                </option>
              ))}
            </select>
          </label>
          {applicantFields}
          {corrected ? (
            <Text as="p" size="1" color="orange" data-testid="citizen-supplement-corrected">
              {t('citizen.supplementForm.corrected')}
            </Text>
          ) : null}
          <PaperList
            legend={t('citizen.papers.supplement')}
            suggestions={suggestions}
            suggestionsHint={suggestions.length > 0 ? t('citizen.papers.asked') : null}
            checked={checked}
            setChecked={setChecked}
            extras={extras}
            setExtras={setExtras}
          />
          <ScanFiles rows={scans} setRows={setScans} problem={scanProblem} setProblem={setScanProblem} />
          <label className="citizen-form__field">
            <span>{t('citizen.supplementForm.note')}</span>
            <input type="text" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} data-testid="citizen-supplement-note" />
          </label>
        </>
      ) : null}
      {invalid !== null ? (
        <Callout.Root color="red" role="alert" size="1" data-testid="citizen-register-invalid">
          <Callout.Text>{t('citizen.register.invalid', { message: invalid })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {entry !== null ? <EntryStatus entry={entry} doneText={t('citizen.supplementForm.done', { code: sentFor ?? '' })} stateKey="citizen.supplementForm.state" /> : null}
      <Flex gap="2">
        {waiting.length > 0 ? (
          <Button
            type="button"
            onClick={submit}
            disabled={busy || (entry !== null && entry.state !== 'needs_attention' && entry.state !== 'discarded')}
            data-testid="citizen-supplement-send"
          >
            {t('citizen.supplementForm.send')}
          </Button>
        ) : null}
        <Button type="button" variant="soft" onClick={onClose}>
          {t('citizen.close')}
        </Button>
      </Flex>
    </form>
  );
}

/** Send a form's outbox action: the entry to follow, or the refusal to show; busy while it travels. */
function send(call: Promise<OutboxEntry>, on: { entry: (created: OutboxEntry) => void; invalid: (message: string) => void; busy: (busy: boolean) => void }): void {
  on.busy(true);
  call.then(
    (created) => {
      on.entry(created);
      on.busy(false);
    },
    (error: unknown) => {
      on.invalid(errorMessage(error));
      on.busy(false);
    },
  );
}

/** Papers handed in: a checklist (the catalogue's papers, or what the request asked for) plus free text. */
function PaperList({
  legend,
  suggestions,
  suggestionsHint,
  checked,
  setChecked,
  extras,
  setExtras,
}: {
  legend: string;
  suggestions: readonly string[];
  suggestionsHint: string | null;
  checked: string[];
  setChecked: (next: string[]) => void;
  extras: string[];
  setExtras: (next: string[]) => void;
}): ReactElement {
  const { t } = useTr();
  const [draft, setDraft] = useState('');
  const add = (): void => {
    const name = draft.trim();
    if (name === '' || extras.includes(name) || suggestions.includes(name)) {
      if (suggestions.includes(name) && !checked.includes(name)) setChecked([...checked, name]);
      setDraft('');
      return;
    }
    setExtras([...extras, name]);
    setDraft('');
  };
  return (
    <fieldset className="citizen-papers" data-testid="citizen-papers">
      <legend>{legend}</legend>
      {suggestionsHint !== null ? (
        <Text as="p" size="1" color="gray">
          {suggestionsHint}
        </Text>
      ) : null}
      {suggestions.map((name) => (
        <label key={name} className="citizen-papers__item">
          <input
            type="checkbox"
            checked={checked.includes(name)}
            onChange={(e) => setChecked(e.target.checked ? [...checked, name] : checked.filter((n) => n !== name))}
            data-testid="citizen-paper-option"
            data-name={name}
          />{' '}
          {name}
        </label>
      ))}
      {extras.map((name) => (
        <div key={name} className="citizen-papers__item" data-testid="citizen-paper-extra">
          <span>{name}</span>{' '}
          <Button type="button" size="1" variant="ghost" onClick={() => setExtras(extras.filter((n) => n !== name))} aria-label={t('citizen.papers.remove', { name })}>
            ✕
          </Button>
        </div>
      ))}
      <Flex gap="2" align="center">
        <input
          type="text"
          value={draft}
          maxLength={300}
          placeholder={t('citizen.papers.placeholder')}
          aria-label={t('citizen.papers.other')}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          data-testid="citizen-paper-input"
        />
        <Button type="button" size="1" variant="soft" onClick={add} disabled={draft.trim() === ''} data-testid="citizen-paper-add">
          {t('citizen.papers.add')}
        </Button>
      </Flex>
    </fieldset>
  );
}

/** Fees of the new dossier: prefilled from the catalogue (name, amount), "paid at the counter". */
function FeeList({ fees, setFees }: { fees: FeeRow[]; setFees: (next: FeeRow[]) => void }): ReactElement {
  const { t } = useTr();
  const update = (i: number, patch: Partial<FeeRow>): void => setFees(fees.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <fieldset className="citizen-papers" data-testid="citizen-fees">
      <legend>{t('citizen.fees.title')}</legend>
      {fees.length === 0 ? (
        <Text as="p" size="1" color="gray" data-testid="citizen-fees-none">
          {t('citizen.fees.none')}
        </Text>
      ) : null}
      {fees.map((f, i) => (
        <div key={i} className="citizen-fee" data-testid="citizen-fee">
          <input type="text" value={f.name} maxLength={300} aria-label={t('citizen.fees.name')} onChange={(e) => update(i, { name: e.target.value })} data-testid="citizen-fee-name" />
          <input
            type="text"
            inputMode="numeric"
            value={f.amount}
            maxLength={16}
            aria-label={t('citizen.fees.amount')}
            onChange={(e) => update(i, { amount: e.target.value })}
            data-testid="citizen-fee-amount"
          />
          <span>{t('citizen.fees.currency')}</span>
          <label>
            <input type="checkbox" checked={f.paid} onChange={(e) => update(i, { paid: e.target.checked })} data-testid="citizen-fee-paid" /> {t('citizen.fees.paid')}
          </label>
          <Button type="button" size="1" variant="ghost" onClick={() => setFees(fees.filter((_, j) => j !== i))} aria-label={t('citizen.fees.remove')}>
            ✕
          </Button>
        </div>
      ))}
      <Button type="button" size="1" variant="soft" onClick={() => setFees([...fees, { name: '', amount: '', paid: false }])} data-testid="citizen-fee-add">
        {t('citizen.fees.add')}
      </Button>
    </fieldset>
  );
}

/**
 * Follow one outbox entry through its `outbox.changed` events (and one read, for a change between the
 * submit's answer and the subscription); `onDone` once when it is done.
 */
function useFollowEntry(onDone: () => void): { entry: OutboxEntry | null; setEntry: (e: OutboxEntry) => void } {
  const api = useApi();
  const [entry, setEntry] = useState<OutboxEntry | null>(null);
  const done = useRef(onDone);
  done.current = onDone;
  const entryId = entry?.id ?? null;
  const itemId = entry?.itemId ?? null;
  useEffect(() => {
    if (entryId === null || itemId === null) return;
    let finished = false;
    const seen = (next: OutboxEntry): void => {
      if (next.id !== entryId || finished) return;
      setEntry(next);
      if (next.state === 'done') {
        finished = true;
        done.current();
      }
    };
    const stop = api.subscribe((event) => {
      if (event.type === 'outbox.changed') seen(event.entry);
    });
    api.call('outbox.list', { itemId, limit: 20 }).then(
      (out) => out.entries.forEach(seen),
      () => undefined,
    );
    return stop;
  }, [api, entryId, itemId]);
  return { entry, setEntry };
}

/** Where the entry is: pending → sending → done, or why it stopped. */
function EntryStatus({ entry, doneText, stateKey }: { entry: OutboxEntry; doneText: string; stateKey: string }): ReactElement {
  const { t } = useTr();
  const error = outboxErrorText(t, entry.lastError);
  const color = entry.state === 'done' ? 'green' : entry.state === 'needs_attention' || entry.state === 'conflict' ? 'red' : 'blue';
  return (
    <Callout.Root color={color} size="1" role="status" data-testid="citizen-register-status" data-state={entry.state}>
      <Callout.Text>
        {entry.state === 'done' ? doneText : t(stateKey, { state: outboxStateLabel(t, entry.state) })}
        {entry.state !== 'done' && error !== null ? ` — ${error.text}${error.technical !== null ? ` (${error.technical})` : ''}` : ''}
      </Callout.Text>
    </Callout.Root>
  );
}
