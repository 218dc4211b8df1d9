import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attemptPassword } from '../../accounts/sign-in-attempt.js';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { type SignedIn, decideFor, eligibleFor, needsConsent, signedInAccounts } from '../../oauth/authorize/decide.js';
import type { Interaction } from '../../oauth/authorize/interaction-store.js';
import { authorizationAtSignIn } from '../../oauth/authorize/complete.js';
import { checkCsrf, loadInteraction, requestOf, storedRequest } from '../../oauth/authorize/interaction.js';
import { type Params, one } from '../../oauth/params.js';
import { type Provider, endingDeps, signInAttemptDeps } from '../../provider.js';
import { isLive } from '../../sessions/browser.js';
import { signIn } from '../../sessions/sign-in.js';
import type { Session } from '../../sessions/store.js';
import { browserOf, clientInfo, readInteractionCookie, setBrowserCookie } from '../browser-session.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { chooseAccountPage } from '../pages/choose-account.js';
import { consentPage } from '../pages/consent.js';
import { originOf } from '../pages/html.js';
import { loginPage } from '../pages/login.js';
import { pageChrome } from '../page-chrome.js';
import { bodyParams } from '../params.js';
import { sendPage } from '../respond.js';
import { sendAuthorizationResult } from '../session-state.js';
import { decideDeps, interactionFor, issueFor } from './authorize.js';

type IdParams = { Params: { id: string } };

/**
 * The sign-in and consent steps of an authorization request: GET shows the step the interaction
 * is at; the form posts are CSRF-protected and bound to the browser that started the request.
 */
