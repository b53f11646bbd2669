/**
 * A sanitised HTML mail in `<iframe sandbox="allow-same-origin" srcdoc=…>`: no scripts ever run in
 * it (no allow-scripts; its own CSP allows nothing but data: images on top of the app's, which it
 * inherits). On load the parent applies the base sheet and the cleaned inline styles through CSSOM
 * and sizes the frame to its content; a click on a numbered link marker selects that link in the
 * list beside the body (nothing is ever opened from inside the mail).
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { LINK_ATTR, MAIL_IFRAME_SANDBOX, srcdocFor } from '../../shared/mail-html';
import { highlightFrameLink, measureMailFrame, prepareMailFrame } from '../mail/mail-dom';
import { useTr } from '../i18n.hooks';

interface MailFrameProps {
  /** Output of sanitizeMailHtml: never raw mail HTML. */
  cleanHtml: string;
  activeLink: number | null;
  onLinkClick: (n: number) => void;
}

const MIN_HEIGHT = 60;
const MAX_HEIGHT = 20_000;

export function MailFrame({ cleanHtml, activeLink, onLinkClick }: MailFrameProps): ReactElement {
  const { t, lang } = useTr();
  const frameRef = useRef<HTMLIFrameElement | null>(null);
  const [height, setHeight] = useState(200);
  const clickRef = useRef(onLinkClick);
  useEffect(() => {
    clickRef.current = onLinkClick;
  });
  const srcdoc = srcdocFor(cleanHtml, lang);

  useEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    let observer: ResizeObserver | null = null;
    const fit = (h: number | null): void => {
      if (h !== null) setHeight(Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, h)));
    };
    const onClick = (e: MouseEvent): void => {
      const target = e.target as Element | null;
      const link = target?.closest?.(`[${LINK_ATTR}]`);
      if (!link) return;
      e.preventDefault();
      const n = Number(link.getAttribute(LINK_ATTR));
      if (Number.isInteger(n) && n > 0) clickRef.current(n);
    };
    const onLoad = (): void => {
      fit(prepareMailFrame(frame));
      const doc = frame.contentDocument;
      if (!doc) return;
      doc.addEventListener('click', onClick);
      observer?.disconnect();
      observer = new ResizeObserver(() => fit(measureMailFrame(frame)));
      observer.observe(doc.body);
    };
    frame.addEventListener('load', onLoad);
    // The frame may have loaded before the effect ran.
    if (frame.contentDocument?.readyState === 'complete' && frame.contentDocument.body?.childNodes.length) onLoad();
    const onResize = (): void => fit(measureMailFrame(frame));
    window.addEventListener('resize', onResize);
    return () => {
      frame.removeEventListener('load', onLoad);
      window.removeEventListener('resize', onResize);
      frame.contentDocument?.removeEventListener('click', onClick);
      observer?.disconnect();
    };
  }, [srcdoc]);

  useEffect(() => {
    highlightFrameLink(frameRef.current, activeLink);
  }, [activeLink, srcdoc]);

  return (
    <iframe
      ref={frameRef}
      className="mail-frame"
      data-testid="mail-frame"
      title={t('mail.body.frameTitle')}
      sandbox={MAIL_IFRAME_SANDBOX}
      srcDoc={srcdoc}
      referrerPolicy="no-referrer"
      height={height}
      data-height={height}
    />
  );
}
