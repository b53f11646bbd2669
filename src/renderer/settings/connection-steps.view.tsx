/** The result of "Kiểm tra kết nối": one line per step with its status, duration, message, advice and the TLS chain. */
import { Callout, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { ConnectionTestResult } from '../../shared/settings';
import { useTr } from '../i18n.hooks';

const MARK = { ok: '✓', failed: '✗', skipped: '–' } as const;

export function ConnectionSteps({ result }: { result: ConnectionTestResult }): ReactElement {
  const { t } = useTr();
  return (
    <div className="settings-steps" data-testid="connection-result" aria-live="polite">
      <Callout.Root color={result.ok ? 'green' : 'red'} size="1" role={result.ok ? 'status' : 'alert'}>
        <Callout.Text>
          {result.ok || result.failedStep === null ? t('settings.conn.resultOk') : t('settings.conn.resultFailed', { step: t(`settings.conn.step.${result.failedStep}`) })}
        </Callout.Text>
      </Callout.Root>
      <ol className="settings-steps__list">
        {result.steps.map((step) => (
          <li key={step.id} className={`settings-step settings-step--${step.status}`} data-testid={`step-${step.id}`} data-status={step.status}>
            <span className="settings-step__mark" aria-hidden="true">
              {MARK[step.status]}
            </span>
            <span className="settings-step__name">{t(`settings.conn.step.${step.id}`)}</span>
            <span className="settings-step__status">{t(`settings.conn.status.${step.status}`)}</span>
            {step.status !== 'skipped' ? <span className="settings-step__time">{t('settings.conn.duration', { ms: step.durationMs })}</span> : null}
            <Text as="p" size="2" className="settings-step__message">
              {step.message}
            </Text>
            {step.advice ? (
              <Text as="p" size="2" weight="medium" className="settings-step__advice">
                {t('settings.conn.advice', { advice: step.advice })}
              </Text>
            ) : null}
            {step.technical ? (
              <Text as="p" size="1" color="gray">
                {t('settings.conn.technical', { code: step.technical })}
              </Text>
            ) : null}
            {step.chain && step.chain.length > 0 ? (
              <details className="settings-step__chain">
                <summary>{t('settings.conn.chain')}</summary>
                <ol>
                  {step.chain.map((cert) => (
                    <li key={cert.fingerprint256}>
                      {t('settings.conn.certLine', { subject: cert.subject, issuer: cert.issuer, from: cert.validFrom, to: cert.validTo })}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
