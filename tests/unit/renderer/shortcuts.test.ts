import { describe, expect, it } from 'vitest';
import { shortcutFor, type FocusZone } from '../../../src/renderer/keyboard/shortcuts';
import { normalizeSearch, toApiFilter, defaultFilter } from '../../../src/renderer/state/queue-filter';

const key = (k: string, zone: FocusZone, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  shortcutFor({ key: k, zone, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('keyboard map', () => {
  it('moves with j/k and arrows in the list', () => {
    expect(key('j', 'list')).toBe('next');
    expect(key('k', 'list')).toBe('prev');
    expect(key('ArrowDown', 'list')).toBe('next');
    expect(key('ArrowUp', 'body')).toBe('prev');
    expect(key('Enter', 'list')).toBe('open');
    expect(key('/', 'list')).toBe('search');
    expect(key('Escape', 'detail')).toBe('back');
  });
  it('never fires while typing, except Escape', () => {
    for (const k of ['j', 'k', '/', 'Enter', 'ArrowDown']) expect(key(k, 'text')).toBeNull();
    expect(key('Escape', 'text')).toBe('back');
  });
  it('leaves Enter and arrows to buttons and the detail pane', () => {
    expect(key('Enter', 'other')).toBeNull();
    expect(key('ArrowDown', 'detail')).toBeNull();
    expect(key('j', 'other')).toBe('next');
  });
  it('ignores modified keys', () => {
    expect(key('j', 'list', { ctrlKey: true })).toBeNull();
    expect(key('/', 'body', { metaKey: true })).toBeNull();
  });
});

describe('keyboard map: actions and palette', () => {
  it('opens the action menu with a from the list, the detail pane and elsewhere, never while typing', () => {
    for (const zone of ['list', 'detail', 'body', 'other'] as const) expect(key('a', zone)).toBe('actions');
    expect(key('a', 'text')).toBeNull();
    expect(key('a', 'off')).toBeNull();
    expect(key('a', 'list', { ctrlKey: true })).toBeNull();
  });
  it('opens the palette with Ctrl+K or Cmd+K from anywhere, also from a text field or a form', () => {
    for (const zone of ['list', 'detail', 'body', 'other', 'text', 'off'] as const) {
      expect(key('k', zone, { ctrlKey: true })).toBe('palette');
      expect(key('k', zone, { metaKey: true })).toBe('palette');
    }
    expect(key('K', 'list', { ctrlKey: true })).toBe('palette');
    expect(key('k', 'list', { ctrlKey: true, altKey: true })).toBeNull();
  });
  it('leaves forms, menus and the palette their own keys', () => {
    for (const k of ['j', 'k', '/', 'Enter', 'Escape', '1']) expect(key(k, 'off')).toBeNull();
  });
});

describe('queue filter', () => {
  it('sends only what is set', () => {
    expect(toApiFilter(defaultFilter('mine'))).toEqual({ scope: 'mine', includeClosed: false });
    expect(
      toApiFilter({ sources: ['procedure'], statuses: ['4'], sla: ['overdue'], scope: 'all', includeClosed: true, q: ' Nguyễn ' }),
    ).toEqual({ sources: ['procedure'], statuses: ['4'], sla: ['overdue'], scope: 'all', includeClosed: true, q: 'Nguyễn' });
    expect(toApiFilter({ ...defaultFilter('all'), sla: ['paused'] }, { withSla: false })).toEqual({ scope: 'all', includeClosed: false });
  });
  it('searches a scanned chip-ID QR code by its ID number', () => {
    expect(normalizeSearch('001084000999|012345678|Nguyễn Văn A|01011984|Nam|Hà Nội|01012021')).toBe('001084000999');
    expect(normalizeSearch('a|b')).toBe('a|b');
  });
});
