/**
 * The command palette (Ctrl+K / Cmd+K): one text box over every command — the actions legal for
 * the selected item, queue filters, sync, outbox, audit log, language. Diacritics are ignored.
 * Non-modal (plain elements, no Radix Dialog: its inline <style> is blocked by the CSP); ↑/↓ move,
 * Enter runs, Escape closes and gives focus back.
 */
import { Kbd, Text } from '@radix-ui/themes';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { matchCommands, type PaletteCommand } from '../palette/palette-match';
import { SearchIcon } from './icons.view';
import { useTr } from '../i18n.hooks';

export interface PaletteEntry extends PaletteCommand {
  group: string;
  hint?: string;
  run: () => void;
}

interface PaletteProps {
  commands: readonly PaletteEntry[];
  onClose: () => void;
}

export function Palette({ commands, onClose }: PaletteProps): ReactElement {
  const { t } = useTr();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement | null>(null);
  const listRef = useRef<HTMLUListElement | null>(null);
  const matches = useMemo(() => matchCommands(query, commands), [query, commands]);
  const current = Math.min(active, Math.max(0, matches.length - 1));

  useEffect(() => {
    const previous = document.activeElement;
    inputRef.current?.focus();
    return () => {
      // Give focus back unless a command already moved it somewhere else.
      const now = document.activeElement;
      if ((now === null || now === document.body || !now.isConnected) && previous instanceof HTMLElement && previous.isConnected) previous.focus();
    };
  }, []);
  useEffect(() => {
    listRef.current?.querySelector(`#palette-opt-${current}`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const run = (entry: PaletteEntry | undefined): void => {
    if (!entry) return;
    onClose();
    // After the palette is gone, so focus moves where the command puts it.
    setTimeout(entry.run, 0);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.nativeEvent.isComposing) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setActive((current + 1) % Math.max(1, matches.length));
        return;
      case 'ArrowUp':
        e.preventDefault();
        setActive((current - 1 + matches.length) % Math.max(1, matches.length));
        return;
      case 'Home':
        if (e.ctrlKey) {
          e.preventDefault();
          setActive(0);
        }
        return;
      case 'Enter':
        e.preventDefault();
        run(matches[current]);
        return;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        onClose();
        return;
      case 'Tab':
        // Keep focus in the palette while it is open.
        e.preventDefault();
        return;
      default:
    }
  };

  let lastGroup = '';
  return (
    <div className="palette-layer" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="false" aria-label={t('palette.label')} data-testid="palette" data-shortcut-zone="off" onKeyDown={onKeyDown}>
        <div className="palette__search">
          <SearchIcon />
          <input
            ref={inputRef}
            className="palette__input"
            data-testid="palette-input"
            role="combobox"
            aria-expanded="true"
            aria-controls="palette-list"
            aria-activedescendant={matches.length > 0 ? `palette-opt-${current}` : undefined}
            aria-autocomplete="list"
            placeholder={t('palette.placeholder')}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            autoComplete="off"
            spellCheck={false}
          />
          <Kbd size="1">Esc</Kbd>
        </div>
        <ul className="palette__list" id="palette-list" role="listbox" ref={listRef} aria-label={t('palette.label')}>
          {matches.length === 0 ? (
            <li className="palette__empty" role="presentation">
              <Text size="2" color="gray">
                {t('palette.none')}
              </Text>
            </li>
          ) : (
            matches.map((m, i) => {
              const header = !query && m.group !== lastGroup ? m.group : null;
              lastGroup = m.group;
              return [
                header ? (
                  <li key={`g-${m.group}`} className="palette__group" role="presentation">
                    {header}
                  </li>
                ) : null,
                <li
                  key={m.id}
                  id={`palette-opt-${i}`}
                  role="option"
                  aria-selected={i === current}
                  className={`palette__item${i === current ? ' is-active' : ''}`}
                  data-testid="palette-item"
                  data-command-id={m.id}
                  onMouseMove={() => i !== current && setActive(i)}
                  onClick={() => run(m)}
                >
                  <span className="palette__label">{m.label}</span>
                  {query ? <span className="palette__group-tag">{m.group}</span> : null}
                  {m.hint ? <Kbd size="1">{m.hint}</Kbd> : null}
                </li>,
              ];
            })
          )}
        </ul>
        <div className="palette__footer">{t('palette.footer')}</div>
      </div>
    </div>
  );
}
