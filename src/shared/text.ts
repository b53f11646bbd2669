/**
 * Vietnamese text folding for search: lower case, no diacritics, đ/Đ → d.
 * Unicode decomposition alone leaves đ as đ (it is a letter, not d plus a mark).
 */
export function foldVietnamese(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .normalize('NFC');
}

/** Split folded text into search words (letters and digits only). */
export function searchWords(input: string): string[] {
  return foldVietnamese(input)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}
