import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { pageChrome, uiLocalesOf } from '../page-chrome.js';
import { landingPage } from '../pages/landing.js';
import { sendPublicPage } from '../respond.js';

/** How long a browser or shared cache may keep the landing page: it is the same for everyone in one language. */
const LANDING_MAX_AGE_SECONDS = 300;

/**
 * GET (and HEAD) ISSUER/ (issue 17 §1): a small page naming the provider, with links to the
 * devices page and the discovery document, in the browser's language (or `ui_locales`). It
 * reads no cookie and sets none, so it may be cached — varying by Accept-Language.
 */
export const landingRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.landing, { config: { page: true } }, async (req, reply) =>
    sendPublicPage(
      reply,
      landingPage(pageChrome(p, req, uiLocalesOf(req)), {
        issuer: p.config.issuer,
        discoveryUrl: p.config.issuer + ENDPOINTS.discovery,
        accountUrl: p.config.issuer + ENDPOINTS.accountSessions,
      }),
      LANDING_MAX_AGE_SECONDS,
    ),
  );
};
