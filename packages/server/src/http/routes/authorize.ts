import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import { SignoffError } from '../../errors.js';
import { issueAuthorizationCode } from '../../oauth/authorize/complete.js';
import { type Decision, decide, signedInAccounts } from '../../oauth/authorize/decide.js';
import { withIdTokenHint } from '../../oauth/authorize/id-token-hint.js';
import type { Interaction } from '../../oauth/authorize/interaction-store.js';
import { startInteraction } from '../../oauth/authorize/interaction.js';
import {
  type AuthorizationRequest, RedirectableError, resolveClient, validateAuthorizationRequest,
} from '../../oauth/authorize/request.js';
import type { Provider } from '../../provider.js';
import { touchSession } from '../../sessions/browser.js';
import type { Session } from '../../sessions/store.js';
import { browserOf, clientInfo, readInteractionCookie, setInteractionCookie } from '../browser-session.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { requestParams } from '../params.js';
import { sendAuthorizationResult } from '../session-state.js';

export const decideDeps = (p: Provider) => ({ accounts: p.store, grants: p.store, sessions: p.store });

/** Records the use of the session, issues the code and sends it to the client's redirect URI. */
export const issueFor = async (
  p: Provider,
  req: FastifyRequest,
  reply: FastifyReply,
  request: AuthorizationRequest,
  session: Session,
): Promise<FastifyReply> => {
  await touchSession(p.store, p.clock, p.config.session, session, clientInfo(req));
  const code = await issueAuthorizationCode(
    { sessions: p.store, tokens: p.store, clock: p.clock, codeTtl: p.config.tokens.authorizationCodeTtl },
    request,
    session,
  );
  return sendAuthorizationResult(p, req, reply, request, { code });
};

/**
 * Where an interaction starts for a decision that needs the user: the chooser, the sign-in page
 * (for a re-authentication, with that account's name filled in), or consent.
 */
export const interactionFor = (
  request: AuthorizationRequest,
  decision: Exclude<Decision, { kind: 'issue' }>,
): [AuthorizationRequest, Pick<Interaction, 'step' | 'sessionId'>] => {
  if (decision.kind === 'choose') return [request, { step: 'choose' }];
  if (decision.kind === 'consent') return [request, { step: 'login', sessionId: decision.session.id }];
  return [{ ...request, loginHint: decision.loginHint }, { step: 'login' }];
};

/**
 * The authorization endpoint (OIDC Core §3.1.2), GET and POST. Errors before the client and its
 * redirect URI are established are shown as a page; later ones go back to the client.
 */
export const authorizeRoutes = (app: FastifyInstance, p: Provider): void => {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = requestParams(req);
    const { client, redirectUri } = await resolveClient(params, p.store);
    let request = validateAuthorizationRequest(params, client, redirectUri);
    const browser = await browserOf(p, req, reply);
    let decision;
    try {
      request = await withIdTokenHint({ issuer: p.config.issuer, keys: p.keys, clock: p.clock }, params, client, request);
      const signedIn = await signedInAccounts(p.store, browser?.sessions ?? []);
      decision = await decide(decideDeps(p), request, client, signedIn, nowSeconds(p.clock));
    } catch (err) {
      // The request is valid by now: it is itself where an error goes back to.
      if (err instanceof SignoffError) throw new RedirectableError(request, err);
      throw err;
    }
    if (decision.kind === 'issue') return issueFor(p, req, reply, request, decision.session);
    const { interaction, bindingSecret } = await startInteraction(p.store, p.clock, p.config.interactionTtl, ...interactionFor(request, decision), readInteractionCookie(p, req));
    setInteractionCookie(p, reply, bindingSecret);
    return reply.code(303).header('cache-control', 'no-store').redirect(`${issuerPath(p.config.issuer)}${ENDPOINTS.interaction}/${interaction.id}`, 303);
  };
  app.get(ENDPOINTS.authorization, { config: { page: true } }, handler);
  app.post(ENDPOINTS.authorization, { config: { page: true } }, handler);
};
