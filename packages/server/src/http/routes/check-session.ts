import type { FastifyInstance } from 'fastify';
import { framingOrigin, isClientOrigin } from '../../logout/check-session-origins.js';
import { one } from '../../oauth/params.js';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { checkSessionPage } from '../pages/check-session.js';
import { requestParams } from '../params.js';
import { sendNoStore } from '../respond.js';
import { browserStateCookieName } from '../session-state.js';

/**
 * The OP iframe of Session Management 1.0 §3.2 (`check_session_iframe`). Clients embed it, so
 * unlike every other page it may be framed — by the registered client origin that loaded it
 * only. The page is the same whatever clients exist (issue 10 §6).
 */
export const checkSessionRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.checkSession, { config: { page: true } }, async (req, reply) => {
    const ancestor = await framingOrigin(p.store, req.headers.referer);
    const page = checkSessionPage(browserStateCookieName(p), ancestor, p.config.issuer + ENDPOINTS.checkSessionOrigin, {
      url: p.config.issuer + ENDPOINTS.checkSessionState,
      everyMs: p.config.checkSession.confirmInterval * 1000,
    });
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', page.csp)
      .header('cache-control', 'no-store')
      .header('vary', 'Referer')
      .send(page.html);
  });

  // The iframe's question: is client_id registered for origin? Only that pair is answered, and
  // an unknown client is answered like a known one registered elsewhere. No CORS: only the
  // provider's own pages read it.
  app.get(ENDPOINTS.checkSessionOrigin, async (req, reply) => {
    const params = requestParams(req);
    const clientId = one(params, 'client_id');
    const origin = one(params, 'origin');
    const registered = clientId !== undefined && origin !== undefined && (await isClientOrigin(p.store, clientId, origin));
    return sendNoStore(reply, 200, { registered });
  });
};
