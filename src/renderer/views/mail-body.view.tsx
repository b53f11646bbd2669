/**
 * A mail's content, read safely: fetched with `mail.body` when the mail opens; HTML sanitised
 * (src/shared/mail-html.ts) and shown in the sandboxed frame, plain text as text; remote images
 * withheld behind a bar (the core fetches them on request, the window never loads remote content);
 * every link listed with its real destination; attachments with "Lưu".
 */
import { Badge, Button, Callout, Flex, SegmentedControl, Spinner, Text } from '@radix-ui/themes';
import { useCallback, useEffect, useMemo, useState, type ReactElement, type ReactNode } from 'react';
import { ApiCallError, type MailBodyAttachment, type MailBodyView } from '../../shared/api';
import { safeAttachmentName, type SanitizedMail } from '../../shared/mail-html';
import type { MailDetail, WorkItem } from '../../shared/work-item';
import { formatFileSize } from '../format/date.format';
import { checkLink, findTextLinks, type LinkReport, type TextLink } from '../mail/link-check';
import { useApi } from '../state/api.context';
import { errorMessage, isUnreachable } from '../state/error-message';
import { useMailBodies } from '../state/mail-body.context';
import { DetailSection, FileTable } from './detail-parts.view';
import { MailFrame } from './mail-frame.view';
import { MailLinkList } from './mail-link-list.view';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

type BodyState = { state: 'loading' } | { state: 'ready'; body: MailBodyView } | { state: 'error'; error: unknown };

/** At most this many URLs per `mail.remoteImages` call (the contract's limit). */
const REMOTE_BATCH = 50;

function bodyErrorText(t: (k: string, o?: Record<string, unknown>) => string, error: unknown): string {
  if (error instanceof ApiCallError) {
    // The core says why in `details` ("reason:offline", "reason:gone"…) and in Vietnamese in `message`.
    const reasons = error.error.details ?? [];
    if (reasons.includes('reason:gone') || error.error.code === 'not_found') return t('mail.body.gone');
    if (reasons.includes('reason:offline')) return t('mail.body.offline');
    if (error.error.code === 'unavailable') return error.error.message;
  }
  if (isUnreachable(error)) return t('mail.body.hostDown');
  return t('mail.body.error', { message: errorMessage(error) });
}

/** Plain text with its links numbered like the list beside it. */
function PlainText({ text, links }: { text: string; links: readonly TextLink[] }): ReactElement {
  const parts: ReactNode[] = [];
  let at = 0;
  links.forEach((l, i) => {
    if (l.start > at) parts.push(text.slice(at, l.start));
    parts.push(
      <span key={`l${i}`} className="mail-text__link" data-cw-link={i + 1} title={`[${i + 1}] ${l.href}`}>
        {text.slice(l.start, l.end)}
        <sup className="mail-text__marker">[{i + 1}]</sup>
      </span>,
    );
    at = l.end;
  });
  if (at < text.length) parts.push(text.slice(at));
  return (
    <pre className="mail-text" data-testid="mail-text" tabIndex={0}>
      {parts}
    </pre>
  );
}

