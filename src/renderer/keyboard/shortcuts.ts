/**
 * Keyboard map of the workstation, as a pure function of the key and where focus is.
 * Shortcuts never fire while the official types in a text field (except Escape to leave it).
 */
export type FocusZone = 'text' | 'list' | 'detail' | 'body' | 'other' | 'off';

export type ShortcutAction =
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'pageDown'
  | 'pageUp'
  | 'open'
  | 'back'
  | 'search'
  | 'actions'
  | 'palette'
  | 'reply'
  | 'replyAll'
  | 'forward'
  | 'toggleSeen'
  | 'toggleFlag'
  | 'compose';

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  zone: FocusZone;
}

/**
 * Zones: `text` a text field; `off` a form, menu or palette that handles its own keys (only the
 * palette shortcut passes); `list`, `detail`, `body`, `other` everything else.
 */
export function shortcutFor(e: KeyInput): ShortcutAction | null {
  // Ctrl+K / Cmd+K: the command palette, from anywhere (also while typing).
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K')) return 'palette';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.zone === 'off') return null;
  if (e.zone === 'text') return e.key === 'Escape' ? 'back' : null;
  const navZone = e.zone === 'list' || e.zone === 'body';
  switch (e.key) {
    case '/':
      return 'search';
    case 'j':
      return 'next';
    case 'k':
      return 'prev';
    case 'ArrowDown':
      return navZone ? 'next' : null;
    case 'ArrowUp':
      return navZone ? 'prev' : null;
    case 'Home':
      return e.zone === 'list' ? 'first' : null;
    case 'End':
      return e.zone === 'list' ? 'last' : null;
    case 'PageDown':
      return e.zone === 'list' ? 'pageDown' : null;
    case 'PageUp':
      return e.zone === 'list' ? 'pageUp' : null;
    case 'Enter':
      return navZone ? 'open' : null;
    case 'Escape':
      return e.zone === 'detail' || e.zone === 'body' ? 'back' : null;
    case 'a':
      return 'actions';
    // Mail (acting on the selected mail; `c` writes a new one).
    case 'r':
      return 'reply';
    case 'R':
      return 'replyAll';
    case 'f':
      return 'forward';
    case 'u':
      return 'toggleSeen';
    case 's':
      return 'toggleFlag';
    case 'c':
      return 'compose';
    default:
      return null;
  }
}