export const interactionRoutes = (app: FastifyInstance, p: Provider): void => {
  const base = ENDPOINTS.interaction;
  // What the browser is sent: the same paths under the issuer's (endpoints.ts issuerPath).
  const link = issuerPath(p.config.issuer) + ENDPOINTS.interaction;

  const load = (req: FastifyRequest<IdParams>): Promise<Interaction> =>
    loadInteraction(p.store, p.clock, req.params.id, readInteractionCookie(p, req));

  /** A form post of the interaction: its browser binding and CSRF token checked. */
  const loadForm = async (req: FastifyRequest<IdParams>): Promise<{ i: Interaction; params: Params }> => {
    const i = await load(req);
    const params = bodyParams(req);
    checkCsrf(i, one(params, 'csrf_token'));
    return { i, params };
  };

  /** The client as the pages show it: its name (or id) and RFC 7591 §2 logo, policy and terms. */
  const clientShown = async (clientId: string) => {
    const client = await p.store.clientById(clientId);
    return { name: client?.client_name ?? clientId, logo: client?.logo_uri, policy: client?.policy_uri, tos: client?.tos_uri };
  };

  /** The page language: the authorization request's ui_locales, then Accept-Language (issue 13 §2). */
  const chrome = (req: FastifyRequest, i: Interaction) => pageChrome(p, req, requestOf(i).uiLocales);

  const formTargets = (i: Interaction): string[] => {
    const origin = originOf(requestOf(i).redirectUri);
    return origin ? [origin] : [];
  };

  const showLogin = async (
    req: FastifyRequest,
    reply: FastifyReply,
    i: Interaction,
    opts: { error?: 'login.error.invalid' | 'login.error.other_account'; username?: string; status?: number } = {},
  ) => {
    const client = await clientShown(requestOf(i).clientId);
    return sendPage(
      reply,
      loginPage(
        chrome(req, i),
        {
          action: `${link}/${i.id}/login`,
          csrfToken: i.csrfToken,
          clientName: client.name,
          clientLogo: client.logo,
          username: opts.username ?? requestOf(i).loginHint,
          error: opts.error,
          formTargets: formTargets(i),
        },
        opts.status,
      ),
    );
  };

  const showConsent = async (req: FastifyRequest, reply: FastifyReply, i: Interaction, session: Session) => {
    const account = await p.store.accountById(session.accountId);
    const client = await clientShown(requestOf(i).clientId);
    return sendPage(
      reply,
      consentPage(chrome(req, i), {
        action: `${link}/${i.id}/consent`,
        csrfToken: i.csrfToken,
        clientName: client.name,
        logoUri: client.logo,
        policyUri: client.policy,
        tosUri: client.tos,
        username: account?.username ?? '',
        scope: requestOf(i).scope,
        formTargets: formTargets(i),
      }),
    );
  };

  /** The accounts signed in on this browser, for the chooser. */
  const signedInHere = async (req: FastifyRequest, reply: FastifyReply): Promise<SignedIn[]> =>
    signedInAccounts(p.store, (await browserOf(p, req, reply))?.sessions ?? []);

  const showChooser = async (req: FastifyRequest, reply: FastifyReply, i: Interaction, accounts: readonly SignedIn[]) => {
    const client = await clientShown(requestOf(i).clientId);
    return sendPage(
      reply,
      chooseAccountPage(chrome(req, i), {
        action: `${link}/${i.id}/select`,
        csrfToken: i.csrfToken,
        clientName: client.name,
        clientLogo: client.logo,
        accounts: accounts.map(({ account }) => ({ id: account.id, username: account.username, name: account.claims.name as string | undefined })),
        formTargets: formTargets(i),
      }),
    );
  };

  const again = (reply: FastifyReply, i: Interaction) => reply.code(303).header('cache-control', 'no-store').redirect(`${link}/${i.id}`, 303);

  /** The session the interaction signed in, if it still belongs to this browser and lives. */
  const sessionFor = async (req: FastifyRequest, reply: FastifyReply, i: Interaction): Promise<Session | undefined> => {
    if (!i.sessionId) return undefined;
    const browser = await browserOf(p, req, reply);
    return browser?.sessions.find((s) => s.id === i.sessionId && isLive(s, nowSeconds(p.clock)));
  };

  /** Consumes the interaction (once) and returns the code to the client. */
  const finish = async (req: FastifyRequest, reply: FastifyReply, i: Interaction, session: Session) => {
    if (!(await p.store.deleteInteraction(i.id))) fail('interaction_expired', 'This sign-in request was already completed.');
    return issueFor(p, req, reply, requestOf(i), session);
  };

  app.get<IdParams>(`${base}/:id`, { config: { page: true } }, async (req, reply) => {
    const i = await load(req);
    const session = await sessionFor(req, reply, i);
    if (session) return showConsent(req, reply, i, session);
    if (i.step === 'choose') {
      const accounts = eligibleFor(requestOf(i), await signedInHere(req, reply));
      if (accounts.length > 0) return showChooser(req, reply, i, accounts);
    }
    return showLogin(req, reply, i);
  });

  // The chooser's answer: an account signed in here, or "" for another account (sign-in page).
  app.post<IdParams>(`${base}/:id/select`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const choice = one(params, 'account') ?? '';
    const request = requestOf(i);
    if (choice === '') {
      await p.store.updateInteraction(i.id, { step: 'login', request: storedRequest({ ...request, loginHint: undefined }) });
      return again(reply, i);
    }
    const chosen = eligibleFor(request, await signedInHere(req, reply)).find((s) => s.account.id === choice);
    // Signed out in another tab meanwhile, or a forged value: show what is there now.
    if (!chosen) return again(reply, i);
    const client = await p.store.clientById(request.clientId);
    if (!client) fail('unknown_client', 'The application is no longer registered.');
    const decision = await decideFor(decideDeps(p), request, client, chosen, nowSeconds(p.clock));
    if (decision.kind === 'issue') return finish(req, reply, i, decision.session);
    const [next, at] = interactionFor(request, decision);
    await p.store.updateInteraction(i.id, { ...at, request: storedRequest(next) });
    return again(reply, i);
  });

  app.post<IdParams>(`${base}/:id/login`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const username = one(params, 'username') ?? '';
    const password = one(params, 'password') ?? '';
    const account = username && password ? await attemptPassword(signInAttemptDeps(p), { username, password, ip: req.ip }) : undefined;
    // One message for every failure (a throttled attempt too): it must not reveal whether the account exists.
    if (!account) {
      if (!(username && password)) p.metrics.signInFailed('missing_credentials');
      return showLogin(req, reply, i, { error: 'login.error.invalid', username, status: 401 });
    }
    // OIDC Core §3.1.2.1: the client's id_token_hint names the account it expects; signing in as
    // another one must not answer it (the sign-in page is filled in with the expected account).
    const hinted = requestOf(i).hintedSub;
    if (hinted !== undefined && account.id !== hinted) {
      return showLogin(req, reply, i, { error: 'login.error.other_account', status: 403 });
    }
    const rememberMe = one(params, 'remember') === '1';
    const browser = await browserOf(p, req, reply);
    const request = requestOf(i);
    const client = await p.store.clientById(request.clientId);
    if (!client) fail('unknown_client', 'The application is no longer registered.');
    const consent = await needsConsent(p.store, request, client, account);
    // Without consent to ask, the participant and code are written with the sign-in (issue 11 §1).
    const answer = consent ? undefined : authorizationAtSignIn(request, i.id, nowSeconds(p.clock), p.config.tokens.authorizationCodeTtl);
    const signedIn = await signIn(p.store, p.clock, p.config.session, {
      browserId: browser?.browserId,
      accountId: account.id,
      rememberMe,
      amr: ['pwd'],
      acr: '0',
      ...clientInfo(req),
      authorization: answer?.authorization,
    }, endingDeps(p));
    if (!signedIn) fail('interaction_expired', 'This sign-in request was already completed.');
    p.metrics.signInSucceeded();
    await setBrowserCookie(p, reply, signedIn.cookie, rememberMe);
    if (!answer) {
      await p.store.updateInteraction(i.id, { sessionId: signedIn.session.id });
      return again(reply, i);
    }
    return sendAuthorizationResult(p, req, reply, request, { code: answer.code });
  });

  app.post<IdParams>(`${base}/:id/consent`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const session = await sessionFor(req, reply, i);
    if (!session) fail('interaction_expired', 'Your sign-in has ended. Return to the application and try again.');
    const request = requestOf(i);
    if (one(params, 'decision') !== 'allow') {
      await p.store.deleteInteraction(i.id);
      return sendAuthorizationResult(p, req, reply, request, { error: 'access_denied', error_description: 'The user denied the request.' });
    }
    await p.store.upsertGrant({ accountId: session.accountId, clientId: request.clientId, scope: request.scope, createdAt: nowSeconds(p.clock) });
    return finish(req, reply, i, session);
  });
};
