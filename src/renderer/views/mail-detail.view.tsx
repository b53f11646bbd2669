/**
 * Detail of an official email: headers and flags, then the content read safely (mail-body.view),
 * the links found in it and the attachments. Opening a mail does not mark it read: unread mail is
 * work in the queue, and the official marks it with `u` (or the button) when done with it.
 */
import { Badge, Text } from '@radix-ui/themes';
import type { ReactElement } from 'react';
import type { MailDetail, WorkItem } from '../../shared/work-item';
import { formatDateTime } from '../format/date.format';
import { formatAddress } from '../mail/compose';
import { DetailSection, Field, Fields } from './detail-parts.view';
import { MailBody } from './mail-body.view';
import { useTr } from '../i18n.hooks';

function addresses(list: readonly MailDetail['to'][number][]): string {
  return list.map(formatAddress).join('; ');
}

export function MailDetailView({ item, d, flagged }: { item: WorkItem; d: MailDetail; flagged: boolean }): ReactElement {
  const { t, lang } = useTr();
  const seen = item.status === 'seen';
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
            <span data-testid="mail-flags" data-seen={seen ? 'true' : 'false'} data-flagged={flagged ? 'true' : 'false'}>
              <Badge size="1" variant="soft" color={seen ? 'gray' : 'blue'}>
                {seen ? t('detail.mail.seen') : t('detail.mail.unseen')}
              </Badge>
              {flagged ? (
                <Badge size="1" variant="soft" color="orange" ml="1">
                  {t('detail.mail.flagged')}
                </Badge>
              ) : null}
              {d.history ? (
                <Badge size="1" variant="soft" color="gray" ml="1" title={t('detail.mail.historyHint')} data-testid="mail-history">
                  {t('detail.mail.history')}
                </Badge>
              ) : null}
            </span>
          </Field>
        </Fields>
      </DetailSection>
      <MailBody key={item.id} item={item} d={d} />
    </>
  );
}