function AttachmentRows({ itemId, attachments }: { itemId: string; attachments: readonly MailBodyAttachment[] }): ReactElement {
  const { t, lang } = useTr();
  const api = useApi();
  const [status, setStatus] = useState<Record<number, { state: 'saving' | 'saved' | 'error'; text?: string }>>({});

  const save = (a: MailBodyAttachment): void => {
    setStatus((s) => ({ ...s, [a.index]: { state: 'saving' } }));
    api.saveAttachment({ itemId, index: a.index, filename: safeAttachmentName(a.filename) }).then(
      (r) =>
        setStatus((s) => ({
          ...s,
          [a.index]: r.saved ? { state: 'saved', text: r.path ? t('mail.attachments.savedTo', { path: r.path }) : t('mail.attachments.saved') } : { state: 'error', text: t('mail.attachments.cancelled') },
        })),
      (error: unknown) => setStatus((s) => ({ ...s, [a.index]: { state: 'error', text: t('mail.attachments.failed', { message: errorMessage(error) }) } })),
    );
  };

  return (
    <table className="data-table" data-testid="mail-attachments">
      <thead>
        <tr>
          <th scope="col">{t('detail.file.name')}</th>
          <th scope="col">{t('detail.file.type')}</th>
          <th scope="col" className="num">
            {t('detail.file.size')}
          </th>
          <th scope="col">
            <span className="visually-hidden">{t('mail.attachments.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {attachments.map((a) => {
          const name = a.filename ?? t('mail.attachments.noName');
          const st = status[a.index];
          return (
            <tr key={a.index} data-testid="mail-attachment" data-index={a.index} data-filename={a.filename ?? ''}>
              <td>
                <div className="break-word data-table__strong">{name}</div>
                {st?.text ? (
                  <Text as="div" size="1" color={st.state === 'error' ? 'red' : 'green'} role={st.state === 'error' ? 'alert' : 'status'} data-testid="mail-attachment-status">
                    {st.text}
                  </Text>
                ) : null}
              </td>
              <td className="data-table__muted">{a.contentType}</td>
              <td className="num">{formatFileSize(lang, a.size)}</td>
              <td className="num">
                <Button size="1" variant="soft" onClick={() => save(a)} disabled={st?.state === 'saving'} data-testid="mail-attachment-save" aria-label={t('mail.attachments.saveNamed', { name })}>
                  {st?.state === 'saving' ? <Spinner size="1" /> : null}
                  {t('mail.attachments.save')}
                </Button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MailBody({ item, d }: { item: WorkItem; d: MailDetail }): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const bodies = useMailBodies();
  const [state, setState] = useState<BodyState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [remote, setRemote] = useState<Record<string, string | null>>({});
  const [images, setImages] = useState<{ state: 'idle' | 'loading' } | { state: 'error'; message: string }>({ state: 'idle' });
  const [view, setView] = useState<'html' | 'text'>('html');
  const [activeLink, setActiveLink] = useState<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    setState({ state: 'loading' });
    bodies.load(item.id, { fresh: attempt > 0 }).then(
      (body) => {
        if (!cancelled) setState({ state: 'ready', body });
      },
      (error: unknown) => {
        if (!cancelled) setState({ state: 'error', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [bodies, item.id, attempt]);

  const body = state.state === 'ready' ? state.body : null;
  const clean: SanitizedMail | null = useMemo(
    () => (body?.html ? bodies.sanitize(body.html, { inlineImages: body.inlineImages, remoteImages: remote }) : null),
    [bodies, body, remote],
  );
  const showHtml = clean !== null && (view === 'html' || !body?.text);
  const text = body?.text ?? '';
  const textLinks = useMemo(() => (showHtml ? [] : findTextLinks(text)), [showHtml, text]);
  const links: LinkReport[] = useMemo(
    () => (showHtml && clean ? clean.links.map((l) => checkLink(l.n, l.href, l.text)) : textLinks.map((l, i) => checkLink(i + 1, l.href, l.text))),
    [showHtml, clean, textLinks],
  );

  const showImages = useCallback(() => {
    if (!clean || clean.remoteImageUrls.length === 0) return;
    setImages({ state: 'loading' });
    const urls = clean.remoteImageUrls;
    const batches: string[][] = [];
    for (let i = 0; i < urls.length; i += REMOTE_BATCH) batches.push(urls.slice(i, i + REMOTE_BATCH));
    Promise.all(batches.map((batch) => api.call('mail.remoteImages', { itemId: item.id, urls: batch }))).then(
      (answers) => {
        const merged: Record<string, string | null> = {};
        for (const a of answers) Object.assign(merged, a.images);
        // Anything the core did not answer for counts as not fetched.
        for (const u of urls) if (!(u in merged)) merged[u] = null;
        setRemote((r) => ({ ...r, ...merged }));
        setImages({ state: 'idle' });
      },
      (error: unknown) => setImages({ state: 'error', message: errorMessage(error) }),
    );
  }, [api, clean, item.id]);

  const attachments = body ? body.attachments.filter((a) => !a.inline || (a.filename !== null && !(a.contentId !== null && a.contentId in body.inlineImages))) : [];

  return (
    <>
      <DetailSection title={t('mail.body.title')}>
        {state.state === 'loading' ? (
          <Flex align="center" gap="2" role="status" data-testid="mail-body-loading" className="mail-body__status">
            <Spinner />
            <Text size="2" color="gray">
              {t('mail.body.loading')}
            </Text>
          </Flex>
        ) : state.state === 'error' ? (
          <Callout.Root color="amber" role="alert" data-testid="mail-body-error">
            <Callout.Icon>
              <WarningIcon />
            </Callout.Icon>
            <Callout.Text>
              {bodyErrorText(t, state.error)}
              {d.preview ? (
                <>
                  <br />
                  <Text size="1" color="gray">
                    {t('mail.body.previewInstead')}: {d.preview}
                  </Text>
                </>
              ) : null}
            </Callout.Text>
            <Button size="1" variant="soft" onClick={() => setAttempt((n) => n + 1)} data-testid="mail-body-retry">
              {t('mail.body.retry')}
            </Button>
          </Callout.Root>
        ) : (
          <div className="mail-body" data-testid="mail-body" data-from-cache={body?.fromCache ? 'true' : 'false'} data-kind={showHtml ? 'html' : 'text'}>
            {clean && body?.text ? (
              <SegmentedControl.Root size="1" value={view} onValueChange={(v) => setView(v === 'text' ? 'text' : 'html')} aria-label={t('mail.body.viewLabel')} className="mail-body__view">
                <SegmentedControl.Item value="html" data-testid="mail-view-html">
                  {t('mail.body.viewHtml')}
                </SegmentedControl.Item>
                <SegmentedControl.Item value="text" data-testid="mail-view-text">
                  {t('mail.body.viewText')}
                </SegmentedControl.Item>
              </SegmentedControl.Root>
            ) : null}
            {showHtml && clean && clean.blockedRemoteImages > 0 ? (
              <div className="mail-images-bar" role="status" data-testid="remote-images-bar" data-count={clean.blockedRemoteImages}>
                <WarningIcon size={14} />
                <span>{t('mail.body.imagesBlocked', { count: clean.blockedRemoteImages })}</span>
                <Button size="1" variant="soft" color="amber" onClick={showImages} disabled={images.state === 'loading'} data-testid="remote-images-show">
                  {images.state === 'loading' ? <Spinner size="1" /> : null}
                  {t('mail.body.imagesShow')}
                </Button>
                {images.state === 'error' ? (
                  <Text size="1" color="red" role="alert">
                    {t('mail.body.imagesFailed', { message: images.message })}
                  </Text>
                ) : null}
              </div>
            ) : null}
            {showHtml && clean && clean.failedRemoteImages > 0 ? (
              <Text as="div" size="1" color="gray" data-testid="remote-images-failed">
                {t('mail.body.imagesNotFetched', { count: clean.failedRemoteImages })}
              </Text>
            ) : null}
            {showHtml && clean ? (
              <MailFrame cleanHtml={clean.html} activeLink={activeLink} onLinkClick={(n) => setActiveLink(n)} />
            ) : text.trim() !== '' ? (
              <PlainText text={text} links={textLinks} />
            ) : (
              <Text as="div" size="2" color="gray" data-testid="mail-body-empty">
                {t('mail.body.empty')}
              </Text>
            )}
            {body?.fromCache ? (
              <Badge size="1" color="gray" variant="soft" className="mail-body__cache">
                {t('mail.body.fromCache')}
              </Badge>
            ) : null}
            <MailLinkList links={links} active={activeLink} onActivate={setActiveLink} />
          </div>
        )}
      </DetailSection>
      <DetailSection title={t('detail.mail.attachments')} count={body ? attachments.length : d.attachments.length}>
        {body ? (
          attachments.length > 0 ? (
            <AttachmentRows itemId={item.id} attachments={attachments} />
          ) : (
            <Text size="1" color="gray">
              {t('detail.mail.noAttachments')}
            </Text>
          )
        ) : (
          <FileTable files={d.attachments} emptyText={t('detail.mail.noAttachments')} />
        )}
      </DetailSection>
    </>
  );
}
