import type { FastifyInstance } from 'fastify';
import { SignoffError } from '../../errors.js';
import { loadStored } from '../../oauth/authorize/interaction.js';
import { type Provider, federatedDeps } from '../../provider.js';
import { type FederatedLogoutDestination, advanceFederatedLogout, isCurrentHop, parseFederatedState } from '../../upstreams/federated-logout.js';
import { UPSTREAM_PATHS, UPSTREAMS_PREFIX } from '../../upstreams/paths.js';
import { interactionOfState } from '../../upstreams/state.js';
import { readInteractionCookie } from '../browser-session.js';
import { queryParams } from '../params.js';
import { sendSignedOut } from '../signed-out.js';

/**
 * ISSUER/upstreams/ID/signed-out (issue 15 §2): the post_logout_redirect_uri Signoff registered at
 * each upstream. The browser comes back from a federated logout's hop; its `state` must be the
 * one that hop was sent with, in this browser's interaction. Then the next upstream, or the
 * application's post_logout_redirect_uri. Anything else — no state, another browser, a state
 * replayed or expired — is only told it is signed out: Signoff's sessions ended already, and a
 * redirect is never made on a value it cannot tie to the logout that asked for it.
 */
export const federatedLogoutRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get<{ Params: { upstream: string } }>(
    `${UPSTREAMS_PREFIX}/:upstream/${UPSTREAM_PATHS.signedOut}`,
    { config: { page: true } },
    async (req, reply) => {
      // A repeated or overlong state is no hop of ours either: only said to be signed out.
      const returned = (queryParams(req).state ?? []).length === 1 ? (queryParams(req).state?.[0] ?? '') : '';
      const id = interactionOfState(returned);
      const interaction = id === undefined ? undefined : await loadStored(p.store, p.clock, id, readInteractionCookie(p, req), 'federated-logout').catch((err: unknown) => {
        if (err instanceof SignoffError) return undefined;
        throw err;
      });
      const state = parseFederatedState(interaction?.state);
      if (!interaction || !state || !isCurrentHop(state, req.params.upstream, returned)) return sendSignedOut(p, req, reply, [], undefined);
      const destination = interaction.request as FederatedLogoutDestination;
      const step = await advanceFederatedLogout(federatedDeps(p), interaction.id, { ...state, current: undefined });
      if (step.kind === 'upstream') return reply.code(302).header('cache-control', 'no-store').redirect(step.url);
      return sendSignedOut(p, req, reply, [], undefined, { next: destination.next, uiLocales: destination.uiLocales, remaining: step.remaining });
    },
  );
};
