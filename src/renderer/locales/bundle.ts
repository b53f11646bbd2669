/**
 * The translation bundles: the main files plus every feature file in ./features (one top-level key
 * per feature file; a key defined twice is an error, caught by the locale test). Vietnamese is bundled;
 * English is loaded on demand.
 */
import vi from './vi.json';

type Bundle = Record<string, unknown>;

const viParts = import.meta.glob<Bundle>('./features/*.vi.json', { eager: true, import: 'default' });
const enParts = import.meta.glob<Bundle>('./features/*.en.json', { import: 'default' });

/** Top-level keys defined by more than one file (should be none). */
export function collisions(parts: Bundle[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const part of parts) {
    for (const key of Object.keys(part)) {
      if (seen.has(key)) twice.push(key);
      seen.add(key);
    }
  }
  return twice;
}

function merge(main: Bundle, parts: Bundle[]): Bundle {
  return Object.assign({}, main, ...parts) as Bundle;
}

export const viBundle: Bundle = merge(vi, Object.values(viParts));

export async function loadEnBundle(): Promise<Bundle> {
  const en = (await import('./en.json')).default as Bundle;
  const parts = await Promise.all(Object.values(enParts).map((load) => load()));
  return merge(en, parts);
}

/** For the locale test: every file, main first. */
export async function allParts(): Promise<{ vi: Bundle[]; en: Bundle[] }> {
  const en = (await import('./en.json')).default as Bundle;
  return { vi: [vi, ...Object.values(viParts)], en: [en, ...(await Promise.all(Object.values(enParts).map((load) => load())))] };
}
