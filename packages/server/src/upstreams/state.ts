import { randomToken } from '../util/secrets.js';

/**
 * The `state` Signoff sends to an upstream — with an authorization request (OIDC Core §3.1.2.1)
 * or an end-session request (RP-Initiated Logout §2) — names the interaction of this browser that
 * waits for the answer, with a random part the answer must bring back whole: `<id>.<random>`.
 */
export const stateFor = (interactionId: string): string => `${interactionId}.${randomToken(32)}`;

/** The interaction a returned state names; undefined when it is not of that shape. */
export const interactionOfState = (state: string): string | undefined => /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(state)?.[1];
