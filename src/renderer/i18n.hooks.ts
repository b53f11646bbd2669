/** `t` with the plain Translate signature the pure formatters take, and the current language. */
import type { TOptions } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Translate } from './format/translate';
import type { Lang } from './i18n';

export function useTr(): { t: Translate; lang: Lang } {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(() => {
    const tr: Translate = (key, options) => String(t(key, (options ?? {}) as TOptions));
    return { t: tr, lang: language === 'en' ? 'en' : 'vi' };
  }, [t, language]);
}
