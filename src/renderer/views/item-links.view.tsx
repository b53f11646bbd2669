/**
 * "Liên kết": what a mail cites (dossier codes, số/ký hiệu, ID numbers → the cached items) and, on a
 * dossier or document, the mails citing it. Each resolved link opens the item on the other side;
 * unresolved ones say they are not in the cache yet. On a mail the official adds links by hand
 * (kind + value, checked as typed) and removes any link (with undo). Automatic links found by the
 * core are marked discreetly apart from manual ones.
 */
import { Badge, Button, Flex, IconButton, Text, TextField } from '@radix-ui/themes';
import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { LINK_KINDS, type ItemLinksView, type ItemLinkView } from '../../shared/api';
import type { WorkItem } from '../../shared/work-item';
import { statusLabel } from '../format/labels.format';
import { checkLinkValue, type LinkKind } from '../mail/link-values';
import { useApi } from '../state/api.context';
import { errorMessage } from '../state/error-message';
import { DetailSection } from './detail-parts.view';
import { SourceIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

interface ItemLinksProps {
  item: WorkItem;
  links: ItemLinksView;
  onOpenItem: (id: string) => void;
  /** A link was added or removed: reload the detail. */
  onChanged: () => void;
}

type Removed = { link: ItemLinkView; direction: 'outgoing' | 'incoming' };

function LinkRow({ link, direction, onOpenItem, onRemove, busy }: { link: ItemLinkView; direction: 'outgoing' | 'incoming'; onOpenItem: (id: string) => void; onRemove: () => void; busy: boolean }): ReactElement {
  const { t } = useTr();
  const other = link.other;
  const describe = `${t(`links.kind.${link.kind}`)} ${link.value}`;
  return (
    <li className="item-link" data-testid="item-link" data-direction={direction} data-kind={link.kind} data-value={link.value} data-origin={link.origin} data-resolved={other ? 'true' : 'false'} data-other-id={other?.id ?? ''}>
      <Badge size="1" variant="soft" color={link.kind === 'dossier' ? 'indigo' : link.kind === 'document' ? 'teal' : 'gray'} className="item-link__kind">
        {t(`links.kind.${link.kind}`)}
      </Badge>
      <div className="item-link__main">
        {direction === 'outgoing' && (!other || other.ref !== link.value) ? (
          <div className="mono item-link__value">{link.value}</div>
        ) : null}
        {other ? (
          <button type="button" className="item-link__open" onClick={() => onOpenItem(other.id)} data-testid="item-link-open" aria-label={t('links.openItem', { ref: other.ref, title: other.title })}>
            <SourceIcon source={other.source} size={13} />
            <span className="mono item-link__ref">{other.ref}</span>
            <span className="item-link__title">{other.title}</span>
            <span className="item-link__status">{statusLabel(t, other.source, other.status)}</span>
          </button>
        ) : (
          <Text as="div" size="1" color="gray" data-testid="item-link-unresolved">
            {t('links.unresolved')}
          </Text>
        )}
      </div>
      <Text size="1" color="gray" className="item-link__origin" title={link.origin === 'manual' ? t('links.manualHint') : t('links.autoHint')}>
        {link.origin === 'manual' ? t('links.manual') : t('links.auto')}
      </Text>
      <IconButton size="1" variant="ghost" color="gray" onClick={onRemove} disabled={busy} aria-label={t('links.remove', { link: describe })} title={t('links.remove', { link: describe })} data-testid="item-link-remove">
        ×
      </IconButton>
    </li>
  );
}

function AddLinkForm({ item, onAdded }: { item: WorkItem; onAdded: (link: ItemLinkView) => void }): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [kind, setKind] = useState<LinkKind>('dossier');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement | null>(null);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (busy) return;
    const check = checkLinkValue(kind, value);
    if (!check.ok) {
      setError(t(check.error));
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    api.call('links.add', { fromId: item.id, kind, value: check.value }).then(
      (link) => {
        setBusy(false);
        setValue('');
        onAdded(link);
      },
      (err: unknown) => {
        setBusy(false);
        setError(t('links.addFailed', { message: errorMessage(err) }));
      },
    );
  };

  return (
    <form className="item-link-add" onSubmit={submit} data-testid="item-link-add" aria-label={t('links.addLabel')} noValidate>
      <Flex gap="2" align="end" wrap="wrap">
        <div className="action-field">
          <Text as="label" size="1" weight="bold" htmlFor="link-add-kind" className="action-field__label">
            {t('links.kindLabel')}
          </Text>
          <select id="link-add-kind" className="native-select" value={kind} onChange={(e) => setKind(LINK_KINDS.find((k) => k === e.target.value) ?? 'dossier')} data-testid="item-link-kind">
            {LINK_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`links.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="action-field item-link-add__value">
          <Text as="label" size="1" weight="bold" htmlFor="link-add-value" className="action-field__label">
            {t('links.valueLabel')}
          </Text>
          <TextField.Root
            ref={inputRef}
            id="link-add-value"
            size="1"
            value={value}
            maxLength={100}
            placeholder={t(`links.placeholder.${kind}`)}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'link-add-error' : undefined}
            data-testid="item-link-value"
          />
        </div>
        <Button type="submit" size="1" disabled={busy} data-testid="item-link-submit">
          {t('links.add')}
        </Button>
      </Flex>
      {error ? (
        <Text as="div" size="1" color="red" role="alert" id="link-add-error" data-testid="item-link-error">
          {error}
        </Text>
      ) : null}
    </form>
  );
}

export function ItemLinks({ item, links, onOpenItem, onChanged }: ItemLinksProps): ReactElement {
  const { t } = useTr();
  const api = useApi();
  const [removed, setRemoved] = useState<Removed | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const undoRef = useRef<HTMLButtonElement | null>(null);
  const isMail = item.source === 'mail';

  useEffect(() => {
    if (!removed) return;
    undoRef.current?.focus();
    const timer = setTimeout(() => setRemoved(null), 15_000);
    return () => clearTimeout(timer);
  }, [removed]);

  const remove = (link: ItemLinkView, direction: 'outgoing' | 'incoming'): void => {
    setBusy(true);
    setError(null);
    api.call('links.remove', { fromId: link.fromId, kind: link.kind, value: link.value }).then(
      () => {
        setBusy(false);
        setRemoved({ link, direction });
        onChanged();
      },
      (err: unknown) => {
        setBusy(false);
        setError(t('links.removeFailed', { message: errorMessage(err) }));
      },
    );
  };

  const undo = (): void => {
    if (!removed) return;
    const { link } = removed;
    setBusy(true);
    api.call('links.add', { fromId: link.fromId, kind: link.kind, value: link.value }).then(
      () => {
        setBusy(false);
        setRemoved(null);
        onChanged();
      },
      (err: unknown) => {
        setBusy(false);
        setError(t('links.addFailed', { message: errorMessage(err) }));
      },
    );
  };

  const showOutgoing = isMail || links.outgoing.length > 0;
  const showIncoming = !isMail || links.incoming.length > 0;
  const count = links.outgoing.length + links.incoming.length;

  return (
    <DetailSection title={t('links.title')} count={count}>
      <div className="item-links" data-testid="item-links">
        {showOutgoing ? (
          <div className="item-links__group">
            <Text as="div" size="1" weight="bold" color="gray" id="links-outgoing-title">
              {t('links.outgoing')}
            </Text>
            {links.outgoing.length === 0 ? (
              <Text as="div" size="1" color="gray" data-testid="item-links-none">
                {t('links.noneOutgoing')}
              </Text>
            ) : (
              <ul className="item-links__list" aria-labelledby="links-outgoing-title">
                {links.outgoing.map((l) => (
                  <LinkRow key={`${l.kind}:${l.value}`} link={l} direction="outgoing" onOpenItem={onOpenItem} onRemove={() => remove(l, 'outgoing')} busy={busy} />
                ))}
              </ul>
            )}
          </div>
        ) : null}
        {showIncoming ? (
          <div className="item-links__group">
            <Text as="div" size="1" weight="bold" color="gray" id="links-incoming-title">
              {t('links.incoming')}
            </Text>
            {links.incoming.length === 0 ? (
              <Text as="div" size="1" color="gray" data-testid="item-links-none">
                {t('links.noneIncoming')}
              </Text>
            ) : (
              <ul className="item-links__list" aria-labelledby="links-incoming-title">
                {links.incoming.map((l) => (
                  <LinkRow key={`${l.fromId}:${l.kind}:${l.value}`} link={l} direction="incoming" onOpenItem={onOpenItem} onRemove={() => remove(l, 'incoming')} busy={busy} />
                ))}
              </ul>
            )}
          </div>
        ) : null}
        {removed ? (
          <Flex className="item-links__undo" align="center" gap="2" role="status" data-testid="item-link-removed">
            <Text size="1">{t('links.removed', { link: `${t(`links.kind.${removed.link.kind}`)} ${removed.link.value}` })}</Text>
            <Button ref={undoRef} size="1" variant="soft" onClick={undo} disabled={busy} data-testid="item-link-undo">
              {t('links.undo')}
            </Button>
          </Flex>
        ) : null}
        {error ? (
          <Text as="div" size="1" color="red" role="alert" data-testid="item-links-error">
            {error}
          </Text>
        ) : null}
        {isMail ? <AddLinkForm item={item} onAdded={() => onChanged()} /> : null}
      </div>
    </DetailSection>
  );
}
