// Locale selection for the popup: Concur's language_code (xx, xx-XX or xx_XX) to one of the shipped message
// locales, with fallback to the base language and then English; and the locale Intl formats dates and amounts in.
import { configureLocalization } from '@lit/localize';
import { allLocales, sourceLocale, targetLocales } from './locale-codes.ts';

export type MessageLocale = (typeof allLocales)[number];

/** Each translation is its own chunk, loaded only when a user needs it. */
const loaders: Record<(typeof targetLocales)[number], () => Promise<unknown>> = {
  de: () => import('./locales/de.ts'),
  es: () => import('./locales/es.ts'),
  fr: () => import('./locales/fr.ts'),
  it: () => import('./locales/it.ts'),
  ja: () => import('./locales/ja.ts'),
  'pt-BR': () => import('./locales/pt-BR.ts'),
};

export const { getLocale, setLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: (locale) =>
    loaders[locale as keyof typeof loaders]() as ReturnType<Parameters<typeof configureLocalization>[0]['loadLocale']>,
});

/** xx_XX (Concur's older form) and xx-xx to a BCP 47 tag, xx-XX; anything unreadable to English. */
export function intlLocale(languageCode: string | null | undefined): string {
  const m = /^([a-z]{2,3})(?:[-_]([a-z]{2}|\d{3}))?$/i.exec(languageCode?.trim() ?? '');
  if (!m) return 'en';
  const tag = m[2] ? `${m[1]!.toLowerCase()}-${m[2].toUpperCase()}` : m[1]!.toLowerCase();
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/**
 * The message locale for a language code: the exact locale when shipped (pt-BR), else the base language (de-AT
 * reads German; pt-PT reads Brazilian Portuguese, the only Portuguese shipped), else English.
 */
export function pickLocale(languageCode: string | null | undefined): MessageLocale {
  const tag = intlLocale(languageCode);
  const exact = allLocales.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const base = tag.split('-')[0]!;
  return (
    allLocales.find((l) => l.toLowerCase() === base) ??
    allLocales.find((l) => l.split('-')[0]!.toLowerCase() === base) ??
    sourceLocale
  );
}

const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'sd', 'yi', 'dv', 'ckb']);
/** The writing direction of a language, for the dir attribute. */
export const textDirection = (locale: string): 'ltr' | 'rtl' =>
  RTL.has(locale.split('-')[0]!.toLowerCase()) ? 'rtl' : 'ltr';
