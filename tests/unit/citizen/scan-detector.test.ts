/** Counter mode's burst detector (issue #6): scanner bursts vs people typing. */
import { describe, expect, it } from 'vitest';
import { SCAN_IDLE_MS, SCAN_JITTER_MAX_GAP_MS, ScanDetector, type ScanVerdict } from '../../../src/renderer/citizen/scan-detector';

const QR = '001084000999|012345678|Nguyễn Văn Đức|15031984|Nam|Số 12 Đội Cấn, Hà Nội|10052021';

/** Feed `text` one key every `gapMs`, then Enter; returns every verdict. */
function type(d: ScanDetector, text: string, gapMs: number, start = 1000, enter = true): ScanVerdict[] {
  const out: ScanVerdict[] = [];
  let t = start;
  for (const ch of text) {
    out.push(d.key(ch, t));
    t += gapMs;
  }
  if (enter) out.push(d.key('Enter', t));
  return out;
}

describe('ScanDetector', () => {
  it('recognises a scanner burst ending in Enter and swallows its keys after the first', () => {
    const d = new ScanDetector();
    const verdicts = type(d, QR, 4);
    expect(verdicts[0]).toEqual({ kind: 'pass' });
    expect(verdicts.slice(1, -1).every((v) => v.kind === 'swallow')).toBe(true);
    expect(verdicts.at(-1)).toEqual({ kind: 'scan', text: QR, startedAt: 1000 });
  });

  it('ignores Shift and other non-character keys inside a burst', () => {
    const d = new ScanDetector();
    const out: ScanVerdict[] = [];
    let t = 0;
    for (const ch of QR) {
      if (ch === ch.toUpperCase() && /\p{L}/u.test(ch)) out.push(d.key('Shift', (t += 2)));
      out.push(d.key(ch, (t += 3)));
    }
    out.push(d.key('Enter', (t += 3)));
    expect(out.at(-1)).toMatchObject({ kind: 'scan', text: QR });
  });

  it('tolerates a late key once the burst is established (a busy system stamps events late)', () => {
    const d = new ScanDetector();
    let t = 0;
    const out: ScanVerdict[] = [];
    [...QR].forEach((ch, i) => {
      t += i === 9 || i === 40 ? SCAN_JITTER_MAX_GAP_MS - 50 : 1;
      out.push(d.key(ch, t));
    });
    out.push(d.key('Enter', t + 100));
    expect(out.at(-1)).toMatchObject({ kind: 'scan', text: QR });
  });

  it('does not start a burst from keys that are not all fast at first', () => {
    const d = new ScanDetector();
    let t = 0;
    const out = [...QR].map((ch, i) => d.key(ch, (t += i === 2 ? 60 : 5)));
    // the slow third key restarts the burst: the text seen is cut, so no complete scan
    const enter = d.key('Enter', t + 5);
    expect(out[2]).toEqual({ kind: 'pass' });
    expect(enter.kind === 'scan' && enter.text === QR).toBe(false);
  });

  it('never takes a person typing the same text at human speed', () => {
    const d = new ScanDetector();
    const verdicts = type(d, QR, 120);
    expect(verdicts.every((v) => v.kind === 'pass')).toBe(true);
  });

  it('lets fast ordinary typing through (no pipe after the digits, or letters first)', () => {
    const d = new ScanDetector();
    expect(type(d, 'nguyen van duc', 10).every((v) => v.kind === 'pass')).toBe(true);
    const digits = type(d, '0912345678 abc', 10);
    expect(digits.at(-1)).toEqual({ kind: 'pass' });
  });

  it('does not take a slow Enter after a burst', () => {
    const d = new ScanDetector();
    type(d, QR, 4, 0, false);
    expect(d.key('Enter', QR.length * 4 + 1000)).toEqual({ kind: 'pass' });
  });

  it('reports a burst cut before Enter as partial once idle', () => {
    const d = new ScanDetector();
    const cut = QR.slice(0, 40);
    type(d, cut, 4, 0, false);
    const last = (cut.length - 1) * 4;
    expect(d.idle(last + 10)).toEqual({ kind: 'pass' });
    expect(d.idle(last + SCAN_IDLE_MS)).toEqual({ kind: 'partial', text: cut });
    // and forgets it
    expect(d.idle(last + 2 * SCAN_IDLE_MS)).toEqual({ kind: 'pass' });
  });

  it('hands a short but QR-looking burst with Enter to the parser (which will say it is partial)', () => {
    const d = new ScanDetector();
    expect(type(d, '001084000999|01234', 4).at(-1)).toMatchObject({ kind: 'scan', text: '001084000999|01234' });
  });
});
