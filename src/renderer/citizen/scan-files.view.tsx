/**
 * Issue #6: the scanned papers of a new dossier. Each file picked is read and staged in the core
 * (`mail.stageAttachment`, the same staging area as mail attachments) one at a time; the dossier's
 * `dossier.register` then names the staged files and the outbox carries them to DongBoHoSoMC.
 * Limits (count, per file, in all) are checked before reading, with the reason shown.
 */
import { Button, Text } from '@radix-ui/themes';
import { useRef, type ChangeEvent, type ReactElement } from 'react';
import { DOSSIER_FILE_MAX_BYTES, DOSSIER_FILES_MAX_BYTES, DOSSIER_MAX_FILES, type StagedAttachment } from '../../shared/actions';
import { readFileBase64 } from '../files/read-file';
import { formatFileSize } from '../format/date.format';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';

export interface ScanRow {
  key: number;
  name: string;
  size: number;
  state: 'reading' | 'ready' | 'error';
  staged: StagedAttachment | null;
  error: string | null;
}

/** Why these picked sizes cannot be added to the rows already there, or null. */
export function scanBudgetProblem(rows: readonly ScanRow[], picked: readonly number[]): { key: string; values: Record<string, string | number> } | null {
  const kept = rows.filter((r) => r.state !== 'error');
  if (kept.length + picked.length > DOSSIER_MAX_FILES) return { key: 'citizen.files.tooMany', values: { max: DOSSIER_MAX_FILES } };
  if (picked.some((s) => s > DOSSIER_FILE_MAX_BYTES)) return { key: 'citizen.files.tooBig', values: { max: DOSSIER_FILE_MAX_BYTES / 1024 / 1024 } };
  const total = kept.reduce((n, r) => n + r.size, 0) + picked.reduce((n, s) => n + s, 0);
  if (total > DOSSIER_FILES_MAX_BYTES) return { key: 'citizen.files.tooMuch', values: { max: DOSSIER_FILES_MAX_BYTES / 1024 / 1024 } };
  return null;
}

export function ScanFiles({
  rows,
  setRows,
  problem,
  setProblem,
}: {
  rows: ScanRow[];
  setRows: (update: (rows: ScanRow[]) => ScanRow[]) => void;
  problem: string | null;
  setProblem: (text: string | null) => void;
}): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const nextKey = useRef(0);
  const update = (key: number, patch: Partial<ScanRow>): void => setRows((list) => list.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const add = (e: ChangeEvent<HTMLInputElement>): void => {
    const picked = Array.from(e.target.files ?? []);
    e.target.value = '';
    if (picked.length === 0) return;
    const over = scanBudgetProblem(
      rows,
      picked.map((f) => f.size),
    );
    if (over) {
      setProblem(t(over.key, over.values));
      return;
    }
    setProblem(null);
    const added = picked.map((file) => {
      nextKey.current += 1;
      const row: ScanRow = { key: nextKey.current, name: file.name, size: file.size, state: 'reading', staged: null, error: null };
      return { row, file };
    });
    setRows((list) => [...list, ...added.map((a) => a.row)]);
    void added.reduce(
      (chain, { row, file }) =>
        chain.then(async () => {
          try {
            const dataBase64 = await readFileBase64(file);
            const staged = await api.call('mail.stageAttachment', { filename: file.name, contentType: file.type || 'application/octet-stream', dataBase64 });
            update(row.key, { state: 'ready', staged });
          } catch (error) {
            update(row.key, { state: 'error', error: errorMessage(error) });
          }
        }),
      Promise.resolve(),
    );
  };

  return (
    <fieldset className="citizen-papers" data-testid="citizen-files">
      <legend>{t('citizen.files.title')}</legend>
      <Text as="p" size="1" color="gray">
        {t('citizen.files.hint', { count: DOSSIER_MAX_FILES, each: DOSSIER_FILE_MAX_BYTES / 1024 / 1024, total: DOSSIER_FILES_MAX_BYTES / 1024 / 1024 })}
      </Text>
      {rows.map((r) => (
        <div key={r.key} className="citizen-papers__item" data-testid="citizen-file" data-state={r.state}>
          <span>
            {r.name} ({formatFileSize(lang, r.size)}){r.state === 'reading' ? ` — ${t('citizen.files.reading')}` : ''}
          </span>
          {r.error !== null ? (
            <small className="citizen-register__error" role="alert">
              {t('citizen.files.failed', { message: r.error })}
            </small>
          ) : null}
          <Button type="button" size="1" variant="ghost" color="gray" aria-label={t('citizen.files.remove', { name: r.name })} onClick={() => setRows((list) => list.filter((x) => x.key !== r.key))}>
            ✕
          </Button>
        </div>
      ))}
      <label className="citizen-form__field">
        <span>{t('citizen.files.pick')}</span>
        <input type="file" multiple accept=".pdf,.jpg,.jpeg,.png,.tif,.tiff,.doc,.docx,application/pdf,image/*" onChange={add} data-testid="citizen-files-input" />
      </label>
      {problem !== null ? (
        <small className="citizen-register__error" role="alert" data-testid="citizen-files-problem">
          {problem}
        </small>
      ) : null}
    </fieldset>
  );
}
