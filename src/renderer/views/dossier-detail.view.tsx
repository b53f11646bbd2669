/** Detail of an administrative-procedure dossier (hồ sơ TTHC). */
import { Badge, Flex, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { DossierDetail } from '../../shared/work-item';
import { formatDateTime, formatMoney } from '../format/date.format';
import { DetailSection, Field, Fields, FileTable } from './detail-parts.view';
import { useTr } from '../i18n.hooks';
import { maskerFor, usePrivacy } from '../citizen/privacy.store';

export function DossierDetailView({ d }: { d: DossierDetail }): ReactElement {
  const { t, lang } = useTr();
  const dt = (at: number | null): string => formatDateTime(lang, at);
  const feeTotal = d.fees.reduce((s, f) => s + f.amount, 0);
  const steps = [...d.steps].sort((a, b) => a.at - b.at);
  // Privacy mode (issue #6): another citizen's personal data is masked for a visitor at the counter.
  const mask = maskerFor(usePrivacy(), d.applicantIdNumber ?? d.identities[0]?.number ?? null);
  const emailMasked = mask.masked && d.email ? mask.address(d.email) : d.email;

  return (
    <>
      <DetailSection title={t('detail.general')}>
        <Fields>
          <Field label={t('detail.dossier.code')} mono>
            {d.code}
          </Field>
          <Field label={t('detail.dossier.procedure')}>
            <div>
              <div>{d.procedureName}</div>
              <Text as="div" size="1" color="gray" className="mono">
                {d.procedureCode}
              </Text>
            </div>
          </Field>
          <Field label={t('detail.dossier.field')}>{d.fieldName ?? d.fieldCode}</Field>
          <Field label={t('detail.dossier.summary')}>{mask.masked ? mask.text(d.applicant !== '' ? d.summary.split(d.applicant).join(mask.name(d.applicant) ?? '') : d.summary) : d.summary}</Field>
          <Field label={t('detail.dossier.channel')}>{t(`channel.${d.channel}`, { defaultValue: String(d.channel) })}</Field>
          <Field label={t('detail.dossier.handlingUnit')}>{d.handlingUnit}</Field>
          <Field label={t('detail.dossier.returnMethod')}>
            {d.returnMethod !== null ? t(`returnMethod.${d.returnMethod}`, { defaultValue: String(d.returnMethod) }) : null}
          </Field>
        </Fields>
      </DetailSection>

      <DetailSection title={t('detail.dossier.applicantSection')}>
        <Fields>
          <Field label={t('detail.dossier.applicant')}>
            <Text weight="medium" data-masked={mask.masked ? 'true' : undefined}>
              {mask.name(d.applicant)}
            </Text>
          </Field>
          <Field label={t('detail.dossier.applicantType')}>{t(`applicantType.${d.applicantType}`, { defaultValue: String(d.applicantType) })}</Field>
          <Field label={t('detail.dossier.idNumbers')}>
            {d.identities.length > 0 || d.applicantIdNumber ? (
              <Flex direction="column" gap="0">
                {d.identities.length > 0
                  ? d.identities.map((id) => (
                      <span key={`${id.type}-${id.number}`}>
                        <Text color="gray" size="1">
                          {t(`identityType.${id.type}`, { defaultValue: String(id.type) })}:{' '}
                        </Text>
                        <span className="mono">{mask.id(id.number)}</span>
                      </span>
                    ))
                  : <span className="mono">{mask.id(d.applicantIdNumber)}</span>}
              </Flex>
            ) : null}
          </Field>
          <Field label={t('detail.dossier.phone')} mono>
            {mask.phone(d.phone)}
          </Field>
          <Field label={t('detail.dossier.email')}>{emailMasked}</Field>
          <Field label={t('detail.dossier.address')}>{mask.address(d.address)}</Field>
        </Fields>
      </DetailSection>

      <DetailSection title={t('detail.dossier.datesSection')}>
        <Fields>
          <Field label={t('detail.dossier.submittedAt')}>{dt(d.submittedAt)}</Field>
          <Field label={t('detail.dossier.receivedAt')}>{dt(d.receivedAt)}</Field>
          <Field label={t('detail.dossier.appointmentAt')}>
            {d.appointmentAt !== null ? <Text weight="bold">{dt(d.appointmentAt)}</Text> : null}
          </Field>
          {d.finishedAt !== null ? <Field label={t('detail.dossier.finishedAt')}>{dt(d.finishedAt)}</Field> : null}
          {d.returnedAt !== null ? <Field label={t('detail.dossier.returnedAt')}>{dt(d.returnedAt)}</Field> : null}
          {d.refusedAt !== null ? <Field label={t('detail.dossier.refusedAt')}>{dt(d.refusedAt)}</Field> : null}
        </Fields>
      </DetailSection>

      <DetailSection title={t('detail.dossier.steps')} count={steps.length}>
        {steps.length === 0 ? (
          <Text size="1" color="gray">
            {t('detail.dossier.noSteps')}
          </Text>
        ) : (
          <ol className="timeline">
            {steps.map((s, i) => (
              <li key={`${s.at}-${i}`} className="timeline__item">
                <span className="timeline__dot" aria-hidden="true" />
                <div className="timeline__body">
                  <Flex gap="2" align="baseline" wrap="wrap">
                    <Text size="1" weight="bold" className="tabular">
                      {dt(s.at)}
                    </Text>
                    <Text size="1" weight="medium">
                      {s.official}
                    </Text>
                    {s.title ? (
                      <Text size="1" color="gray">
                        {s.title}
                      </Text>
                    ) : null}
                    {s.department ? (
                      <Text size="1" color="gray">
                        · {s.department}
                      </Text>
                    ) : null}
                  </Flex>
                  <Text as="div" size="1" className="timeline__content">
                    {s.content}
                  </Text>
                  {s.dueAt !== null ? (
                    <Text as="div" size="1" color="gray">
                      {t('detail.dossier.stepDue', { date: dt(s.dueAt) })}
                    </Text>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
        )}
      </DetailSection>

      <DetailSection title={t('detail.dossier.files')} count={d.files.length}>
        <FileTable files={d.files} emptyText={t('detail.dossier.noFiles')} />
      </DetailSection>

      <DetailSection title={t('detail.dossier.fees')} count={d.fees.length}>
        {d.fees.length === 0 ? (
          <Text size="1" color="gray">
            {t('detail.dossier.noFees')}
          </Text>
        ) : (
          <table className="data-table">
            <tbody>
              {d.fees.map((f, i) => (
                <tr key={`${f.name}-${i}`}>
                  <td>{f.name}</td>
                  <td className="num">{formatMoney(lang, f.amount)}</td>
                  <td className="num">
                    <Badge size="1" color={f.paid ? 'green' : 'amber'} variant="soft">
                      {f.paid ? t('detail.dossier.feePaid') : t('detail.dossier.feeUnpaid')}
                    </Badge>
                  </td>
                </tr>
              ))}
              {d.fees.length > 1 ? (
                <tr className="data-table__total">
                  <th scope="row">{t('detail.dossier.feeTotal')}</th>
                  <td className="num">{formatMoney(lang, feeTotal)}</td>
                  <td />
                </tr>
              ) : null}
            </tbody>
          </table>
        )}
      </DetailSection>

      {d.supplements.length > 0 ? (
        <DetailSection title={t('detail.dossier.supplements')} count={d.supplements.length}>
          <Flex direction="column" gap="2">
            {d.supplements.map((s, i) => (
              <div key={`${s.requestedAt}-${i}`} className="supplement">
                <Text as="div" size="1" weight="bold">
                  {t('detail.dossier.supplementRequested', { date: dt(s.requestedAt) })}
                </Text>
                <Text as="div" size="1">
                  {s.reason}
                </Text>
                <Flex gap="3" wrap="wrap">
                  <Text size="1" color="gray">
                    {t('detail.dossier.oldDue')}: <span className="tabular">{dt(s.oldDueAt) || t('detail.none')}</span>
                  </Text>
                  <Text size="1">
                    {t('detail.dossier.newDue')}: <strong className="tabular">{dt(s.newDueAt) || t('detail.none')}</strong>
                  </Text>
                </Flex>
                <Text as="div" size="1" color={s.receivedAt !== null ? 'green' : 'amber'}>
                  {s.receivedAt !== null ? t('detail.dossier.supplementReceived', { date: dt(s.receivedAt) }) : t('detail.dossier.supplementPending')}
                </Text>
              </div>
            ))}
          </Flex>
        </DetailSection>
      ) : null}

      <DetailSection title={t('detail.dossier.results')} count={d.results.length}>
        <FileTable files={d.results} emptyText={t('detail.dossier.noResults')} />
      </DetailSection>
    </>
  );
}
