import type { FastifyInstance } from 'fastify';
import { clientOrigins } from '../../clients/metadata.js';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { checkSessionPage } from '../pages/check-session.js';
import { browserStateCookieName } from '../session-state.js';

/**
 * The OP iframe of Session Management 1.0 §3.2 (`check_session_iframe`). Clients embed it, so
 * unlike every other page it may be framed — by the origins of registered clients only.
 */
export const checkSessionRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.checkSession, { config: { page: true } }, async (_req, reply) => {
    const clients = Object.fromEntries((await p.store.listClients()).map((c) => [c.client_id, clientOrigins(c)]));
    const page = checkSessionPage(browserStateCookieName(p), clients, {
      url: p.config.issuer + ENDPOINTS.checkSessionState,
      everyMs: p.config.checkSession.confirmInterval * 1000,
    });
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', page.csp)
      .header('cache-control', 'no-store')
      .send(page.html);
  });
};
