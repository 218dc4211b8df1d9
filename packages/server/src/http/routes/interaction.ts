import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { constantTimeEqual } from '../../util/secrets.js';
import { type SignedIn, eligibleFor, signedInAccounts } from '../../oauth/authorize/decide.js';
import { noticeIfNewDevice } from '../../email/notices.js';
import { type AuthorizationInteraction, checkCsrf, loadInteraction } from '../../oauth/authorize/interaction.js';
import { consentStep } from '../../oauth/authorize/steps/consent.js';
import type { Refusal, Seen, StepOutcome } from '../../oauth/authorize/steps/deps.js';
import { passkeyStep } from '../../oauth/authorize/steps/passkey.js';
import { passwordStep } from '../../oauth/authorize/steps/password.js';
import { methodsFor } from '../../oauth/authorize/steps/plan.js';
import { type FactorProof, secondFactorStep } from '../../oauth/authorize/steps/second-factor.js';
import { selectAccountStep } from '../../oauth/authorize/steps/select-account.js';
import { startUpstreamStep, upstreamCallbackStep } from '../../oauth/authorize/steps/upstream.js';
import { interactionOfState } from '../../upstreams/state.js';
import { UPSTREAM_PATHS, UPSTREAMS_PREFIX } from '../../upstreams/paths.js';
import { type Params, one } from '../../oauth/params.js';
import { type Provider, stepDeps } from '../../provider.js';
import { isLive } from '../../sessions/browser.js';
import type { Session } from '../../sessions/store.js';
import { browserOf, clientInfo, readInteractionCookie, setBrowserCookie } from '../browser-session.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { chooseAccountPage } from '../pages/choose-account.js';
import { consentPage } from '../pages/consent.js';
import { originOf } from '../pages/html.js';
import { loginPage } from '../pages/login.js';
import { secondFactorPage } from '../pages/second-factor.js';
import { pageChrome } from '../page-chrome.js';
import { bodyParams } from '../params.js';
import { sendPage } from '../respond.js';
import { sendAuthorizationResult } from '../session-state.js';

type IdParams = { Params: { id: string } };

const failExpired = (): never => fail('interaction_expired', 'This sign-in request has expired or was already completed. Return to the application and try again.');

