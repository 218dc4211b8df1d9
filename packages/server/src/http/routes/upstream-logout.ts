import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../errors.js';
import { one } from '../../oauth/params.js';
import { type Provider, endingDeps } from '../../provider.js';
import type { EndedSession } from '../../sessions/store.js';
import { endBrowserUpstreamSessions, endUpstreamSessions, inboundBackChannelLogout } from '../../upstreams/inbound-logout.js';
import { UPSTREAM_PATHS, UPSTREAMS_PREFIX } from '../../upstreams/paths.js';
import { browserOf } from '../browser-session.js';
import { errorDescription } from '../error-description.js';
import { pageChrome, uiLocalesOf } from '../page-chrome.js';
import { originOf } from '../pages/html.js';
import { loggedOutPage } from '../pages/logout.js';
import { bodyParams, queryParams } from '../params.js';
import { sendFramablePage, sendNoStore } from '../respond.js';
import { refreshBrowserState } from '../session-state.js';
import { framesForBrowser } from '../signed-out.js';

type UpstreamParams = { Params: { upstream: string } };

/**
 * Inbound logout from an upstream provider (issue 15 §2): its back-channel logout token
 * (Back-Channel Logout 1.0 §2.5-§2.8) and its front-channel iframe (Front-Channel Logout 1.0 §2-§3)
 * end the SSO sessions signed in through the upstream session, and so notify every application.
 */
export const upstreamLogoutRoutes = (app: FastifyInstance, p: Provider): void => {
  const deps = { upstreams: p.upstreams, store: p.store, ending: endingDeps(p), clock: p.clock };

  // §2.8: every failure is a 400 — so any body that is not a form (JSON, none) reaches the
  // handler as no parameters, rather than the 415 of the other endpoints.
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, undefined));
    scope.post<UpstreamParams>(`${UPSTREAMS_PREFIX}/:upstream/${UPSTREAM_PATHS.backchannelLogout}`, async (req, reply) => {
      const bad = (description: string) => sendNoStore(reply, 400, { error: 'invalid_request', error_description: errorDescription(description) });
      if (!p.upstreams.byId(req.params.upstream)) return sendNoStore(reply, 404, { error: 'not_found', error_description: 'No such upstream.' });
      const values = bodyParams(req).logout_token ?? [];
      if (values.length !== 1 || values[0] === '') return bad(values.length > 1 ? 'parameter "logout_token" must not be repeated' : 'parameter "logout_token" is required');
      const outcome = await inboundBackChannelLogout(deps, req.params.upstream, values[0] as string);
      switch (outcome.kind) {
        case 'unknown_upstream':
          return sendNoStore(reply, 404, { error: 'not_found', error_description: 'No such upstream.' });
        case 'unavailable':
          reply.header('retry-after', '5');
          return sendNoStore(reply, 503, { error: 'temporarily_unavailable', error_description: "The upstream's keys cannot be fetched now; try again." });
        case 'invalid':
          req.log.info({ upstream: req.params.upstream, reason: outcome.reason }, 'upstream logout token refused');
          return bad(outcome.reason);
        case 'ended':
          req.log.info({ upstream: req.params.upstream, ended: outcome.sessions.length }, 'upstream back-channel logout');
          // §2.8: 200 (no body needed), also when no session matched.
          return reply.code(200).header('cache-control', 'no-store').send('');
      }
    });
  });

  /**
   * Front-Channel Logout 1.0 §2: the upstream frames this URI with `iss` and `sid` (iss required
   * with sid, and then the upstream's issuer); without sid, this browser's sessions that came
   * through the upstream end — if the framed request carries the browser cookie at all (third-
   * party cookies may be blocked: then nothing ends here, and back-channel logout is the reliable way).
   */
  app.get<UpstreamParams>(`${UPSTREAMS_PREFIX}/:upstream/${UPSTREAM_PATHS.frontchannelLogout}`, { config: { page: true } }, async (req: FastifyRequest<UpstreamParams>, reply: FastifyReply) => {
    const upstreamId = req.params.upstream;
    const upstream = p.upstreams.byId(upstreamId);
    if (!upstream) fail('not_found', 'No such upstream.');
    const params = queryParams(req);
    const iss = one(params, 'iss');
    const sid = one(params, 'sid');
    if (sid !== undefined && iss === undefined) fail('invalid_request', 'parameter "iss" is required with "sid" (Front-Channel Logout §2)');
    if (iss !== undefined && iss !== upstream.issuer) fail('invalid_request', 'parameter "iss" is not this upstream\'s issuer');
    const browser = await browserOf(p, req, reply);
    const ended: EndedSession[] =
      sid !== undefined
        ? await endUpstreamSessions(endingDeps(p), upstreamId, { sid })
        : await endBrowserUpstreamSessions({ ...endingDeps(p), store: p.store }, upstreamId, browser?.sessions ?? []);
    if (ended.some((s) => s.browserId === browser?.browserId)) await refreshBrowserState(p, reply, browser?.browserId);
    const frames = await framesForBrowser(p, ended, browser?.browserId);
    const ancestors = [...new Set([originOf(upstream.issuer), p.upstreams.signInOrigin(upstreamId)].filter((o): o is string => o !== undefined))];
    return sendFramablePage(reply, loggedOutPage(pageChrome(p, req, uiLocalesOf(req)), { frames, frameAncestors: ancestors }));
  });
};
