import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_CLIENT_ID } from '../../account/client.js';
import { endMyOtherSessions, endMySession, mySessions } from '../../account/sessions.js';
import { fail } from '../../errors.js';
import { signedInAccounts } from '../../oauth/authorize/decide.js';
import { one } from '../../oauth/params.js';
import { type Provider, endingDeps } from '../../provider.js';
import { cookieScope } from '../../sessions/browser-cookie.js';
import { endSessions } from '../../sessions/end.js';
import type { Session } from '../../sessions/store.js';
import { constantTimeEqual, randomToken, sha256 } from '../../util/secrets.js';
import { browserOf } from '../browser-session.js';
import { clearCookie, readCookie, setCookie } from '../cookies.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { type AccountSessionsView, accountSessionsPage } from '../pages/account-sessions.js';
import { pageChrome } from '../page-chrome.js';
import { bodyParams, queryParams } from '../params.js';
import { sendPage } from '../respond.js';
import { sendSignedOut } from '../signed-out.js';
import { accountSecurityRoutes } from './account-security.js';
import type { FreshSignIn } from './account-security.js';

/**
 * The CSRF token of the account pages: an HMAC of the browser cookie's secret, so it is bound to
 * this browser (a form from another browser, or from before a new sign-in, fails) and nothing
 * needs storing.
 */
/** The account pages a sign-in started from returns to. */
type AccountPage = 'sessions' | 'security';

const csrfTokenOf = (secret: string): string => createHmac('sha256', secret).update('signoff account pages').digest('base64url');

/**
 * ISSUER/account/sessions (issue 13 §1): where the account signed in on this browser is signed
 * in, with a switcher when several are, and the forms that end one other session, every other
 * one, or this one. Without a live session the browser goes through the normal sign-in with the
 * account pages' own client (account/client.ts) and comes back to ISSUER/account/callback.
 */