/** A passkey assertion as the page posts it: the JSON of PublicKeyCredential.toJSON() (WebAuthn §5.1.8). */
const parseAssertion = (raw: string | undefined): unknown => {
  if (!raw || raw.length > 16_384) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * The sign-in steps of an authorization request (issue 14 §1): GET shows the step the
 * interaction is at; each form post is parsed here, handed to its step in the core
 * (oauth/authorize/steps/), and what the step did is rendered. Posts are CSRF-protected and
 * bound to the browser that started the request.
 */
export const interactionRoutes = (app: FastifyInstance, p: Provider): void => {
  const base = ENDPOINTS.interaction;
  // What the browser is sent: the same paths under the issuer's (endpoints.ts issuerPath).
  const link = issuerPath(p.config.issuer) + ENDPOINTS.interaction;
  const deps = stepDeps(p);

  const load = (req: FastifyRequest<IdParams>): Promise<AuthorizationInteraction> =>
    loadInteraction(p.store, p.clock, req.params.id, readInteractionCookie(p, req));

  /** A form post of the interaction: its browser binding and CSRF token checked. */
  const loadForm = async (req: FastifyRequest<IdParams>): Promise<{ i: AuthorizationInteraction; params: Params }> => {
    const i = await load(req);
    const params = bodyParams(req);
    checkCsrf(i, one(params, 'csrf_token'));
    return { i, params };
  };

  /** This browser, resolved once per request: its live sessions and what a step records of where the request came from. */
  const here = async (req: FastifyRequest, reply: FastifyReply): Promise<{ sessions: Session[]; seen: Seen }> => {
    const browser = await browserOf(p, req, reply);
    return { sessions: browser?.sessions ?? [], seen: { ...clientInfo(req), browserId: browser?.browserId } };
  };

  /** The client as the pages show it: its name (or id) and RFC 7591 §2 logo, policy and terms. */
  const clientShown = async (clientId: string) => {
    const client = await p.store.clientById(clientId);
    return { name: client?.client_name ?? clientId, logo: client?.logo_uri, policy: client?.policy_uri, tos: client?.tos_uri };
  };

  /** The page language: the authorization request's ui_locales, then Accept-Language (issue 13 §2). */
  const chrome = (req: FastifyRequest, i: AuthorizationInteraction) => pageChrome(p, req, i.request.uiLocales);

  const formTargets = (i: AuthorizationInteraction): string[] => {
    const origin = originOf(i.request.redirectUri);
    return origin ? [origin] : [];
  };

  const showLogin = async (req: FastifyRequest, reply: FastifyReply, i: AuthorizationInteraction, opts: { error?: Refusal; username?: string; status?: number } = {}) => {
    const client = await clientShown(i.request.clientId);
    // A discoverable-credential challenge (WebAuthn §6.2.2), so a passkey can sign in without a username.
    const passkey = await p.factors.passkeyChallenge(undefined, `login-${i.id}`);
    return sendPage(
      reply,
      loginPage(
        chrome(req, i),
        {
          action: `${link}/${i.id}/login`,
          passkeyAction: `${link}/${i.id}/passkey`,
          passkey,
          csrfToken: i.csrfToken,
          clientName: client.name,
          clientLogo: client.logo,
          username: opts.username ?? i.request.loginHint,
          error: opts.error,
          formTargets: formTargets(i),
          upstreams: p.upstreams.list().map((u) => ({ id: u.id, name: u.display_name, origin: p.upstreams.signInOrigin(u.id) ?? new URL(u.issuer).origin })),
          upstreamAction: `${link}/${i.id}/upstream`,
        },
        opts.status,
      ),
    );
  };

  const showSecondFactor = async (req: FastifyRequest, reply: FastifyReply, i: AuthorizationInteraction, opts: { error?: Refusal; status?: number } = {}) => {
    if (i.at.step !== 'second-factor') return showStep(req, reply, i);
    const { pending } = i.at;
    const methods = methodsFor(pending.target, await p.factors.enrolled(pending.accountId), pending.factors);
    const client = await clientShown(i.request.clientId);
    const account = await p.store.accountById(pending.accountId);
    return sendPage(
      reply,
      secondFactorPage(
        chrome(req, i),
        {
          action: `${link}/${i.id}/second-factor`,
          csrfToken: i.csrfToken,
          clientName: client.name,
          username: account?.username ?? '',
          methods,
          passkey: methods.includes('passkey') ? await p.factors.passkeyChallenge(pending.accountId, `factor-${i.id}`) : undefined,
          error: opts.error,
          formTargets: formTargets(i),
        },
        opts.status,
      ),
    );
  };

  const showConsent = async (req: FastifyRequest, reply: FastifyReply, i: AuthorizationInteraction, session: Session) => {
    const account = await p.store.accountById(session.accountId);
    const client = await clientShown(i.request.clientId);
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
        scope: i.request.scope,
        formTargets: formTargets(i),
      }),
    );
  };

  /** The accounts signed in on this browser, for the chooser. */
  const signedInHere = async (req: FastifyRequest, reply: FastifyReply): Promise<SignedIn[]> => signedInAccounts(p.store, (await here(req, reply)).sessions);

  const showChooser = async (req: FastifyRequest, reply: FastifyReply, i: AuthorizationInteraction, accounts: readonly SignedIn[]) => {
    const client = await clientShown(i.request.clientId);
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

  /** The session a consent step is about, if it still belongs to this browser and lives. */
  const liveSession = (sessions: readonly Session[], sessionId: string): Session | undefined =>
    sessions.find((s) => s.id === sessionId && isLive(s, nowSeconds(p.clock)));

  /** The page of the step the interaction is at. */
  const showStep = async (req: FastifyRequest, reply: FastifyReply, i: AuthorizationInteraction): Promise<FastifyReply> => {
    switch (i.at.step) {
      case 'second-factor':
        return showSecondFactor(req, reply, i);
      case 'consent': {
        const session = liveSession((await here(req, reply)).sessions, i.at.sessionId);
        return session ? showConsent(req, reply, i, session) : showLogin(req, reply, i);
      }
      case 'choose': {
        const accounts = eligibleFor(i.request, await signedInHere(req, reply));
        return accounts.length > 0 ? showChooser(req, reply, i, accounts) : showLogin(req, reply, i);
      }
      // Back from the upstream without an answer (the browser's back button): the sign-in page again.
      case 'upstream':
      case 'login':
        return showLogin(req, reply, i);
    }
  };

  /** Renders what a step did: the next step's page (after a redirect), its form again, or the answer to the client. */
  const render = async (
    req: FastifyRequest,
    reply: FastifyReply,
    i: AuthorizationInteraction,
    outcome: StepOutcome,
    again: (error: Refusal, status: number) => Promise<FastifyReply>,
    viaPage = false,
  ) => {
    if (outcome.kind === 'refused') return again(outcome.refusal, outcome.status);
    if (outcome.kind === 'redirect') return reply.code(303).header('cache-control', 'no-store').redirect(outcome.url, 303);
    if (outcome.signedIn) {
      await setBrowserCookie(p, reply, outcome.signedIn.cookie, outcome.signedIn.rememberMe);
      // A security notice (issue 17 §4) for a browser this account was not used with before; never the sign-in's error.
      const session = outcome.signedIn.session;
      if (outcome.signedIn.created === true) void noticeIfNewDevice(app, p, pageChrome(p, req, i.request.uiLocales).t, session).catch((err: unknown) => req.log.warn({ err }, 'new-device notice failed'));
    }
    if (outcome.kind === 'answer') return sendAuthorizationResult(p, req, reply, i.request, outcome.answer, viaPage);
    return reply.code(303).header('cache-control', 'no-store').redirect(`${link}/${i.id}`, 303);
  };

  app.get<IdParams>(`${base}/:id`, { config: { page: true } }, async (req, reply) => showStep(req, reply, await load(req)));

  app.post<IdParams>(`${base}/:id/select`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const { sessions, seen } = await here(req, reply);
    const outcome = await selectAccountStep(deps, i, one(params, 'account') ?? '', await signedInAccounts(p.store, sessions), seen);
    return render(req, reply, i, outcome, () => showStep(req, reply, i));
  });

  app.post<IdParams>(`${base}/:id/login`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const username = one(params, 'username') ?? '';
    const form = { username, password: one(params, 'password') ?? '', rememberMe: one(params, 'remember') === '1' };
    const outcome = await passwordStep(deps, i, form, (await here(req, reply)).seen);
    return render(req, reply, i, outcome, (error, status) => showLogin(req, reply, i, { error, status, username: error === 'login.error.invalid' ? username : undefined }));
  });

  app.post<IdParams>(`${base}/:id/passkey`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const form = { challengeId: one(params, 'challenge_id') ?? '', response: parseAssertion(one(params, 'response')), rememberMe: one(params, 'remember') === '1' };
    const outcome = await passkeyStep(deps, i, form, (await here(req, reply)).seen);
    return render(req, reply, i, outcome, (error, status) => showLogin(req, reply, i, { error, status }));
  });

  app.post<IdParams>(`${base}/:id/second-factor`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    if (i.at.step !== 'second-factor') return showStep(req, reply, i);
    const method = one(params, 'method');
    const code = (one(params, 'code') ?? '').slice(0, 64);
    const proof: FactorProof | undefined =
      method === 'totp' || method === 'recovery_code' ? { method, code }
      : method === 'passkey' ? { method, challengeId: one(params, 'challenge_id') ?? '', response: parseAssertion(one(params, 'response')) }
      : undefined;
    if (!proof) return showSecondFactor(req, reply, i, { error: 'factor.error.invalid', status: 400 });
    const outcome = await secondFactorStep(deps, i, i.at.pending, proof, (await here(req, reply)).seen);
    return render(req, reply, i, outcome, (error, status) => showSecondFactor(req, reply, i, { error, status }));
  });

  app.post<IdParams>(`${base}/:id/upstream`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const outcome = await startUpstreamStep(deps, i, one(params, 'upstream') ?? '');
    return render(req, reply, i, outcome, () => showStep(req, reply, i));
  });

  // The upstream's answer (issue 15 §1): its state names the interaction, which must be this browser's.
  app.get<{ Params: { upstream: string } }>(`${UPSTREAMS_PREFIX}/:upstream/${UPSTREAM_PATHS.callback}`, { config: { page: true } }, async (req, reply) => {
    const url = new URL(req.url, 'http://callback.invalid');
    const states = url.searchParams.getAll('state');
    const id = states.length === 1 ? interactionOfState(states[0] as string) : undefined;
    if (id === undefined) return failExpired();
    const i = await loadInteraction(p.store, p.clock, id, readInteractionCookie(p, req));
    // The whole state, before anything changes: a forged answer naming someone's sign-in leaves it untouched.
    if (i.at.step !== 'upstream' || i.at.upstream.upstreamId !== req.params.upstream || !constantTimeEqual(i.at.upstream.state, states[0] as string)) return failExpired();
    const outcome = await upstreamCallbackStep(deps, i, url, (await here(req, reply)).seen);
    // The answer to the application goes through a page: this request ends the upstream's form submission (pages/continue.ts).
    return render(req, reply, i, outcome, (error, status) => showLogin(req, reply, { ...i, at: { step: 'login' } }, { error, status }), true);
  });

  app.post<IdParams>(`${base}/:id/consent`, { config: { page: true } }, async (req, reply) => {
    const { i, params } = await loadForm(req);
    const { sessions, seen } = await here(req, reply);
    const session = i.at.step === 'consent' ? liveSession(sessions, i.at.sessionId) : undefined;
    const outcome = await consentStep(deps, i, one(params, 'decision') === 'allow', session, seen);
    return render(req, reply, i, outcome, () => showStep(req, reply, i));
  });
};
