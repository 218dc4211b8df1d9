import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import { SignoffError, fail } from '../../errors.js';
import { decide, signedInAccounts } from '../../oauth/authorize/decide.js';
import { withIdTokenHint } from '../../oauth/authorize/id-token-hint.js';
import { type AuthorizationInteraction, startInteraction, storedStep } from '../../oauth/authorize/interaction.js';
import { issueCode } from '../../oauth/authorize/steps/finish.js';
import { decideDeps } from '../../oauth/authorize/steps/select-account.js';
import { stepFor } from '../../oauth/authorize/steps/start.js';
import { startUpstreamStep } from '../../oauth/authorize/steps/upstream.js';
import { upstreamFor } from '../../upstreams/choose.js';
import {
  type AuthorizationRequest, RedirectableError, resolveClient, validateAuthorizationRequest,
} from '../../oauth/authorize/request.js';
import { type Provider, stepDeps } from '../../provider.js';
import { browserOf, clientInfo, readInteractionCookie, setInteractionCookie } from '../browser-session.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { requestParams } from '../params.js';
import { sendAuthorizationResult } from '../session-state.js';

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
    let upstream;
    try {
      upstream = upstreamFor(p.upstreams.list(), request);
      if (upstream === 'unknown') fail('invalid_request', 'upstream must name a configured sign-in provider.');
      request = await withIdTokenHint({ issuer: p.config.issuer, keys: p.keys, clock: p.clock }, params, client, request);
      const signedIn = await signedInAccounts(p.store, browser?.sessions ?? [], browser?.accounts);
      decision = await decide(decideDeps(stepDeps(p)), request, client, signedIn, nowSeconds(p.clock));
    } catch (err) {
      // The request is valid by now: it is itself where an error goes back to.
      if (err instanceof SignoffError) throw new RedirectableError(request, err);
      throw err;
    }
    if (decision.kind === 'issue') {
      const code = await issueCode(stepDeps(p), request, decision.session, clientInfo(req), client, decision.participant);
      // The browser and its sessions as resolved above: the code changed neither (issue 18, P1).
      return sendAuthorizationResult(p, req, reply, request, { code }, false, browser ?? null);
    }
    const [pending, at] = stepFor(request, decision);
    const { interaction, bindingSecret } = await startInteraction(p.store, p.clock, p.config.interactionTtl, pending, storedStep(at), readInteractionCookie(p, req));
    setInteractionCookie(p, reply, bindingSecret);
    // Issue 15 §1: `upstream=ID` or a login_hint in an upstream's domain goes there without the sign-in page.
    if (upstream && at.step === 'login') {
      const started = await startUpstreamStep(stepDeps(p), { kind: 'authorization', id: interaction.id, csrfToken: interaction.csrfToken, expiresAt: interaction.expiresAt, request: pending, at } satisfies AuthorizationInteraction, upstream.id);
      if (started.kind === 'redirect') return reply.code(303).header('cache-control', 'no-store').redirect(started.url, 303);
    }
    return reply.code(303).header('cache-control', 'no-store').redirect(`${issuerPath(p.config.issuer)}${ENDPOINTS.interaction}/${interaction.id}`, 303);
  };
  app.get(ENDPOINTS.authorization, { config: { page: true } }, handler);
  app.post(ENDPOINTS.authorization, { config: { page: true } }, handler);
};
