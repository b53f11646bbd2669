/** Real locale files behind a plain Translate function, for the formatter tests. */
import { createInstance, type TOptions } from 'i18next';
import { loadEnBundle, viBundle } from '../../../src/renderer/locales/bundle';
import type { Translate } from '../../../src/renderer/format/translate';

export async function translators(): Promise<{ vi: Translate; en: Translate }> {
  const i18n = createInstance();
  await i18n.init({
    resources: { vi: { translation: viBundle }, en: { translation: await loadEnBundle() } },
    lng: 'vi',
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  const fixed = (lng: string): Translate => {
    const t = i18n.getFixedT(lng);
    return (key, options) => String(t(key, (options ?? {}) as TOptions));
  };
  return { vi: fixed('vi'), en: fixed('en') };
}
