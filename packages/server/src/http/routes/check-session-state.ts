import type { FastifyInstance } from 'fastify';
import { browserStateChanged } from '../../logout/browser-state.js';
import type { Provider } from '../../provider.js';
import { readCookie } from '../cookies.js';
import { ENDPOINTS } from '../endpoints.js';
import { sendNoStore } from '../respond.js';
import { browserStateCookieName } from '../session-state.js';

/**
 * The check_session iframe's confirmation (issue 10 §3; Session Management 1.0 §3.2): before it
 * answers `unchanged`, the iframe asks its own origin whether the sessions behind the browser
 * state in its cookie have changed — ended by an administrator, an expiry, a password change or
 * another device, none of which touch this browser's cookie. It reads the SameSite=None
 * browser-state cookie, not the SameSite=Lax browser cookie, because the iframe usually sits in
 * a cross-site page, where only the former is sent. The answer concerns only the state the
 * request carries (a forged one is `changed`, whatever exists), it is never cached, it writes
 * nothing (it does not extend the sessions' idle time) and costs two indexed reads.
 */
export const checkSessionStateRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(
    ENDPOINTS.checkSessionState,
    {
      schema: {
        response: {
          200: { type: 'object', properties: { changed: { type: 'boolean' } }, required: ['changed'], additionalProperties: false },
          503: { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } }, additionalProperties: false },
        },
      },
    },
    async (req, reply) => {
      let changed: boolean;
      try {
        changed = await browserStateChanged({ store: p.store, clock: p.clock }, readCookie(req, browserStateCookieName(p)));
      } catch (err) {
        // The iframe then falls back to comparing the cookie alone; never a 500 (issue 10 §3).
        req.log.error({ err }, 'check_session state confirmation failed');
        return sendNoStore(reply, 503, { error: 'temporarily_unavailable', error_description: 'The session state could not be confirmed.' });
      }
      return sendNoStore(reply, 200, { changed });
    },
  );
};
