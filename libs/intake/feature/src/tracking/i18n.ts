/** The languages the public pages speak, and how dates read in the city's time zone. */
export type Language = 'en' | 'es';

export const LANGUAGES: readonly Language[] = ['en', 'es'];

/** The city's own clock: every date a resident reads is in this zone, whatever the server's. */
export const CITY_TIME_ZONE = 'America/New_York';

/** A text in every language the pages speak. */
export type Localized = Record<Language, string>;

export const isLanguage = (value: unknown): value is Language => value === 'en' || value === 'es';

/** The first of our languages a browser's Accept-Language prefers (by q-value, then order), if any. */
export function languageFromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...parameters] = part.trim().split(';');
      const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { primary: tag.trim().toLowerCase().split('-')[0], quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.primary).find(isLanguage);
}

/** ?lang= first, then the language the resident chose when reporting, then the browser's, then English. */
export function chooseLanguage(choices: { query?: unknown; reporter?: unknown; acceptLanguage?: string }): Language {
  if (isLanguage(choices.query)) return choices.query;
  if (isLanguage(choices.reporter)) return choices.reporter;
  return languageFromAcceptLanguage(choices.acceptLanguage) ?? 'en';
}

// Spanish as written in the United States (e.g. "12:00 p.m. EST"), like the city's other Spanish pages.
const LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-US' };

const dateTimeFormats = Object.fromEntries(
  LANGUAGES.map((language) => [
    language,
    new Intl.DateTimeFormat(LOCALE[language], {
      timeZone: CITY_TIME_ZONE,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    }),
  ]),
) as Record<Language, Intl.DateTimeFormat>;

const dateFormats = Object.fromEntries(
  LANGUAGES.map((language) => [language, new Intl.DateTimeFormat(LOCALE[language], { timeZone: CITY_TIME_ZONE, dateStyle: 'full' })]),
) as Record<Language, Intl.DateTimeFormat>;

/** e.g. "November 27, 2026 at 12:00 PM EST" / "27 de noviembre de 2026 a las 12:00 p.m. EST". */
export const formatDateTime = (iso: string, language: Language): string => dateTimeFormats[language].format(new Date(iso));

/** e.g. "Friday, November 27, 2026" / "viernes, 27 de noviembre de 2026" (the day in the city). */
export const formatDate = (iso: string, language: Language): string => dateFormats[language].format(new Date(iso));
