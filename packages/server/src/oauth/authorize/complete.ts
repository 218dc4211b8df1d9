import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import { participantTouchDue } from '../../sessions/policy.js';
import type { Participant, Session, SessionStore, SignInAuthorization } from '../../sessions/store.js';
import { randomToken, sha256 } from '../../util/secrets.js';
import type { AuthorizationRequest } from './request.js';

/**
 * Finishes a successful authorization: records the client as a participant of the session
 * (its `sid` is stable per session and client, distinct across clients, and never the cookie
 * value) and issues a single-use authorization code, stored only as its hash. `known` is the
 * participant the decision read (decide.ts), if any: while its last-seen is not due
 * (participantTouchDue) the code is the only write (issue 18, P1).
 */
export const issueAuthorizationCode = async (
  deps: { sessions: Pick<SessionStore, 'recordAuthorization'>; clock: Clock; codeTtl: number },
  request: AuthorizationRequest,
  session: Session,
  touch: { idleTimeout: number; clientMaxIdle?: number | undefined; known?: Participant | undefined },
): Promise<string> => {
  const now = nowSeconds(deps.clock);
  const { known } = touch;
  const due = participantTouchDue(known?.lastSeenAt, now, touch.idleTimeout, touch.clientMaxIdle);
  const participant = due
    ? { sessionId: session.id, clientId: request.clientId, sid: known?.sid ?? randomToken(16), firstAuthAt: now, lastAuthAt: now, lastSeenAt: now }
    : undefined;
  const code = randomToken(32);
  await deps.sessions.recordAuthorization({
    participant,
    code: {
      hash: sha256(code),
      clientId: request.clientId,
      accountId: session.accountId,
      sessionId: session.id,
      sid: (participant ?? known)?.sid as string,
      redirectUri: request.redirectUri,
      scope: request.scope,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      authTime: session.authTime,
      acr: session.acr,
      amr: session.amr,
      expiresAt: now + deps.codeTtl,
    },
  });
  return code;
};

/**
 * A code and participant sid for a sign-in that answers its request at once, written by the
 * sign-in's own transaction (issue 11 §1); the code goes back to the client.
 */
export const authorizationAtSignIn = (
  request: AuthorizationRequest,
  interactionId: string,
  now: number,
  codeTtl: number,
): { code: string; authorization: SignInAuthorization } => {
  const code = randomToken(32);
  return {
    code,
    authorization: {
      interactionId,
      clientId: request.clientId,
      sid: randomToken(16),
      code: {
        hash: sha256(code),
        redirectUri: request.redirectUri,
        scope: request.scope,
        nonce: request.nonce,
        codeChallenge: request.codeChallenge,
        expiresAt: now + codeTtl,
      },
    },
  };
};
