import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '../clients/store.js';
import { frontChannelUrls } from '../logout/front-channel.js';
import type { Provider } from '../provider.js';
import type { EndedSession } from '../sessions/store.js';
import { pageChrome } from './page-chrome.js';
import { loggedOutPage } from './pages/logout.js';
import { sendPage } from './respond.js';
import { refreshBrowserState } from './session-state.js';

/** The front-channel logout URIs (Front-Channel Logout §3) of the clients in the ended sessions of this browser only. */
export const framesForBrowser = async (p: Provider, ended: readonly EndedSession[], browserId: string | undefined): Promise<string[]> => {
  const here = ended.filter((s) => browserId !== undefined && s.browserId === browserId);
  const clientIds = [...new Set(here.flatMap((s) => s.participants.map((x) => x.clientId)))];
  // One statement for every client (issue 18 P4: twenty reads queued behind the pool before).
  const clients = new Map<string, Client>((await p.store.clientsById(clientIds)).map((c) => [c.client_id, c]));
  return frontChannelUrls(p.config.issuer, here, clients);
};

/**
 * What a browser sees once sessions of it ended (the logout endpoint, the devices page's "Sign
 * out here"): the browser state changes (Session Management §3), the clients signed in through
 * this browser's ended sessions get their front-channel iframes (Front-Channel Logout §3), and
 * the browser goes on to `next` (the application, or an upstream to sign out at), or to "You are
 * signed out" — which names the upstreams whose sessions may remain, and then waits for the user.
 */
export const sendSignedOut = async (
  p: Provider,
  req: FastifyRequest,
  reply: FastifyReply,
  ended: readonly EndedSession[],
  browserId: string | undefined,
  to: { next?: string | undefined; uiLocales?: string | undefined; remaining?: readonly string[] | undefined } = {},
) => {
  const { next } = to;
  const remaining = to.remaining ?? [];
  if (ended.length > 0) await refreshBrowserState(p, reply, browserId);
  const frames = await framesForBrowser(p, ended, browserId);
  // Upstream sessions that may remain (issue 15 §2) are said on the page, which the user leaves by the link.
  if (frames.length === 0 && next !== undefined && remaining.length === 0) {
    return reply.code(req.method === 'POST' ? 303 : 302).header('cache-control', 'no-store').redirect(next);
  }
  return sendPage(reply, loggedOutPage(pageChrome(p, req, to.uiLocales), { frames, next, remaining }));
};
