/** Detail of an official email: headers, flags, attachments and a plain-text preview (never HTML here). */
import { Badge, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { MailAddress, MailDetail } from '../../shared/work-item';
import { formatDateTime } from '../format/date.format';
import { DetailSection, Field, Fields, FileTable } from './detail-parts.view';
import { useTr } from '../i18n.hooks';

function addresses(list: readonly MailAddress[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join('; ');
}

export function MailDetailView({ d }: { d: MailDetail }): ReactElement {
  const { t, lang } = useTr();
  return (
    <>
      <DetailSection title={t('detail.general')}>
        <Fields>
          <Field label={t('detail.mail.from')}>{d.from ? addresses([d.from]) : null}</Field>
          <Field label={t('detail.mail.to')}>{addresses(d.to)}</Field>
          {d.cc.length > 0 ? <Field label={t('detail.mail.cc')}>{addresses(d.cc)}</Field> : null}
          <Field label={t('detail.mail.subject')}>
            <Text weight="medium">{d.subject}</Text>
          </Field>
          <Field label={t('detail.mail.date')}>{d.date !== null ? formatDateTime(lang, d.date) : null}</Field>
          <Field label={t('detail.mail.folder')}>{d.folder}</Field>
          <Field label={t('detail.mail.flags')}>
            <Badge size="1" variant="soft" color={d.seen ? 'gray' : 'blue'}>
              {d.seen ? t('detail.mail.seen') : t('detail.mail.unseen')}
            </Badge>
            {d.flagged ? (
              <Badge size="1" variant="soft" color="orange" ml="1">
                {t('detail.mail.flagged')}
              </Badge>
            ) : null}
          </Field>
        </Fields>
      </DetailSection>
      {d.preview ? (
        <DetailSection title={t('detail.mail.preview')}>
          <Text as="p" size="2" className="detail-content">
            {d.preview}
          </Text>
        </DetailSection>
      ) : null}
      <DetailSection title={t('detail.mail.attachments')} count={d.attachments.length}>
        <FileTable files={d.attachments} emptyText={t('detail.mail.noAttachments')} />
      </DetailSection>
    </>
  );
}
