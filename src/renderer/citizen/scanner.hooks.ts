/**
 * Counter mode (issue #6): one window-wide key listener (capture phase, so it sees keys before the
 * queue's shortcuts) that recognises a CCCD QR code typed by a scanner anywhere in the app.
 *
 * - Focus outside text fields: the burst's keys (from the second fast one) are kept from the page,
 *   so a name typed by the scanner never fires j/k/r/c… shortcuts.
 * - Focus in a text field: the keys type as usual (a person's fast "12" must never be lost); when the
 *   burst ends as a scan, the field gets back the value it had before the burst.
 * - A valid scan opens the citizen screen with the raw text (`scan:<n>:<text>`; the core parses and
 *   checks it again); an invalid or cut scan shows its Vietnamese message.
 */
import { useEffect, useRef } from 'react';
import { parseCccdQr } from '../../shared/citizen';
import { ScanDetector } from './scan-detector';

type Field = HTMLInputElement | HTMLTextAreaElement;

function fieldOf(target: EventTarget | null): Field | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'file'].includes(target.type)) return target;
  return null;
}

/** Set a (React-controlled) field's value the way typing does, so its onChange sees it. */
function restoreField(field: Field, value: string): void {
  const proto = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(field, value);
  else field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

export interface ScannerOptions {
  /** Open the citizen screen for a scan. */
  navigate: (screen: string, param?: string) => void;
  onNotice: (text: string, tone: 'info' | 'error') => void;
  /** Server time minus local time, for the date checks. */
  clockOffset: number;
  enabled: boolean;
}

let scanCounter = 0;

/** The citizen screen's parameter for a scan (unique, so scanning the same card again reloads). */
export function scanParam(text: string): string {
  scanCounter += 1;
  return `scan:${scanCounter}:${text}`;
}

export function useCccdScanner(options: ScannerOptions): void {
  const ref = useRef(options);
  ref.current = options;
  useEffect(() => {
    if (!options.enabled) return undefined;
    const detector = new ScanDetector();
    let snapshot: { field: Field; value: string } | null = null;
    const handle = (text: string, partial: boolean): void => {
      const { navigate, onNotice, clockOffset } = ref.current;
      const parsed = parseCccdQr(text, Date.now() + clockOffset);
      if (!parsed.ok) {
        onNotice(partial && parsed.code !== 'partial' ? `Mã QR quét chưa trọn vẹn. ${parsed.message}` : parsed.message, 'error');
        return;
      }
      navigate('citizen', scanParam(text));
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      const field = fieldOf(e.target);
      const before = field?.value ?? null;
      // Gaps from the events' own stamps (when the device sent them); idleness from when they are handled.
      const verdict = detector.key(e.key, e.timeStamp, performance.now());
      if (detector.length === 1) snapshot = field && before !== null ? { field, value: before } : null;
      if (verdict.kind === 'swallow' && !field) {
        e.preventDefault();
        e.stopImmediatePropagation();
      } else if (verdict.kind === 'scan') {
        e.preventDefault();
        e.stopImmediatePropagation();
        if (snapshot && field === snapshot.field) restoreField(snapshot.field, snapshot.value);
        snapshot = null;
        handle(verdict.text, false);
      }
    };
    const timer = window.setInterval(() => {
      const verdict = detector.idle(performance.now());
      if (verdict.kind === 'partial') {
        if (snapshot) restoreField(snapshot.field, snapshot.value);
        snapshot = null;
        handle(verdict.text, true);
      }
    }, 150);
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.clearInterval(timer);
    };
  }, [options.enabled]);
}
