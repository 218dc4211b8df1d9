import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../errors.js';
import { decideLogout } from '../../logout/rp-initiated/decide.js';
import { type LogoutRequest, parseLogoutRequest } from '../../logout/rp-initiated/request.js';
import { signedInAccounts } from '../../oauth/authorize/decide.js';
import { type PendingLogout, confirmLogout, logoutChoice } from '../../logout/rp-initiated/confirm.js';
import { checkCsrf, loadLogoutInteraction, startInteraction } from '../../oauth/authorize/interaction.js';
import { one } from '../../oauth/params.js';
import { type Provider, endingDeps, federatedDeps } from '../../provider.js';
import { advanceFederatedLogout, federatedHops } from '../../upstreams/federated-logout.js';
import { endSessions } from '../../sessions/end.js';
import type { EndedSession } from '../../sessions/store.js';
import { browserOf, readInteractionCookie, setInteractionCookie } from '../browser-session.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { originOf } from '../pages/html.js';
import { logoutConfirmPage, otherDevicesSignedOutPage, stillSignedInPage } from '../pages/logout.js';
import { pageChrome } from '../page-chrome.js';
import { bodyParams, requestParams } from '../params.js';
import { sendPage } from '../respond.js';
import { sendSignedOut } from '../signed-out.js';

/**
 * The end-session endpoint (RP-Initiated Logout 1.0), GET and POST, and the confirmation it may
 * ask for. Every ending goes through the session core's one ending path; the HTTP response never
 * waits for applications (back-channel notifications are queued, front-channel ones are iframes
 * on the page that follows).
 */
export const endSessionRoutes = (app: FastifyInstance, p: Provider): void => {
  /**
   * After the ending: the browser state changes (Session Management §3), the clients signed in
   * through this browser's ended sessions get their front-channel iframes, and the browser goes
   * on to the registered post_logout_redirect_uri with `state` (§3), or to "You are signed out".
   */
  const finish = async (req: FastifyRequest, reply: FastifyReply, to: Omit<PendingLogout, 'accountId'>, ended: EndedSession[], browserId?: string) => {
    let next: string | undefined;
    if (to.postLogoutRedirectUri !== undefined) {
      const url = new URL(to.postLogoutRedirectUri);
      if (to.state !== undefined) url.searchParams.append('state', to.state);
      next = url.toString();
    }
    // Issue 15 §2: the upstreams these sessions came through, when the logout is federated; the
    // application's URI waits in the interaction until the browser is back from them.
    const hops = await federatedHops(federatedDeps(p), ended, browserId, to.federated === true);
    let remaining: string[] = [];
    if (hops.length > 0) {
      const state = { pending: hops, remaining: [] };
      const started = await startInteraction(p.store, p.clock, p.config.interactionTtl, { next, uiLocales: to.uiLocales }, { step: 'federated-logout', sessionId: undefined, state }, readInteractionCookie(p, req));
      setInteractionCookie(p, reply, started.bindingSecret);
      const step = await advanceFederatedLogout(federatedDeps(p), started.interaction.id, state);
      if (step.kind === 'upstream') next = step.url;
      else remaining = step.remaining;
    }
    return sendSignedOut(p, req, reply, ended, browserId, { next, uiLocales: to.uiLocales, remaining });
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const request: LogoutRequest = await parseLogoutRequest({ issuer: p.config.issuer, keys: p.keys, clock: p.clock, clients: p.store }, requestParams(req));
    const to = { clientId: request.client?.client_id, postLogoutRedirectUri: request.postLogoutRedirectUri, state: request.state, uiLocales: request.uiLocales, federated: request.federated };
    const browser = await browserOf(p, req, reply);
    const signedIn = await signedInAccounts(p.store, browser?.sessions ?? [], browser?.accounts);
    const decision = await decideLogout(p.store, request, signedIn);
    if (decision.kind === 'done') return finish(req, reply, to, []);
    if (decision.kind === 'end') {
      const actor = `client:${request.client?.client_id ?? ''}`;
      const ended = await endSessions(endingDeps(p), { sessionId: decision.target.session.id }, 'logout', actor);
      return finish(req, reply, to, ended, browser?.browserId);
    }
    const { target } = decision;
    const pending: PendingLogout = { ...to, accountId: target.account.id };
    const { interaction, bindingSecret } = await startInteraction(p.store, p.clock, p.config.interactionTtl, pending, { step: 'logout' }, readInteractionCookie(p, req));
    setInteractionCookie(p, reply, bindingSecret);
    return sendPage(
      reply,
      logoutConfirmPage(pageChrome(p, req, request.uiLocales), {
        action: `${issuerPath(p.config.issuer)}${ENDPOINTS.endSession}/${interaction.id}/confirm`,
        csrfToken: interaction.csrfToken,
        clientName: request.client ? (request.client.client_name ?? request.client.client_id) : undefined,
        account: { username: target.account.username, name: target.account.claims.name as string | undefined },
        otherAccounts: signedIn.length - 1,
        formTargets: [originOf(request.postLogoutRedirectUri ?? '')].filter((o): o is string => o !== undefined),
      }),
    );
  };
  app.get(ENDPOINTS.endSession, { config: { page: true } }, handler);
  app.post(ENDPOINTS.endSession, { config: { page: true } }, handler);

  // The confirmation (logout/rp-initiated/confirm.ts): bound to the browser that asked, CSRF-checked, and consumed once.
  app.post<{ Params: { id: string } }>(`${ENDPOINTS.endSession}/:id/confirm`, { config: { page: true } }, async (req, reply) => {
    const i = await loadLogoutInteraction(p.store, p.clock, req.params.id, readInteractionCookie(p, req));
    const params = bodyParams(req);
    checkCsrf(i, one(params, 'csrf_token'));
    const choice = logoutChoice(one(params, 'stay') !== undefined, one(params, 'logout_scope'));
    if (!(await p.store.deleteInteraction(i.id))) fail('interaction_expired', 'This sign-out was already completed.');
    const chrome = pageChrome(p, req, i.request.uiLocales);
    const browser = await browserOf(p, req, reply);
    const outcome = await confirmLogout(endingDeps(p), i.request, choice, browser);
    if (outcome.kind === 'stayed') return sendPage(reply, stillSignedInPage(chrome));
    if (outcome.kind === 'others-ended') return sendPage(reply, otherDevicesSignedOutPage(chrome, outcome.count));
    return finish(req, reply, i.request, outcome.ended, browser?.browserId);
  });
};
