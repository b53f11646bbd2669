/**
 * The keyboard action menu shared by the item and mail action bars: a button (`a`) opening a menu
 * whose entries are picked with 1…9 or the arrow keys (j/k) and Enter. After a pick, focus is left
 * where the picked action puts it (a form field) instead of returning to the button.
 */
import { Button, Kbd, Popover, Text } from '@radix-ui/themes';
import { useRef, type KeyboardEvent, type ReactElement, type Ref } from 'react';
import { acceleratorAt, indexOfAccelerator } from '../actions/action-catalog';
import { ChevronDownIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

export interface ActionMenuProps<K extends string> {
  entries: readonly K[];
  label: (entry: K) => string;
  destructive?: (entry: K) => boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onPick: (entry: K) => void;
  buttonRef?: Ref<HTMLButtonElement>;
}

export function ActionMenu<K extends string>({ entries, label, destructive, open, onOpenChange, onPick, buttonRef }: ActionMenuProps<K>): ReactElement {
  const { t } = useTr();
  const picked = useRef(false);

  const pick = (entry: K): void => {
    picked.current = true;
    onOpenChange(false);
    onPick(entry);
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = indexOfAccelerator(e.key);
    if (i >= 0) {
      e.preventDefault();
      const entry = entries[i];
      if (entry) pick(entry);
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]'));
      const at = items.indexOf(document.activeElement as HTMLElement);
      const step = e.key === 'ArrowDown' || e.key === 'j' ? 1 : -1;
      items[(at + step + items.length) % items.length]?.focus();
    }
  };

  return (
    <Popover.Root open={open} onOpenChange={onOpenChange}>
      <Popover.Trigger>
        <Button ref={buttonRef} size="1" variant="solid" data-testid="action-menu-button" aria-haspopup="menu" aria-keyshortcuts="a">
          {t('actionBar.menu')}
          <Kbd size="1">a</Kbd>
          <ChevronDownIcon size={12} />
        </Button>
      </Popover.Trigger>
      <Popover.Content
        size="1"
        side="bottom"
        align="start"
        className="action-menu"
        data-testid="action-menu"
        data-shortcut-zone="off"
        aria-label={t('actionBar.menuLabel')}
        onKeyDown={onMenuKey}
        onCloseAutoFocus={(e) => {
          if (picked.current) {
            picked.current = false;
            e.preventDefault();
          }
        }}
      >
        <div role="menu" aria-label={t('actionBar.menuLabel')}>
          {entries.length === 0 ? (
            <Text as="div" size="1" color="gray" className="action-menu__empty">
              {t('actionBar.none')}
            </Text>
          ) : (
            entries.map((entry, i) => (
              <button
                key={entry}
                type="button"
                role="menuitem"
                className={`action-menu__item${destructive?.(entry) ? ' is-destructive' : ''}`}
                data-testid="action-menu-item"
                data-kind={entry}
                onClick={() => pick(entry)}
              >
                <Kbd size="1">{acceleratorAt(i) ?? ''}</Kbd>
                <span>{label(entry)}</span>
              </button>
            ))
          )}
        </div>
      </Popover.Content>
    </Popover.Root>
  );
}
