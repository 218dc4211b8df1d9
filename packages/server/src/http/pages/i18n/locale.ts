/**
 * The page language (issue 13 §2): the first of the authorization or logout request's
 * `ui_locales` that Signoff speaks (OpenID Connect Core §3.1.2.1, space-separated BCP 47 tags in
 * order of preference), then the browser's `Accept-Language` (RFC 9110 §12.5.4, by q-value),
 * then English. A tag matches by its primary language: `de-CH` is German.
 */
export const LOCALES = ['en', 'de', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

const primary = (tag: string): Locale | undefined => {
  const lang = tag.trim().toLowerCase().split('-')[0];
  return (LOCALES as readonly string[]).includes(lang ?? '') ? (lang as Locale) : undefined;
};

/** `ui_locales` in order; unknown tags are passed over (Core §3.1.2.1: not an error). */
const fromUiLocales = (uiLocales: string | undefined): Locale | undefined => {
  for (const tag of (uiLocales ?? '').split(' ').slice(0, 20)) {
    const l = primary(tag);
    if (l) return l;
  }
  return undefined;
};

/** Accept-Language by q-value, ties in order; `*` and q=0 choose nothing. */
const fromAcceptLanguage = (header: string | undefined): Locale | undefined => {
  const ranges = (header ?? '')
    .split(',')
    .slice(0, 50)
    .map((part, i) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.tag && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const l = primary(r.tag);
    if (l) return l;
  }
  return undefined;
};

export const chooseLocale = (opts: { uiLocales?: string | undefined; acceptLanguage?: string | undefined }): Locale =>
  fromUiLocales(opts.uiLocales) ?? fromAcceptLanguage(opts.acceptLanguage) ?? DEFAULT_LOCALE;
