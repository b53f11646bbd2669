/** Where keyboard focus is, for the shortcut map (DOM only). */
import type { FocusZone } from './shortcuts';

/** Which zone an element belongs to. */
export function zoneOf(el: Element | null, listEl: Element | null, detailEl: Element | null): FocusZone {
  if (!el || el.tagName === 'BODY' || el.tagName === 'HTML') return 'body';
  const tag = el.tagName;
  const handlesOwnKeys = el.closest('[data-shortcut-zone="off"]') !== null;
  const editable = (el as HTMLElement).isContentEditable === true;
  if (editable || tag === 'TEXTAREA' || tag === 'SELECT') return 'text';
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    if (!['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(type)) return 'text';
  }
  // Action forms, the action menu and the palette: their own Enter/Escape/letters.
  if (handlesOwnKeys) return 'off';
  if (listEl && (el === listEl || listEl.contains(el))) return 'list';
  if (detailEl && (el === detailEl || detailEl.contains(el))) return 'detail';
  return 'other';
}
