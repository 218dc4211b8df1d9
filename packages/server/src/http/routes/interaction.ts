import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../accounts/accounts.js';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { needsConsent } from '../../oauth/authorize/decide.js';
import { checkCsrf, loadInteraction, requestOf } from '../../oauth/authorize/interaction.js';
import { one } from '../../oauth/params.js';
import type { Provider } from '../../provider.js';
import { isLive } from '../../sessions/browser.js';
import { signIn } from '../../sessions/sign-in.js';
import type { Interaction, Session } from '../../store/types.js';
import { browserOf, clearInteractionCookie, clientInfo, readInteractionCookie, setBrowserCookie } from '../browser-session.js';
import { ENDPOINTS } from '../endpoints.js';
import { consentPage } from '../pages/consent.js';
import { originOf } from '../pages/html.js';
import { loginPage } from '../pages/login.js';
import { bodyParams } from '../params.js';
import { sendAuthorizationResponse, sendPage } from '../respond.js';
import { completeAuthorization } from './authorize.js';

type IdParams = { Params: { id: string } };

/**
 * The sign-in and consent steps of an authorization request: GET shows the step the interaction
 * is at; the form posts are CSRF-protected and bound to the browser that started the request.
 */
export const interactionRoutes = (app: FastifyInstance, p: Provider): void => {
  const base = ENDPOINTS.interaction;

  const load = (req: FastifyRequest<IdParams>): Promise<Interaction> =>
    loadInteraction(p.store, p.clock, req.params.id, readInteractionCookie(p, req, req.params.id));

  const clientName = async (clientId: string): Promise<string> => {
    const client = await p.store.clientById(clientId);
    return client?.client_name ?? clientId;
  };

  const formTargets = (i: Interaction): string[] => {
    const origin = originOf(requestOf(i).redirectUri);
    return origin ? [origin] : [];
  };

  const showLogin = async (reply: FastifyReply, i: Interaction, opts: { error?: string; username?: string; status?: number } = {}) =>
    sendPage(
      reply,
      loginPage(
        {
          action: `${base}/${i.id}/login`,
          csrfToken: i.csrfToken,
          clientName: await clientName(requestOf(i).clientId),
          username: opts.username ?? requestOf(i).loginHint,
          error: opts.error,
          formTargets: formTargets(i),
        },
        opts.status,
      ),
    );

  const showConsent = async (reply: FastifyReply, i: Interaction, session: Session) => {
    const account = await p.store.accountById(session.accountId);
    return sendPage(
      reply,
      consentPage({
        action: `${base}/${i.id}/consent`,
        csrfToken: i.csrfToken,
        clientName: await clientName(requestOf(i).clientId),
        username: account?.username ?? '',
        scope: requestOf(i).scope,
        formTargets: formTargets(i),
      }),
    );
  };

  /** The session the interaction signed in, if it still belongs to this browser and lives. */
  const sessionFor = async (req: FastifyRequest, reply: FastifyReply, i: Interaction): Promise<Session | undefined> => {
    if (!i.sessionId) return undefined;
    const browser = await browserOf(p, req, reply);
    return browser?.sessions.find((s) => s.id === i.sessionId && isLive(s, nowSeconds(p.clock)));
  };

  /** Consumes the interaction (once) and returns the code to the client. */
  const finish = async (reply: FastifyReply, i: Interaction, session: Session) => {
    if (!(await p.store.deleteInteraction(i.id))) fail('interaction_expired', 'This sign-in request was already completed.');
    clearInteractionCookie(p, reply, i.id);
    return completeAuthorization(p, reply, requestOf(i), session, true);
  };

  app.get<IdParams>(`${base}/:id`, { config: { page: true } }, async (req, reply) => {
    const i = await load(req);
    const session = await sessionFor(req, reply, i);
    return session ? showConsent(reply, i, session) : showLogin(reply, i);
  });

  app.post<IdParams>(`${base}/:id/login`, { config: { page: true } }, async (req, reply) => {
    const i = await load(req);
    const params = bodyParams(req);
    checkCsrf(i, one(params, 'csrf_token'));
    const username = one(params, 'username') ?? '';
    const password = one(params, 'password') ?? '';
    const account = username && password ? await authenticate(p.store, username, password) : undefined;
    // One message for every failure: it must not reveal whether the account exists.
    if (!account) return showLogin(reply, i, { error: 'Invalid username or password.', username, status: 401 });
    const rememberMe = one(params, 'remember') === '1';
    const browser = await browserOf(p, req, reply);
    const { cookie, session } = await signIn(p.store, p.clock, p.config.session, {
      browserId: browser?.browserId,
      accountId: account.id,
      rememberMe,
      amr: ['pwd'],
      acr: '0',
      ...clientInfo(req),
    });
    setBrowserCookie(p, reply, cookie, rememberMe);
    const request = requestOf(i);
    const client = await p.store.clientById(request.clientId);
    if (!client) fail('unknown_client', 'The application is no longer registered.');
    if (await needsConsent(p.store, request, client, account)) {
      await p.store.updateInteraction(i.id, { sessionId: session.id });
      return reply.code(303).redirect(`${base}/${i.id}`, 303);
    }
    return finish(reply, i, session);
  });

  app.post<IdParams>(`${base}/:id/consent`, { config: { page: true } }, async (req, reply) => {
    const i = await load(req);
    const params = bodyParams(req);
    checkCsrf(i, one(params, 'csrf_token'));
    const session = await sessionFor(req, reply, i);
    if (!session) fail('interaction_expired', 'Your sign-in has ended. Return to the application and try again.');
    const request = requestOf(i);
    if (one(params, 'decision') !== 'allow') {
      await p.store.deleteInteraction(i.id);
      clearInteractionCookie(p, reply, i.id);
      return sendAuthorizationResponse(reply, p.config.issuer, request, { error: 'access_denied', error_description: 'The user denied the request.' }, true);
    }
    await p.store.upsertGrant({ accountId: session.accountId, clientId: request.clientId, scope: request.scope, createdAt: nowSeconds(p.clock) });
    return finish(reply, i, session);
  });
};
