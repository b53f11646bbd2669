/** Detail of an incoming official document (văn bản đến, edXML header fields). */
import { Badge, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { DocumentDetail } from '../../shared/work-item';
import { formatDate, formatDateTime } from '../format/date.format';
import { priorityLabel } from '../format/labels.format';
import { DetailSection, Field, Fields, FileTable } from './detail-parts.view';
import { useTr } from '../i18n.hooks';

/** `dueAt`: the item's deadline in the queue (the document's own, or the one assumed from its priority). */
export function DocumentDetailView({ d, dueAt }: { d: DocumentDetail; dueAt: number | null }): ReactElement {
  const { t, lang } = useTr();
  const notation = d.codeNotation ? `${d.codeNumber}/${d.codeNotation}` : d.codeNumber;
  const place = [d.promulgationPlace, d.promulgationDate !== null ? formatDate(lang, d.promulgationDate) : null].filter(Boolean).join(', ');

  return (
    <>
      <DetailSection title={t('detail.general')}>
        <Fields>
          <Field label={t('detail.document.codeNotation')} mono>
            {notation}
          </Field>
          <Field label={t('detail.document.type')}>{d.documentTypeName ?? d.documentTypeCode}</Field>
          <Field label={t('detail.document.from')}>{d.from.name}</Field>
          <Field label={t('detail.document.promulgation')}>{place}</Field>
          <Field label={t('detail.document.subject')}>
            <Text weight="medium">{d.subject}</Text>
          </Field>
          <Field label={t('detail.document.priority')}>
            <Badge size="1" variant={d.priority >= 3 ? 'solid' : 'soft'} color={d.priority === 0 ? 'gray' : d.priority === 1 ? 'orange' : 'red'}>
              {priorityLabel(t, d.priority)}
            </Badge>
          </Field>
          <Field label={t('detail.document.dueDate')}>
            {d.dueDate !== null ? (
              <Text weight="bold">{formatDateTime(lang, d.dueDate)}</Text>
            ) : dueAt !== null ? (
              // No DueDate in the edXML: the queue counts the deadline from the priority; say so, or the
              // header's "quá hạn" would contradict an empty field.
              <span data-testid="document-due-assumed">
                {formatDateTime(lang, dueAt)}
                <Text as="div" size="1" color="gray">
                  {t('detail.document.dueAssumed')}
                </Text>
              </span>
            ) : null}
          </Field>
          <Field label={t('detail.document.steering')}>{t(`steering.${d.steeringType}`, { defaultValue: String(d.steeringType) })}</Field>
          <Field label={t('detail.document.incoming')}>
            {d.incomingNumber !== null ? (
              <>
                <strong>{d.incomingNumber}</strong>
                {d.incomingDate !== null ? `\u00a0— ${formatDate(lang, d.incomingDate)}` : ''}
              </>
            ) : (
              <Text color="amber">{t('detail.document.notRegistered')}</Text>
            )}
          </Field>
          {d.responseFor ? <Field label={t('detail.document.responseFor')}>{d.responseFor}</Field> : null}
          {d.pageCount !== null ? <Field label={t('detail.document.pageCount')}>{d.pageCount}</Field> : null}
          <Field label={t('detail.document.to')}>{d.to.map((o) => o.name).join('; ')}</Field>
          <Field label={t('detail.document.documentId')} mono>
            {d.documentId}
          </Field>
        </Fields>
      </DetailSection>

      <DetailSection title={t('detail.document.signer')}>
        <Fields>
          <Field label={t('detail.document.competence')}>{d.signer.competence}</Field>
          <Field label={t('detail.document.position')}>{d.signer.position}</Field>
          <Field label={t('detail.document.signer')}>
            <Text weight="medium">{d.signer.fullName}</Text>
          </Field>
        </Fields>
      </DetailSection>

      {d.content ? (
        <DetailSection title={t('detail.document.content')}>
          <Text as="p" size="2" className="detail-content">
            {d.content}
          </Text>
        </DetailSection>
      ) : null}

      <DetailSection title={t('detail.document.attachments')} count={d.attachments.length}>
        <FileTable files={d.attachments} emptyText={t('detail.document.noAttachments')} />
      </DetailSection>
    </>
  );
}