export const accountRoutes = (app: FastifyInstance, p: Provider): void => {
  const base = issuerPath(p.config.issuer);
  const scope = cookieScope(p.config.issuer);
  const returnCookie = `${scope.prefix}signoff-account`;
  const callback = p.config.issuer + ENDPOINTS.accountCallback;
  const mfaAcr = p.config.acrValues.find((v) => v.level === 'mfa')?.value;

  /** This browser's live sessions and the secret its CSRF tokens derive from (the cookie browserOf checked). */
  const here = async (req: FastifyRequest, reply: FastifyReply): Promise<{ browserId: string; sessions: Session[]; secret: string } | undefined> => {
    const browser = await browserOf(p, req, reply);
    if (!browser || browser.sessions.length === 0) return undefined;
    return { browserId: browser.browserId, sessions: browser.sessions, secret: browser.cookie.secret };
  };

  /**
   * The normal sign-in, with a state bound to this browser by a short-lived cookie, then back to
   * the page that asked (the cookie names it: `state.page`, a page of this list only).
   */
  const signInFirst = (reply: FastifyReply, uiLocales: string | undefined, then: AccountPage = 'sessions', fresh?: FreshSignIn) => {
    const state = randomToken(16);
    setCookie(reply, returnCookie, `${state}.${then}`, { secure: scope.secure, path: scope.path, maxAge: p.config.interactionTtl });
    const url = new URL(p.config.issuer + ENDPOINTS.authorization);
    const query: Record<string, string> = {
      client_id: ACCOUNT_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: callback,
      state,
      // PKCE as the client requires; the code is never redeemed, so the verifier is not kept.
      code_challenge: sha256(randomToken(32)),
      code_challenge_method: 'S256',
      ...(uiLocales ? { ui_locales: uiLocales } : {}),
      // A fresh sign-in of this account (OIDC Core §3.1.2.1 max_age), with its second factor when it has one.
      ...(fresh ? { login_hint: fresh.username, ...(fresh.maxAge === undefined ? {} : { max_age: String(fresh.maxAge) }), ...(mfaAcr ? { acr_values: mfaAcr } : {}) } : {}),
    };
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return reply.code(303).header('cache-control', 'no-store').redirect(url.toString(), 303);
  };

  /** The page for one of this browser's accounts (the asked one, else the one last used). */
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    h: { sessions: Session[]; secret: string },
    accountId: string | undefined,
    notice?: AccountSessionsView['notice'],
    status?: number,
  ) => {
    const current = h.sessions.find((s) => s.accountId === accountId) ?? [...h.sessions].sort((a, b) => b.lastSeen - a.lastSeen)[0];
    if (!current) return fail('server_error', 'No session to show.');
    const accounts = (await signedInAccounts(p.store, h.sessions)).map(({ account: a }) => ({ id: a.id, label: (a.claims.name as string | undefined) ?? a.username }));
    const account = accounts.find((a) => a.id === current.accountId) ?? { id: current.accountId, label: current.accountId };
    return sendPage(
      reply,
      accountSessionsPage(pageChrome(p, req, one(queryParams(req), 'ui_locales')), {
        action: `${base}${ENDPOINTS.accountSessions}`,
        securityUrl: `${base}${ENDPOINTS.accountSecurity}`,
        csrfToken: csrfTokenOf(h.secret),
        account,
        accounts,
        sessions: await mySessions(p, { accountId: current.accountId, currentSessionId: current.id }),
        notice,
        status,
      }),
    );
  };

  app.get(ENDPOINTS.accountSessions, { config: { page: true } }, async (req, reply) => {
    const h = await here(req, reply);
    const q = queryParams(req);
    if (!h) return signInFirst(reply, one(q, 'ui_locales'));
    return show(req, reply, h, one(q, 'account'));
  });

  app.post(ENDPOINTS.accountSessions, { config: { page: true } }, async (req, reply) => {
    const params = bodyParams(req);
    const h = await here(req, reply);
    if (!h) return signInFirst(reply, undefined);
    const accountId = one(params, 'account');
    const current = h.sessions.find((s) => s.accountId === accountId);
    const token = one(params, 'csrf_token');
    if (token === undefined || !constantTimeEqual(token, csrfTokenOf(h.secret))) {
      return show(req, reply, h, accountId, { kind: 'refused', key: 'sessions.csrf' }, 403);
    }
    // An account that is not signed in on this browser is not this user's to manage here.
    if (!current) return show(req, reply, h, undefined, { kind: 'refused', key: 'sessions.not_found' }, 400);
    const deps = endingDeps(p);
    if (one(params, 'end_here') !== undefined) {
      const ended = await endSessions(deps, { sessionId: current.id }, 'logout', 'user');
      return sendSignedOut(p, req, reply, ended, h.browserId);
    }
    if (one(params, 'end_others') !== undefined) {
      const ended = await endMyOtherSessions(deps, { accountId: current.accountId, currentSessionId: current.id });
      return show(req, reply, h, current.accountId, { kind: 'done', key: 'sessions.ended_others', params: { count: ended.length } });
    }
    const sessionId = one(params, 'end_session');
    const ended = sessionId === undefined ? 'not_found' : await endMySession({ ...deps, sessions: p.store }, { accountId: current.accountId, sessionId, currentSessionId: current.id });
    if (ended === 'not_found') return show(req, reply, h, current.accountId, { kind: 'refused', key: 'sessions.not_found' }, 400);
    return show(req, reply, h, current.accountId, { kind: 'done', key: 'sessions.ended_one' });
  });

  accountSecurityRoutes(app, p, { here, signInFirst, csrfTokenOf });

  // Back from the sign-in: the state must be the one this browser was given; then the page.
  app.get(ENDPOINTS.accountCallback, { config: { page: true } }, async (req, reply) => {
    const [expected, then] = (readCookie(req, returnCookie) ?? '').split('.');
    const state = one(queryParams(req), 'state');
    clearCookie(reply, returnCookie, { secure: scope.secure, path: scope.path });
    if (!expected || state === undefined || !constantTimeEqual(state, expected)) {
      fail('invalid_request', 'This sign-in did not start here; open the account page again.');
    }
    const page = then === 'security' ? ENDPOINTS.accountSecurity : ENDPOINTS.accountSessions;
    return reply.code(303).header('cache-control', 'no-store').redirect(`${base}${page}`, 303);
  });
};
