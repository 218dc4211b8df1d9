import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import { SignoffError } from '../../errors.js';
import { decide } from '../../oauth/authorize/decide.js';
import { issueAuthorizationCode } from '../../oauth/authorize/complete.js';
import { startInteraction } from '../../oauth/authorize/interaction.js';
import {
  type AuthorizationRequest, RedirectableError, redirectTarget, resolveClient, validateAuthorizationRequest,
} from '../../oauth/authorize/request.js';
import type { Provider } from '../../provider.js';
import { touchSession } from '../../sessions/browser.js';
import type { Session } from '../../store/types.js';
import { browserOf, clientInfo, setInteractionCookie } from '../browser-session.js';
import { ENDPOINTS } from '../endpoints.js';
import { requestParams } from '../params.js';
import { sendAuthorizationResponse } from '../respond.js';

/** Issues the code for a decided request and sends it to the client's redirect URI. */
export const completeAuthorization = async (
  p: Provider,
  reply: FastifyReply,
  request: AuthorizationRequest,
  session: Session,
  afterPost: boolean,
): Promise<FastifyReply> => {
  const code = await issueAuthorizationCode(
    { sessions: p.store, tokens: p.store, clock: p.clock, codeTtl: p.config.tokens.authorizationCodeTtl },
    request,
    session,
  );
  return sendAuthorizationResponse(reply, p.config.issuer, { ...request }, { code }, afterPost);
};

/**
 * The authorization endpoint (OIDC Core §3.1.2), GET and POST. Errors before the client and its
 * redirect URI are established are shown as a page; later ones go back to the client.
 */
export const authorizeRoutes = (app: FastifyInstance, p: Provider): void => {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = requestParams(req);
    const { client, redirectUri } = await resolveClient(params, p.store);
    const request = validateAuthorizationRequest(params, client, redirectUri);
    const browser = await browserOf(p, req, reply);
    let decision;
    try {
      decision = await decide({ accounts: p.store, grants: p.store }, request, client, browser?.sessions ?? [], nowSeconds(p.clock));
    } catch (err) {
      if (err instanceof SignoffError) throw new RedirectableError(redirectTarget(params, redirectUri), err);
      throw err;
    }
    if (decision.kind === 'issue') {
      await touchSession(p.store, p.clock, p.config.session, decision.session, clientInfo(req));
      return completeAuthorization(p, reply, request, decision.session, req.method === 'POST');
    }
    const sessionId = decision.kind === 'consent' ? decision.session.id : undefined;
    const { interaction, bindingSecret } = await startInteraction(p.store, p.clock, p.config.interactionTtl, request, sessionId);
    setInteractionCookie(p, reply, interaction.id, bindingSecret);
    return reply.code(303).header('cache-control', 'no-store').redirect(`${ENDPOINTS.interaction}/${interaction.id}`, 303);
  };
  app.get(ENDPOINTS.authorization, { config: { page: true } }, handler);
  app.post(ENDPOINTS.authorization, { config: { page: true } }, handler);
};
