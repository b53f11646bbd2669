/**
 * i18next setup: Vietnamese is the default and bundled; English loads on demand.
 * The choice is kept in localStorage.
 */
import { createInstance, type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { loadEnBundle, viBundle } from './locales/bundle';

export type Lang = 'vi' | 'en';
export const LANG_STORAGE_KEY = 'cw.lang';

export function readStoredLang(storage: Pick<Storage, 'getItem'> | null): Lang {
  try {
    return storage?.getItem(LANG_STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

async function ensureBundle(i18n: I18n, lang: Lang): Promise<void> {
  if (lang === 'vi' || i18n.hasResourceBundle(lang, 'translation')) return;
  i18n.addResourceBundle('en', 'translation', await loadEnBundle(), true, true);
}

export async function createI18n(lang: Lang): Promise<I18n> {
  const i18n = createInstance();
  await i18n.use(initReactI18next).init({
    resources: { vi: { translation: viBundle } },
    lng: 'vi',
    fallbackLng: 'vi',
    supportedLngs: ['vi', 'en'],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  if (lang !== 'vi') await switchLanguage(i18n, lang, null);
  return i18n;
}

export async function switchLanguage(i18n: I18n, lang: Lang, storage: Pick<Storage, 'setItem'> | null): Promise<void> {
  await ensureBundle(i18n, lang);
  await i18n.changeLanguage(lang);
  try {
    storage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

export function currentLang(i18n: I18n): Lang {
  return i18n.language === 'en' ? 'en' : 'vi';
}
