import type { Clock } from '../clock.js';
import type { InteractionStore } from '../oauth/authorize/interaction-store.js';
import type { EndedSession } from '../sessions/store.js';
import type { KeyEncryptionKey, SealedJwk } from '../tokens/key-encryption.js';
import { constantTimeEqual } from '../util/secrets.js';
import { openUpstreamIdToken } from './id-token.js';
import type { Upstreams } from './registry.js';
import { upstreamLogoutUrl } from './relying-party.js';
import { stateFor } from './state.js';
import type { UpstreamStore } from './store.js';

/**
 * Federated logout (issue 15 §2, outbound; Auth0's `federated`): once Signoff's own sessions have
 * ended — every application told, as for any logout — the browser signs out at each upstream those
 * sessions came through, at its end_session_endpoint (RP-Initiated Logout §2) with the kept ID
 * token as id_token_hint and Signoff's post-logout URI, and comes back to
 * ISSUER/upstreams/ID/signed-out; then it goes on to the application's post_logout_redirect_uri.
 * What is still to do lives in an interaction bound to the browser (step `federated-logout`).
 */

/** One upstream session to sign out of. */
interface Hop {
  upstreamId: string;
  subject: string;
  idToken: SealedJwk;
}

/** The interaction's state: the hops still to do, the one the browser is at (its `state` value), the upstreams that could not be signed out of. */
export interface FederatedLogoutState {
  pending: Hop[];
  current?: { upstreamId: string; state: string } | undefined;
  remaining: string[];
}

/** Where the browser finishes: the application's post_logout_redirect_uri with its state, and the pages' language. */
export interface FederatedLogoutDestination {
  next?: string | undefined;
  uiLocales?: string | undefined;
}

export interface FederatedLogoutDeps {
  issuer: string;
  upstreams: Upstreams;
  store: Pick<UpstreamStore, 'upstreamSessionOf'> & Pick<InteractionStore, 'updateInteraction' | 'deleteInteraction'>;
  kek: KeyEncryptionKey;
  clock: Clock;
}

export type FederatedStep =
  /** Send the browser to this upstream's end-session endpoint. */
  | { kind: 'upstream'; url: string }
  /** Nothing more upstream: finish, naming the upstreams whose sessions may remain (no end-session endpoint, unreachable). */
  | { kind: 'done'; remaining: string[] };

/**
 * The upstream sessions of the ended sessions of this browser that the logout also ends: those
 * of upstreams configured `always`, and of `on_request` ones when the request asked (`federated`).
 */
export const federatedHops = async (deps: Pick<FederatedLogoutDeps, 'upstreams' | 'store'>, ended: readonly EndedSession[], browserId: string | undefined, requested: boolean): Promise<Hop[]> => {
  const hops: Hop[] = [];
  for (const s of ended.filter((e) => e.browserId === browserId)) {
    const u = await deps.store.upstreamSessionOf(s.id);
    const policy = u && deps.upstreams.byId(u.upstreamId)?.logout.federated;
    if (!u || policy === undefined || policy === 'never' || (policy === 'on_request' && !requested)) continue;
    // One sign-out per upstream: its session is the browser's, whichever accounts came through it.
    if (!hops.some((h) => h.upstreamId === u.upstreamId)) hops.push({ upstreamId: u.upstreamId, subject: u.subject, idToken: u.idToken });
  }
  return hops;
};

/**
 * The next hop: the browser goes to the next upstream with an end-session endpoint; upstreams
 * without one (or unreachable) are skipped and named, since their sessions may remain.
 */
export const advanceFederatedLogout = async (deps: FederatedLogoutDeps, interactionId: string, state: FederatedLogoutState): Promise<FederatedStep> => {
  const pending = [...state.pending];
  const remaining = [...state.remaining];
  for (let hop = pending.shift(); hop; hop = pending.shift()) {
    const upstream = deps.upstreams.byId(hop.upstreamId);
    if (!upstream) continue;
    const token = stateFor(interactionId);
    const url = await upstreamLogoutUrl(deps.upstreams, deps.issuer, hop.upstreamId, openUpstreamIdToken(deps.kek, hop), token);
    if (url === undefined) {
      remaining.push(upstream.display_name);
      continue;
    }
    const next: FederatedLogoutState = { pending, current: { upstreamId: hop.upstreamId, state: token }, remaining };
    await deps.store.updateInteraction(interactionId, { state: { ...next } });
    return { kind: 'upstream', url };
  }
  await deps.store.deleteInteraction(interactionId);
  return { kind: 'done', remaining };
};

/** The browser came back from `upstreamId` with `state`: true when it is the hop the interaction waits for. */
export const isCurrentHop = (state: FederatedLogoutState, upstreamId: string, returned: string): boolean =>
  state.current !== undefined && state.current.upstreamId === upstreamId && constantTimeEqual(state.current.state, returned);

/** The stored state, read defensively (the store keeps it as JSON). */
export const parseFederatedState = (raw: unknown): FederatedLogoutState | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Partial<FederatedLogoutState>;
  if (!Array.isArray(r.pending) || !Array.isArray(r.remaining)) return undefined;
  const current = r.current && typeof r.current.upstreamId === 'string' && typeof r.current.state === 'string' ? { upstreamId: r.current.upstreamId, state: r.current.state } : undefined;
  return { pending: r.pending, current, remaining: r.remaining.filter((n): n is string => typeof n === 'string') };
};
