import { esc } from '../html.js';
import { de } from './de.js';
import { type MessageKey, en } from './en.js';
import { fr } from './fr.js';
import { DEFAULT_LOCALE, type Locale } from './locale.js';

export { type Locale, LOCALES, chooseLocale } from './locale.js';
export type { MessageKey } from './en.js';

const CATALOGUES: Record<Locale, Partial<Record<MessageKey, string>>> = { en, de, fr };

type Params = Readonly<Record<string, string | number>>;

/** The messages of one language, English where it has none (issue 13 §2). */
export interface Translator {
  locale: Locale;
  /** Plain text with its parameters; escape it where it goes into HTML. */
  text(key: MessageKey, params?: Params): string;
  /** HTML: the message is escaped, its parameters are HTML the caller made safe (e.g. `<strong>${esc(name)}</strong>`). */
  html(key: MessageKey, params?: Params): string;
}

const fill = (template: string, params: Params | undefined, escape: (s: string) => string): string =>
  template
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
      return name !== undefined && params && Object.hasOwn(params, name) ? String(params[name]) : escape(part);
    })
    .join('');

export const translator = (locale: Locale): Translator => {
  const message = (key: MessageKey): string => CATALOGUES[locale][key] ?? CATALOGUES[DEFAULT_LOCALE][key] ?? en[key];
  return {
    locale,
    text: (key, params) => fill(message(key), params, (s) => s),
    html: (key, params) => fill(message(key), params, esc),
  };
};
