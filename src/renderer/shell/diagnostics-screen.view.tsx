/**
 * "Chẩn đoán" (issue #7, feature `shell`, IT staff only): build the diagnostics bundle in the core
 * (`diagnostics.bundle`: versions, configuration without secrets, backend states, sync and outbox
 * counters, recent log lines — personal data removed), show its summary and save it as a file.
 */
import { Button, Heading, Text } from '@radix-ui/themes';
import { useState, type ReactElement } from 'react';
import { DiagnosticsBundleSchema, type DiagnosticsBundle } from '../../shared/shell';
import { useTr } from '../i18n.hooks';
import type { ScreenProps } from '../screens/screen-registry';
import { useApi } from '../state/api.context';
import { downloadText } from '../views/audit-panel.view';

export default function DiagnosticsScreen({ onNotice }: ScreenProps): ReactElement {
  const api = useApi();
  const { t } = useTr();
  const [busy, setBusy] = useState(false);
  const [bundle, setBundle] = useState<DiagnosticsBundle | null>(null);

  const build = (): void => {
    setBusy(true);
    api.call('diagnostics.bundle', {}).then(
      (r) => {
        setBusy(false);
        const parsed = DiagnosticsBundleSchema.safeParse(JSON.parse(r.content) as unknown);
        setBundle(parsed.success ? parsed.data : null);
        downloadText(r.filename, r.content, 'application/json');
        onNotice(t('shell.diagSaved', { file: r.filename }), 'info');
      },
      (error: unknown) => {
        setBusy(false);
        onNotice(t('shell.diagFailed', { message: error instanceof Error ? error.message : String(error) }), 'error');
      },
    );
  };

  return (
    <section className="diagnostics-screen" aria-labelledby="diagnostics-title" aria-busy={busy}>
      <Heading as="h1" size="5" id="diagnostics-title">
        {t('shell.diagTitle')}
      </Heading>
      <Text as="p" size="2">
        {t('shell.diagIntro')}
      </Text>
      <Button onClick={build} disabled={busy} data-testid="diagnostics-download">
        {busy ? t('shell.diagBuilding') : t('shell.diagDownload')}
      </Button>
      {bundle ? (
        <div data-testid="diagnostics-summary">
          <Heading as="h2" size="3">
            {t('shell.diagBackends')}
          </Heading>
          <table className="diagnostics-table">
            <thead>
              <tr>
                <th scope="col">{t('shell.diagBackend')}</th>
                <th scope="col">{t('shell.diagState')}</th>
                <th scope="col">{t('shell.diagItems')}</th>
                <th scope="col">{t('shell.diagQuarantined')}</th>
              </tr>
            </thead>
            <tbody>
              {bundle.backends.map((b) => (
                <tr key={b.id} data-testid="diagnostics-backend">
                  <td>{b.id}</td>
                  <td>{b.state}</td>
                  <td>{b.itemCount}</td>
                  <td>{b.quarantined}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Text as="p" size="2" data-testid="diagnostics-health">
            {t('shell.diagHealth', {
              items: bundle.health.items,
              open: bundle.health.openItems,
              outbox: Object.entries(bundle.health.outbox).map(([k, v]) => `${k} ${v}`).join(', ') || '0',
              log: bundle.recentLog.length,
            })}
          </Text>
        </div>
      ) : null}
    </section>
  );
}
