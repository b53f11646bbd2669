/**
 * Counter mode (issue #6): recognise a CCCD QR code typed by a keyboard-emulating scanner.
 *
 * Scanners "type" the whole code in a burst (a few ms between keys) and end with Enter; people do not
 * start with SCAN_ESTABLISHED_KEYS keys each under SCAN_MAX_GAP_MS apart, nor type `digits|…`. The detector is fed every keydown (key,
 * timestamp) and answers what to do with it:
 * - `pass`: an ordinary key;
 * - `swallow`: a key inside a burst that looks like a QR code (digits, then `|`): the caller keeps it
 *   from reaching the page (shortcuts, or takes it back out of a text field);
 * - `scan`: Enter ended a burst that looks like a QR code: the text, to be parsed and checked;
 * - `partial` (from `idle`): a QR-looking burst stopped without Enter (a cut scan).
 * Pure: no DOM, unit tested.
 */
import { looksLikeCccdQr } from '../../shared/citizen';

export const SCAN_MAX_GAP_MS = 35;
/** Keys at scanner speed needed before a burst is taken as a scan in progress. */
export const SCAN_ESTABLISHED_KEYS = 4;
/**
 * Once established, a burst tolerates a late key or Enter (the system was busy: key events are stamped
 * when the browser handles them); a person never starts with four keys under 35 ms apart.
 */
export const SCAN_JITTER_MAX_GAP_MS = 250;
/** Shortest burst taken for a scan attempt: an ID number and a pipe (a cut scan is reported as partial). */
export const SCAN_MIN_LENGTH = 13;
/** A QR-looking burst idle this long without Enter is a cut scan. */
export const SCAN_IDLE_MS = 400;

export type ScanVerdict =
  | { kind: 'pass' }
  | { kind: 'swallow' }
  | { kind: 'scan'; text: string; startedAt: number }
  | { kind: 'partial'; text: string };

/** Could `text` still become a QR code (a prefix of `digits|…`)? */
function qrPrefix(text: string): boolean {
  return /^\d{1,12}$/.test(text) || looksLikeCccdQr(text);
}

export class ScanDetector {
  private buffer = '';
  private startedAt = 0;
  private last = -Infinity;
  /** When the last key was handled (the idle check's clock; stamps can be older than handling). */
  private lastHandled = -Infinity;

  /** Whether a QR-looking burst is being typed now. */
  get active(): boolean {
    return this.buffer.length >= 2 && qrPrefix(this.buffer);
  }

  /** The burst typed so far (for taking it back out of a text field). */
  get length(): number {
    return this.buffer.length;
  }

  /** `at`: the event's time stamp (gaps); `handledAt`: when it is handled (for `idle`), default `at`. */
  key(key: string, at: number, handledAt: number = at): ScanVerdict {
    this.lastHandled = handledAt;
    const gap = at - this.last;
    const maxGap = this.buffer.length >= SCAN_ESTABLISHED_KEYS ? SCAN_JITTER_MAX_GAP_MS : SCAN_MAX_GAP_MS;
    if (key === 'Enter') {
      const text = this.buffer;
      const fast = gap <= maxGap;
      const startedAt = this.startedAt;
      this.reset();
      // Long enough to be meant as a scan: the parser decides whether it is whole and valid.
      if (fast && text.length >= SCAN_MIN_LENGTH && looksLikeCccdQr(text)) return { kind: 'scan', text, startedAt };
      return { kind: 'pass' };
    }
    // Modifiers, arrows…: not part of the text; Shift may come between a scanner's characters.
    if ([...key].length !== 1) return { kind: 'pass' };
    if (this.buffer !== '' && gap <= maxGap) {
      this.buffer += key;
      this.last = at;
      if (qrPrefix(this.buffer)) return this.buffer.length >= 2 ? { kind: 'swallow' } : { kind: 'pass' };
      // Fast, but not a QR code (a fast typist, a paste-like burst): forget it.
      this.reset();
      return { kind: 'pass' };
    }
    // A new burst may start: scans begin with a digit.
    this.reset();
    if (/\d/.test(key)) {
      this.buffer = key;
      this.startedAt = at;
      this.last = at;
    }
    return { kind: 'pass' };
  }

  /** Called by a timer: a QR-looking burst that stopped without Enter is a cut scan. */
  idle(at: number): ScanVerdict {
    if (this.buffer === '' || at - this.lastHandled < SCAN_IDLE_MS) return { kind: 'pass' };
    const text = this.buffer;
    this.reset();
    return text.length >= SCAN_MIN_LENGTH && looksLikeCccdQr(text) ? { kind: 'partial', text } : { kind: 'pass' };
  }

  reset(): void {
    this.buffer = '';
    this.startedAt = 0;
    this.last = -Infinity;
  }
}
