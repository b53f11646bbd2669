/**
 * The audit log ("Nhật ký thao tác"): a paged list (time, actor, kind, summary), the integrity check
 * of the hash chain, and export as JSON Lines (a Blob URL and an <a download>, no Node).
 */
import { Badge, Button, Callout, Flex, Heading, Kbd, Spinner, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { AuditEntry, AuditVerify } from '../../shared/api';
import { formatDateTime, formatNumber } from '../format/date.format';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

export const AUDIT_PAGE_SIZE = 50;

/** Save text as a file from the browser sandbox. */
/** Save `content` (text or bytes) as a file through the browser's download. */
export function downloadText(filename: string, content: string | Uint8Array<ArrayBuffer>, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface AuditPanelProps {
  onClose: () => void;
  onNotice: (text: string, tone: 'info' | 'error') => void;
  /** Bumped when something was logged (outbox events): the list re-reads. */
  reloadKey: number;
}

export function AuditPanel({ onClose, onNotice, reloadKey }: AuditPanelProps): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ entries: AuditEntry[]; total: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [verify, setVerify] = useState<AuditVerify | 'running' | null>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(() => {
    setLoading(true);
    let cancelled = false;
    api.call('audit.list', { offset, limit: AUDIT_PAGE_SIZE }).then(
      (r) => {
        if (cancelled) return;
        setPage(r);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, offset]);

  useEffect(() => load(), [load, reloadKey]);

  const runVerify = (): void => {
    setVerify('running');
    api.call('audit.verify', {}).then(
      (r) => setVerify(r),
      (err: unknown) => {
        setVerify(null);
        onNotice(t('audit.verifyFailed', { message: errorMessage(err) }), 'error');
      },
    );
  };

  const runExport = (): void => {
    setExporting(true);
    api.call('audit.export', {}).then(
      (r) => {
        setExporting(false);
        downloadText(r.filename, r.content);
        onNotice(t('audit.exported', { filename: r.filename }), 'info');
      },
      (err: unknown) => {
        setExporting(false);
        onNotice(t('audit.exportFailed', { message: errorMessage(err) }), 'error');
      },
    );
  };

  const total = page?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + (page?.entries.length ?? 0));

  return (
    <div className="side-panel" data-testid="audit-panel" aria-labelledby="audit-title">
      <header className="side-panel__header">
        <Heading as="h2" size="3" id="audit-title">
          {t('audit.title')}
        </Heading>
        {loading ? <Spinner size="1" /> : null}
        <Button size="1" variant="ghost" color="gray" onClick={onClose} className="side-panel__close" data-testid="panel-close" aria-label={t('panel.close')}>
          {t('panel.close')} <Kbd size="1">Esc</Kbd>
        </Button>
      </header>
      <Flex gap="2" align="center" wrap="wrap" className="side-panel__toolbar">
        <Button size="1" onClick={runVerify} disabled={verify === 'running'} data-testid="audit-verify">
          {verify === 'running' ? <Spinner size="1" /> : null}
          {t('audit.verify')}
        </Button>
        <Button size="1" variant="soft" onClick={runExport} disabled={exporting} data-testid="audit-export">
          {exporting ? <Spinner size="1" /> : null}
          {t('audit.export')}
        </Button>
        <Button size="1" variant="ghost" color="gray" onClick={load} data-testid="audit-refresh">
          {t('audit.refresh')}
        </Button>
      </Flex>
      {verify !== null && verify !== 'running' ? (
        <Callout.Root
          size="1"
          color={verify.ok ? 'green' : 'red'}
          role={verify.ok ? 'status' : 'alert'}
          data-testid="audit-verify-result"
          data-ok={verify.ok ? 'true' : 'false'}
          data-first-bad-seq={verify.firstBadSeq ?? ''}
          mx="3"
        >
          <Callout.Text>
            {verify.ok
              ? t('audit.verifyOk', { count: verify.checked })
              : t('audit.verifyBad', { seq: verify.firstBadSeq ?? '?', reason: verify.reason ?? '' })}
          </Callout.Text>
        </Callout.Root>
      ) : null}
      {error ? (
        <Callout.Root color="red" size="1" role="alert" mx="3" mt="2">
          <Callout.Icon>
            <WarningIcon />
          </Callout.Icon>
          <Callout.Text>{t('audit.loadFailed', { message: errorMessage(error) })}</Callout.Text>
        </Callout.Root>
      ) : null}
      {page && page.entries.length === 0 ? (
        <Text as="div" size="2" color="gray" className="side-panel__empty">
          {t('audit.empty')}
        </Text>
      ) : null}
      {page && page.entries.length > 0 ? (
        <ol className="audit-list" data-testid="audit-list">
          {page.entries.map((e) => (
            <li key={e.seq} className="audit-entry" data-testid="audit-entry" data-seq={e.seq} data-kind={e.kind}>
              <Flex gap="2" align="baseline" wrap="wrap">
                <Text size="1" weight="bold" className="tabular">
                  {formatDateTime(lang, e.at)}
                </Text>
                <Badge size="1" variant="soft" color={e.kind === 'action' ? 'indigo' : e.kind === 'outbox' ? 'amber' : 'gray'}>
                  {t(`auditKind.${e.kind}`, { defaultValue: e.kind })}
                </Badge>
                <Text size="1" color="gray">
                  {e.actor}
                </Text>
                <Text size="1" color="gray" className="audit-entry__seq tabular">
                  #{e.seq}
                </Text>
              </Flex>
              <Text as="div" size="1" className="audit-entry__summary">
                {e.summary}
              </Text>
            </li>
          ))}
        </ol>
      ) : null}
      <Flex gap="2" align="center" justify="between" className="side-panel__footer">
        <Button size="1" variant="soft" color="gray" disabled={offset === 0 || loading} onClick={() => setOffset(Math.max(0, offset - AUDIT_PAGE_SIZE))} data-testid="audit-prev">
          {t('audit.prev')}
        </Button>
        <Text size="1" color="gray" className="tabular" data-testid="audit-range">
          {t('audit.range', { from: formatNumber(lang, from), to: formatNumber(lang, to), total: formatNumber(lang, total) })}
        </Text>
        <Button size="1" variant="soft" color="gray" disabled={to >= total || loading} onClick={() => setOffset(offset + AUDIT_PAGE_SIZE)} data-testid="audit-next">
          {t('audit.next')}
        </Button>
      </Flex>
    </div>
  );
}
