/** Building blocks of the detail pane: labelled fields, sections, file tables. */
// Plain <table>s, not Radix Table: its ScrollArea injects an inline <style> the CSP blocks.
import { DataList, Heading, Text } from '@radix-ui/themes';
import type { ReactElement, ReactNode } from 'react';
import type { FileRef } from '../../shared/work-item';
import { formatFileSize } from '../format/date.format';
import { useTr } from '../i18n.hooks';

export function Field({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }): ReactElement {
  const { t } = useTr();
  const empty = children === null || children === undefined || children === '';
  return (
    <DataList.Item>
      <DataList.Label minWidth="128px" className="detail-field__label">
        {label}
      </DataList.Label>
      <DataList.Value className={mono ? 'detail-field__value mono' : 'detail-field__value'}>
        {empty ? <Text color="gray">{t('detail.none')}</Text> : children}
      </DataList.Value>
    </DataList.Item>
  );
}

export function Fields({ children }: { children: ReactNode }): ReactElement {
  return (
    <DataList.Root size="1" className="detail-fields">
      {children}
    </DataList.Root>
  );
}

export function DetailSection({ title, children, count }: { title: string; children: ReactNode; count?: number }): ReactElement {
  return (
    <section className="detail-section">
      <Heading as="h3" size="2" className="detail-section__title">
        {title}
        {count !== undefined ? <span className="detail-section__count">{count}</span> : null}
      </Heading>
      {children}
    </section>
  );
}

export function FileTable({ files, emptyText }: { files: FileRef[]; emptyText: string }): ReactElement {
  const { t, lang } = useTr();
  if (files.length === 0)
    return (
      <Text size="1" color="gray">
        {emptyText}
      </Text>
    );
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{t('detail.file.name')}</th>
          <th scope="col">{t('detail.file.type')}</th>
          <th scope="col" className="num">
            {t('detail.file.size')}
          </th>
        </tr>
      </thead>
      <tbody>
        {files.map((f, i) => (
          <tr key={`${f.name}-${i}`}>
            <td>
              <div className="break-word data-table__strong">{f.name}</div>
              {f.description ? <div className="data-table__muted">{f.description}</div> : null}
            </td>
            <td className="data-table__muted">{fileTypeLabel(f)}</td>
            <td className="num">{formatFileSize(lang, f.size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "PDF", "DOCX"… from the extension, else the MIME subtype. */
function fileTypeLabel(f: FileRef): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(f.name)?.[1];
  if (ext) return ext.toUpperCase();
  if (f.mimeType) return f.mimeType.split('/').pop()?.toUpperCase() ?? f.mimeType;
  return '';
}
