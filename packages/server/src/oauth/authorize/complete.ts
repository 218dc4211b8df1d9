import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import type { Session, SessionStore, SignInAuthorization } from '../../sessions/store.js';
import type { TokenStore } from '../../tokens/token-store.js';
import { randomToken, sha256 } from '../../util/secrets.js';
import type { AuthorizationRequest } from './request.js';

/**
 * Finishes a successful authorization: records the client as a participant of the session
 * (its `sid` is stable per session and client, distinct across clients, and never the cookie
 * value) and issues a single-use authorization code, stored only as its hash.
 */
export const issueAuthorizationCode = async (
  deps: { sessions: SessionStore; tokens: TokenStore; clock: Clock; codeTtl: number },
  request: AuthorizationRequest,
  session: Session,
): Promise<string> => {
  const now = nowSeconds(deps.clock);
  const participant = await deps.sessions.upsertParticipant({
    sessionId: session.id,
    clientId: request.clientId,
    sid: randomToken(16),
    firstAuthAt: now,
    lastAuthAt: now,
    lastSeenAt: now,
  });
  const code = randomToken(32);
  await deps.tokens.insertCode({
    hash: sha256(code),
    clientId: request.clientId,
    accountId: session.accountId,
    sessionId: session.id,
    sid: participant.sid,
    redirectUri: request.redirectUri,
    scope: request.scope,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    authTime: session.authTime,
    acr: session.acr,
    amr: session.amr,
    expiresAt: now + deps.codeTtl,
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
