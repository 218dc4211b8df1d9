import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { type EndingDeps, endSessions } from '../sessions/end.js';
import type { EndedSession } from '../sessions/store.js';
import { validateLogoutToken } from './logout-token.js';
import type { Upstreams } from './registry.js';
import type { UpstreamStore } from './store.js';

/**
 * An upstream ended its session (issue 15 §2 "Inbound"): Back-Channel Logout 1.0 §2.6-§2.7 as
 * Signoff the relying party. The SSO sessions signed in through that upstream session end
 * through the one ending path, which queues the downstream applications' back-channel logout.
 */

export interface InboundLogoutDeps {
  upstreams: Upstreams;
  store: Pick<UpstreamStore, 'rememberLogoutToken'>;
  ending: EndingDeps;
  clock: Clock;
}

export type InboundLogoutOutcome =
  | { kind: 'ended'; sessions: EndedSession[] }
  /** §2.8: the token is invalid (400). */
  | { kind: 'invalid'; reason: string }
  /** The upstream is not configured. */
  | { kind: 'unknown_upstream' }
  /** The upstream is not discovered yet (its keys are unknown): it should retry (503). */
  | { kind: 'unavailable' };

/** The actor recorded on the endings: which upstream asked. */
export const upstreamActor = (upstreamId: string): string => `upstream:${upstreamId}`;

export const inboundBackChannelLogout = async (deps: InboundLogoutDeps, upstreamId: string, token: string): Promise<InboundLogoutOutcome> => {
  const upstream = deps.upstreams.byId(upstreamId);
  if (!upstream) return { kind: 'unknown_upstream' };
  const verification = await deps.upstreams.verification(upstreamId);
  if (!verification) return { kind: 'unavailable' };
  const now = nowSeconds(deps.clock);
  const result = await validateLogoutToken(token, verification, upstream.client_id, now);
  if (!result.ok) return { kind: 'invalid', reason: result.reason };
  // §2.6 step 8: a jti seen before (from this upstream) is a replay.
  if (!(await deps.store.rememberLogoutToken(upstreamId, result.jti, result.rememberUntil, now))) {
    return { kind: 'invalid', reason: 'the logout token was already received (jti replayed)' };
  }
  return { kind: 'ended', sessions: await endUpstreamSessions(deps.ending, upstreamId, { sid: result.sid, subject: result.sub }) };
};

/**
 * Front-Channel Logout 1.0 §2 without a sid: the sessions of this browser that came through the
 * upstream end (the browser is the upstream session's only trace in the request).
 */
export const endBrowserUpstreamSessions = async (
  deps: EndingDeps & { store: Pick<UpstreamStore, 'upstreamSessionOf'> },
  upstreamId: string,
  sessions: readonly { id: string }[],
): Promise<EndedSession[]> => {
  const through: string[] = [];
  for (const s of sessions) if ((await deps.store.upstreamSessionOf(s.id))?.upstreamId === upstreamId) through.push(s.id);
  const ended: EndedSession[] = [];
  for (const sessionId of through) ended.push(...(await endSessions(deps, { sessionId }, 'upstream_logout', upstreamActor(upstreamId))));
  return ended;
};

/** §2.7: a sid ends that upstream session's SSO sessions; a sub alone ends all of the sub's through that upstream. */
export const endUpstreamSessions = (deps: EndingDeps, upstreamId: string, which: { sid?: string | undefined; subject?: string | undefined }): Promise<EndedSession[]> => {
  if (which.sid === undefined && which.subject === undefined) return Promise.resolve([]);
  return endSessions(deps, { upstreamId, sid: which.sid, subject: which.subject }, 'upstream_logout', upstreamActor(upstreamId));
};
