import type { FastifyRequest } from 'fastify';
import type { Provider } from '../provider.js';
import { ENDPOINTS } from './endpoints.js';
import type { PageChrome } from './pages/html.js';
import { chooseLocale, translator } from './pages/i18n/index.js';

/**
 * What a page needs around its body (issue 13 §2): the language — the request's `ui_locales`
 * (OIDC Core §3.1.2.1; the authorization or logout request's, kept with its interaction), then
 * the browser's Accept-Language, then English — the configured branding, and the devices page.
 */
export const pageChrome = (p: Provider, req: FastifyRequest, uiLocales?: string | undefined): PageChrome => {
  const header = req.headers['accept-language'];
  return {
    t: translator(chooseLocale({ uiLocales, acceptLanguage: Array.isArray(header) ? header.join(',') : header })),
    branding: p.config.branding,
    sessionsUrl: p.config.issuer + ENDPOINTS.accountSessions,
    ...(p.config.email ? { forgotPasswordUrl: p.config.issuer + ENDPOINTS.accountForgot } : {}),
  };
};

/**
 * `ui_locales` of a request's query or form body, when it is given once: the parsers make each
 * parameter a list (http/params.ts). An error page reads it too, so a repeated or odd one is
 * passed over here, never an error of its own.
 */
export const uiLocalesOf = (req: FastifyRequest): string | undefined => {
  for (const source of [req.query, req.body]) {
    if (source && typeof source === 'object') {
      const v: unknown = (source as Record<string, unknown>).ui_locales;
      const values = Array.isArray(v) ? v : [v];
      if (values.length === 1 && typeof values[0] === 'string' && values[0].length <= 200) return values[0];
    }
  }
  return undefined;
};
