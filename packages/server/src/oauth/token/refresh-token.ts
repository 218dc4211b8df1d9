import type { Client } from '../../clients/store.js';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { isLive, touchSession } from '../../sessions/browser.js';
import { type TokenResponse, issueTokens, newRefreshToken } from '../../tokens/issue.js';
import { sha256 } from '../../util/secrets.js';
import { type Params, one, required } from '../params.js';
import type { GrantDeps } from './deps.js';

/**
 * The refresh_token grant (RFC 6749 §6) with rotation: each refresh token is used once; using one
 * again revokes its whole family (RFC 9700 §4.14.2). A token bound to an SSO session dies with it
 * unless offline_access was granted (OIDC Core §11).
 */
export const refreshTokenGrant = async (
  deps: GrantDeps,
  client: Client,
  params: Params,
  seen: { ip: string; userAgent: string },
): Promise<TokenResponse> => {
  if (!client.grant_types.includes('refresh_token')) fail('unauthorized_client', 'This client may not use the refresh_token grant.');
  const hash = sha256(required(params, 'refresh_token'));
  const requestedScope = one(params, 'scope');
  const now = nowSeconds(deps.clock);
  const found = await deps.tokens.refreshTokenWithFamily(hash);
  if (!found || found.token.clientId !== client.client_id) fail('invalid_grant', 'The refresh token is invalid.');
  const { token, family } = found;
  if (!family || family.revokedAt !== undefined) fail('invalid_grant', 'The refresh token has been revoked.');
  if (token.expiresAt <= now) fail('invalid_grant', 'The refresh token has expired.');
  // A used token presented again is a replay: the whole family goes (RFC 9700 §4.14.2).
  if (token.usedAt !== undefined) await replayed(deps, token.familyId, now);
  // Everything that can refuse the request is checked before the token is spent, so a refused
  // request leaves it usable (RFC 6749 §6: the old token is invalidated only by a new one).
  let scope = token.scope;
  if (requestedScope !== undefined) {
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    scope = [...new Set(requestedScope.split(' ').filter(Boolean))];
    if (!scope.every((s) => token.scope.includes(s))) fail('invalid_scope', 'The requested scope exceeds the original grant.');
    if (!scope.includes('openid')) fail('invalid_scope', 'The scope must include "openid".');
  }
  const [session, account] = await Promise.all([deps.sessions.sessionById(family.sessionId), deps.accounts.accountById(family.accountId)]);
  if (!account || account.disabled) fail('invalid_grant', 'The account is not available.');
  if (!family.offline) {
    if (!session || !isLive(session, now)) fail('invalid_grant', 'The session this token was issued in has ended.');
    // The client's own idle limit (Signoff `max_idle`): past it, this client needs a fresh sign-in.
    const participant = client.max_idle === undefined ? undefined : await deps.sessions.participantBySid(family.sid);
    if (participant && now - participant.lastSeenAt > (client.max_idle ?? 0)) {
      fail('invalid_grant', 'This application has been idle too long in this session; sign in again.');
    }
  }
  // The use and the successor in one statement (issue 18 P6); grant_types holds refresh_token here.
  const next = newRefreshToken(deps, client, now);
  const rotated = next
    ? await deps.tokens.rotateRefreshToken(hash, now, { hash: next.hash, familyId: family.id, clientId: client.client_id, scope, createdAt: now, expiresAt: next.expiresAt })
    : await deps.tokens.markRefreshTokenUsed(hash, now);
  if (!rotated) await replayed(deps, token.familyId, now);
  if (!family.offline && session) {
    await touchSession(deps.sessions, deps.clock, deps.policy, session, seen);
    await deps.sessions.touchParticipant(session.id, client.client_id, now);
  }
  return issueTokens(deps, { client, account: account, family, scope, refreshToken: next?.value });
};

const replayed = async (deps: GrantDeps, familyId: string, now: number): Promise<never> => {
  await deps.tokens.revokeFamily(familyId, now);
  return fail('invalid_grant', 'The refresh token was already used; its token family is revoked.');
};
