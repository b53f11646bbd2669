/**
 * "Liên kết trong thư": every link of the body, numbered like its marker in the body, with the real
 * destination host (punycode as is), the visible text, and warnings — the text names another domain
 * (phishing), no https, IP address, punycode, credentials, or a scheme that is never opened. A link
 * opens only after the official confirms in the row (http, https and mailto only), in a new browser
 * context without opener or referrer; in Electron the shell checks it again before handing it to
 * the system browser.
 */
import { Badge, Button, Flex, Text } from '@radix-ui/themes';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { LinkReport, LinkWarning } from '../mail/link-check';
import { WarningIcon } from './icons.view';
import { useTr } from '../i18n.hooks';
import type { Translate } from '../format/translate';

interface MailLinkListProps {
  links: readonly LinkReport[];
  active: number | null;
  onActivate: (n: number | null) => void;
}

export function warningText(t: Translate, w: LinkWarning, host: string): string {
  switch (w.kind) {
    case 'textMismatch':
      return t('mail.links.warn.textMismatch', { shown: w.shown, host });
    case 'blocked':
      return t('mail.links.warn.blocked', { scheme: w.scheme.replace(/:$/, '') });
    default:
      return t(`mail.links.warn.${w.kind}`);
  }
}

function LinkRow({ link, active, onActivate }: { link: LinkReport; active: boolean; onActivate: (n: number | null) => void }): ReactElement {
  const { t } = useTr();
  const [confirming, setConfirming] = useState(false);
  const [opened, setOpened] = useState(false);
  const rowRef = useRef<HTMLLIElement | null>(null);
  const confirmRef = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    if (active) rowRef.current?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const open = (): void => {
    let target: string;
    try {
      target = new URL(link.href.trim()).toString();
    } catch {
      return;
    }
    window.open(target, '_blank', 'noopener,noreferrer');
    setConfirming(false);
    setOpened(true);
  };

  const headingId = `mail-link-${link.n}`;
  return (
    <li
      ref={rowRef}
      className={`mail-link${active ? ' is-active' : ''}${link.dangerous ? ' is-dangerous' : ''}`}
      data-testid="mail-link"
      data-n={link.n}
      data-host={link.host}
      data-openable={link.openable ? 'true' : 'false'}
      data-dangerous={link.dangerous ? 'true' : 'false'}
      data-warnings={link.warnings.map((w) => w.kind).join(' ')}
      aria-labelledby={headingId}
      onFocus={() => onActivate(link.n)}
    >
      <span className="mail-link__n" aria-hidden="true">
        [{link.n}]
      </span>
      <div className="mail-link__body">
        <div id={headingId} className="mail-link__host">
          <span className="visually-hidden">{t('mail.links.number', { n: link.n })} </span>
          {link.host !== '' ? (
            <>
              <Text size="1" color="gray">
                {link.scheme === 'mailto:' ? t('mail.links.mailTo') : t('mail.links.goesTo')}{' '}
              </Text>
              <strong className="mono" data-testid="mail-link-host">
                {link.host}
              </strong>
            </>
          ) : (
            <strong>{t('mail.links.noHost')}</strong>
          )}
        </div>
        {link.text !== '' ? (
          <Text as="div" size="1" className="mail-link__text">
            {t('mail.links.shownText')}: “{link.text}”
          </Text>
        ) : null}
        <Text as="div" size="1" color="gray" className="mail-link__href mono-wrap" title={link.href}>
          {link.href.length > 160 ? `${link.href.slice(0, 160)}…` : link.href}
        </Text>
        {link.warnings.length > 0 ? (
          <ul className="mail-link__warnings" data-testid="mail-link-warnings">
            {link.warnings.map((w) => (
              <li key={w.kind} data-warning={w.kind} className={w.kind === 'notHttps' || w.kind === 'punycode' ? 'is-mild' : undefined}>
                <WarningIcon size={12} />
                {warningText(t, w, link.host)}
              </li>
            ))}
          </ul>
        ) : null}
        {confirming ? (
          <div className="mail-link__confirm" role="group" aria-label={t('mail.links.confirmLabel')} data-testid="mail-link-confirm" data-shortcut-zone="off"
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setConfirming(false);
              }
            }}
          >
            <Text as="div" size="1" weight="bold">
              {t('mail.links.confirm', { host: link.host })}
            </Text>
            {link.dangerous ? (
              <Text as="div" size="1" color="red">
                {t('mail.links.confirmDanger')}
              </Text>
            ) : null}
            <Flex gap="2" mt="1">
              <Button ref={confirmRef} size="1" color={link.dangerous ? 'red' : undefined} onClick={open} data-testid="mail-link-confirm-open">
                {t('mail.links.confirmOpen')}
              </Button>
              <Button size="1" variant="soft" color="gray" onClick={() => setConfirming(false)} data-testid="mail-link-confirm-cancel">
                {t('mail.links.confirmCancel')}
              </Button>
            </Flex>
          </div>
        ) : (
          <Flex gap="2" align="center" mt="1">
            {link.openable ? (
              <Button size="1" variant="soft" onClick={() => setConfirming(true)} data-testid="mail-link-open" aria-describedby={headingId}>
                {link.scheme === 'mailto:' ? t('mail.links.writeTo') : t('mail.links.open')}
              </Button>
            ) : (
              <Badge size="1" color="gray" variant="soft">
                {t('mail.links.notOpenable')}
              </Badge>
            )}
            {opened ? (
              <Text size="1" color="green" role="status">
                {t('mail.links.opened')}
              </Text>
            ) : null}
          </Flex>
        )}
      </div>
    </li>
  );
}

export function MailLinkList({ links, active, onActivate }: MailLinkListProps): ReactElement | null {
  const { t } = useTr();
  if (links.length === 0) return null;
  const dangerous = links.filter((l) => l.dangerous).length;
  return (
    <section className="mail-links" data-testid="mail-links" aria-labelledby="mail-links-title">
      <Flex align="center" gap="2" className="mail-links__header">
        <Text as="div" size="2" weight="bold" id="mail-links-title">
          {t('mail.links.title')}
        </Text>
        <span className="detail-section__count">{links.length}</span>
        {dangerous > 0 ? (
          <Badge size="1" color="red" variant="soft" data-testid="mail-links-danger">
            {t('mail.links.dangerCount', { count: dangerous })}
          </Badge>
        ) : null}
      </Flex>
      <Text as="p" size="1" color="gray" className="mail-links__intro">
        {t('mail.links.intro')}
      </Text>
      <ol className="mail-links__list">
        {links.map((l) => (
          <LinkRow key={l.n} link={l} active={active === l.n} onActivate={onActivate} />
        ))}
      </ol>
    </section>
  );
}
