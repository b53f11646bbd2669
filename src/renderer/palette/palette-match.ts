/**
 * Command palette matching: diacritics ignored and đ folded (foldVietnamese), every typed word must
 * match — as the start of a word, inside a word, or as initials ("ycbs" → "Yêu cầu bổ sung").
 * Better matches first; ties keep the given order. Pure.
 */
import { foldVietnamese, searchWords } from '../../shared/text';

export interface PaletteCommand {
  id: string;
  label: string;
  /** Extra words that find the command (English names, synonyms, the shortcut). */
  keywords?: readonly string[];
}

/** Score of one query word against the words of a command; 0 = no match. */
function wordScore(q: string, words: readonly string[], initials: string): number {
  let best = 0;
  for (const w of words) {
    if (w === q) return 4;
    if (w.startsWith(q)) best = Math.max(best, 3);
    else if (q.length >= 2 && w.includes(q)) best = Math.max(best, 1.5);
  }
  if (best < 2 && q.length >= 2 && initials.includes(q)) best = Math.max(best, 2);
  return best;
}

/** Letters of the query in order anywhere in the text (a weak, last-resort match). */
function isSubsequence(q: string, text: string): boolean {
  let i = 0;
  for (const ch of text) if (ch === q[i]) i += 1;
  return i === q.length;
}

export function scoreCommand(query: string, command: PaletteCommand): number {
  const qWords = searchWords(query);
  if (qWords.length === 0) return 1;
  const labelWords = searchWords(command.label);
  const words = [...labelWords, ...(command.keywords ?? []).flatMap((k) => searchWords(k))];
  const initials = labelWords.map((w) => w[0] ?? '').join('');
  let total = 0;
  for (const q of qWords) {
    const s = wordScore(q, words, initials);
    if (s === 0) {
      const compact = foldVietnamese(query).replace(/\s+/g, '');
      const haystack = foldVietnamese(command.label).replace(/\s+/g, '');
      return compact.length >= 2 && isSubsequence(compact, haystack) ? 0.5 : 0;
    }
    total += s;
  }
  return total / qWords.length + (labelWords[0]?.startsWith(qWords[0] ?? '') ? 0.5 : 0);
}

export function matchCommands<T extends PaletteCommand>(query: string, commands: readonly T[]): T[] {
  const scored = commands.map((c, i) => ({ c, i, s: scoreCommand(query, c) })).filter((x) => x.s > 0);
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.map((x) => x.c);
}
