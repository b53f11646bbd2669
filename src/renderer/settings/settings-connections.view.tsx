/**
 * Tab "Kết nối": each backend's settings (address, account, secret, custom CA, sync interval,
 * time-out), "Kiểm tra kết nối" with the step list (DNS → TCP → TLS → sign-in → API → sample), and
 * validate / save of the whole configuration. Secrets are never shown: the field says whether one is
 * stored; typing replaces it (the core moves it to the keyring).
 */
import { Button, Callout, Flex, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { ConfigView, ConnectionTestResult } from '../../shared/settings';
import { useTr } from '../i18n.hooks';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { ApiCallError } from '../../shared/api';
import { adapterForSave, blankBackend, fieldValue, FIELDS, isBackendKind, isSecretMarker, msToSeconds, secondsToMs, withField, type BackendKind } from './settings-form';
import { ConnectionSteps } from './connection-steps.view';

interface Draft {
  adapter: Record<string, unknown>;
  pollIntervalMs: number;
  training: boolean;
}

interface Props {
  onNotice: (text: string, tone: 'info' | 'error') => void;
}

function issuesOf(error: unknown): string[] {
  return error instanceof ApiCallError ? (error.error.details ?? []) : [];
}

export function SettingsConnections({ onNotice }: Props): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [view, setView] = useState<ConfigView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [secrets, setSecrets] = useState<Array<Record<string, string>>>([]);
  const [tests, setTests] = useState<Array<ConnectionTestResult | 'running' | null>>([]);
  const [issues, setIssues] = useState<string[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [newKind, setNewKind] = useState<BackendKind>('procedure');

  const load = useCallback(() => {
    api.call('config.get', {}).then(
      (v) => {
        setView(v);
        setDrafts(v.backends.map((b) => ({ adapter: { ...b.adapter }, pollIntervalMs: b.pollIntervalMs, training: b.training })));
        setSecrets(v.backends.map(() => ({})));
        setTests(v.backends.map(() => null));
        setLoadError(null);
      },
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, [api]);
  useEffect(() => load(), [load]);

  if (loadError) return <Callout.Root color="red"><Callout.Text>{t('settings.loadFailed', { message: loadError })}</Callout.Text></Callout.Root>;
  if (!view) return <Text role="status">{t('settings.loading')}</Text>;

  const buildConfig = (): Record<string, unknown> => ({
    ...view.config,
    backends: drafts.map((d, i) => ({ adapter: adapterForSave(d.adapter, secrets[i] ?? {}), pollIntervalMs: d.pollIntervalMs, training: d.training })),
  });

  const setField = (i: number, key: string, value: unknown): void => {
    setDrafts((all) => all.map((d, j) => (j === i ? { ...d, adapter: withField(d.adapter, key, value) } : d)));
    setStatus(null);
  };
  const setPoll = (i: number, text: string): void => {
    setDrafts((all) => all.map((d, j) => (j === i ? { ...d, pollIntervalMs: secondsToMs(text) } : d)));
    setStatus(null);
  };

  const runTest = (i: number): void => {
    const draft = drafts[i];
    if (!draft) return;
    setTests((all) => all.map((r, j) => (j === i ? 'running' : r)));
    api.call('connection.test', { adapter: adapterForSave(draft.adapter, secrets[i] ?? {}) }).then(
      (result) => setTests((all) => all.map((r, j) => (j === i ? result : r))),
      (err: unknown) => {
        setTests((all) => all.map((r, j) => (j === i ? null : r)));
        const details = issuesOf(err);
        onNotice(errorMessage(err), 'error');
        if (details.length > 0) setIssues(details);
      },
    );
  };

  const validate = (): void => {
    api.call('config.validate', { config: buildConfig() }).then(
      (r) => {
        setIssues(r.ok ? [] : r.issues);
        setStatus(r.ok ? t('settings.conn.valid') : null);
      },
      (err: unknown) => onNotice(errorMessage(err), 'error'),
    );
  };

  const save = (): void => {
    setSaving(true);
    api.call('config.save', { config: buildConfig() }).then(
      (r) => {
        setSaving(false);
        setIssues([]);
        const stored = r.storedSecrets.length > 0 ? ` ${t('settings.conn.storedSecrets', { names: r.storedSecrets.join(', ') })}` : '';
        setStatus(`${t('settings.conn.saved')}${stored}`);
        onNotice(t('settings.conn.saved'), 'info');
        load();
      },
      (err: unknown) => {
        setSaving(false);
        setIssues(issuesOf(err));
        setStatus(null);
        onNotice(errorMessage(err), 'error');
      },
    );
  };

  const addBackend = (): void => {
    setDrafts((all) => [...all, blankBackend(newKind, all.length)]);
    setSecrets((all) => [...all, {}]);
    setTests((all) => [...all, null]);
  };
  const removeBackend = (i: number): void => {
    setDrafts((all) => all.filter((_, j) => j !== i));
    setSecrets((all) => all.filter((_, j) => j !== i));
    setTests((all) => all.filter((_, j) => j !== i));
  };

  return (
    <Flex direction="column" gap="3" data-testid="settings-connections">
      <Callout.Root color={view.editable ? 'blue' : 'amber'} size="1">
        <Callout.Text>{view.editable ? t('settings.restartNote') : t('settings.trainingReadOnly')}</Callout.Text>
      </Callout.Root>
      {drafts.map((draft, i) => {
        const kind = draft.adapter['kind'];
        if (!isBackendKind(kind)) return null;
        const id = String(draft.adapter['id'] ?? '');
        const test = tests[i] ?? null;
        return (
          <fieldset key={i} className="settings-backend" data-testid={`settings-backend-${id}`}>
            <legend>
              {t(`settings.conn.kind.${kind}`)}
              {draft.training ? ` (${t('settings.conn.training')})` : ''}
            </legend>
            <div className="settings-grid">
              {FIELDS[kind].map((field) => {
                const inputId = `settings-${i}-${field.key}`;
                const value = fieldValue(draft.adapter, field.key);
                return (
                  <div key={field.key} className={field.type === 'pem' ? 'settings-field settings-field--wide' : 'settings-field'}>
                    <label htmlFor={inputId}>{t(`settings.conn.field.${field.key}`)}</label>
                    {field.type === 'secret' ? (
                      <input
                        id={inputId}
                        type="password"
                        autoComplete="new-password"
                        value={secrets[i]?.[field.key] ?? ''}
                        placeholder={
                          isSecretMarker(value)
                            ? value.set
                              ? value.ref === null
                                ? t('settings.conn.secretInline')
                                : t('settings.conn.secretSet')
                              : t('settings.conn.secretMissing')
                            : t('settings.conn.secretMissing')
                        }
                        onChange={(e) => {
                          const text = e.currentTarget.value;
                          setSecrets((all) => all.map((s, j) => (j === i ? { ...s, [field.key]: text } : s)));
                        }}
                      />
                    ) : field.type === 'pem' ? (
                      <textarea
                        id={inputId}
                        rows={3}
                        spellCheck={false}
                        value={typeof value === 'string' ? value : ''}
                        placeholder="-----BEGIN CERTIFICATE-----"
                        onChange={(e) => setField(i, field.key, e.currentTarget.value)}
                      />
                    ) : field.type === 'list' ? (
                      <input
                        id={inputId}
                        type="text"
                        value={Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : ''}
                        placeholder={t('settings.conn.listHint')}
                        onChange={(e) => setField(i, field.key, e.currentTarget.value)}
                      />
                    ) : field.type === 'tls' ? (
                      <select id={inputId} value={typeof value === 'string' ? value : 'implicit'} onChange={(e) => setField(i, field.key, e.currentTarget.value)}>
                        {(['implicit', 'starttls', 'none'] as const).map((mode) => (
                          <option key={mode} value={mode}>
                            {t(`settings.conn.tls.${mode}`)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        id={inputId}
                        type={field.type === 'number' ? 'number' : 'text'}
                        inputMode={field.type === 'number' ? 'numeric' : undefined}
                        value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''}
                        onChange={(e) => {
                          const text = e.currentTarget.value;
                          setField(i, field.key, field.type === 'number' ? Number(text) : text);
                        }}
                      />
                    )}
                  </div>
                );
              })}
              <div className="settings-field">
                <label htmlFor={`settings-${i}-poll`}>{t('settings.conn.field.pollSeconds')}</label>
                <input
                  id={`settings-${i}-poll`}
                  type="number"
                  min={1}
                  inputMode="numeric"
                  data-testid={`settings-poll-${id}`}
                  value={Number.isFinite(draft.pollIntervalMs) ? msToSeconds(draft.pollIntervalMs) : ''}
                  onChange={(e) => setPoll(i, e.currentTarget.value)}
                />
              </div>
            </div>
            <Flex gap="2" mt="2" wrap="wrap">
              <Button type="button" variant="soft" onClick={() => runTest(i)} disabled={test === 'running'} data-testid={`settings-test-${id}`}>
                {test === 'running' ? t('settings.conn.testing') : t('settings.conn.test')}
              </Button>
              {!draft.training ? (
                <Button type="button" variant="ghost" color="red" onClick={() => removeBackend(i)}>
                  {t('settings.conn.remove')}
                </Button>
              ) : null}
            </Flex>
            {test !== null && test !== 'running' ? <ConnectionSteps result={test} /> : null}
          </fieldset>
        );
      })}
      <Flex gap="2" align="center" wrap="wrap">
        <label htmlFor="settings-new-kind">{t('settings.conn.addKind')}</label>
        <select id="settings-new-kind" value={newKind} onChange={(e) => setNewKind(isBackendKind(e.currentTarget.value) ? e.currentTarget.value : 'procedure')}>
          {(['procedure', 'document', 'mail'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`settings.conn.kind.${k}`)}
            </option>
          ))}
        </select>
        <Button type="button" variant="soft" onClick={addBackend}>
          {t('settings.conn.add')}
        </Button>
      </Flex>
      {issues && issues.length > 0 ? (
        <Callout.Root color="red" role="alert" data-testid="settings-issues">
          <Callout.Text>{t('settings.conn.invalid')}</Callout.Text>
          <ul className="settings-issues">
            {issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        </Callout.Root>
      ) : null}
      {status ? (
        <Callout.Root color="green" role="status" data-testid="settings-status">
          <Callout.Text>{status}</Callout.Text>
        </Callout.Root>
      ) : null}
      <Flex gap="2">
        <Button type="button" variant="soft" onClick={validate}>
          {t('settings.conn.validate')}
        </Button>
        <Button type="button" onClick={save} disabled={!view.editable || saving} data-testid="settings-save">
          {saving ? t('settings.conn.saving') : t('settings.conn.save')}
        </Button>
      </Flex>
    </Flex>
  );
}
