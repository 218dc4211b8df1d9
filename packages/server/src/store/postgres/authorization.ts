import type { AuthorizationRecord } from '../../sessions/store.js';
import { type Q, named } from './db.js';
import { joinScope } from './rows.js';
import { insertCodeRow } from './tokens.js';

/**
 * The participant upsert and the code insert as one statement (issue 18, P1): one round trip and
 * one commit, all or nothing. The code takes the sid the upsert returns — the stored participant's
 * when another request made it first — so a client sees one sid per session.
 */
const UPSERT_AND_INSERT = named('record_authorization', `WITH p AS (
    INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (session_id, client_id) DO UPDATE SET last_auth_at = excluded.last_auth_at, last_seen_at = excluded.last_seen_at
    RETURNING sid)
  INSERT INTO authorization_codes (hash, client_id, account_id, session_id, sid, redirect_uri, scope, nonce, code_challenge,
    auth_time, acr, amr, expires_at)
  SELECT $7, $8, $9, $10, p.sid, $11, $12, $13, $14, $15, $16, $17, $18 FROM p
  RETURNING sid`);

/** SessionStore.recordAuthorization on PostgreSQL. */
export const recordAuthorization = async (q: Q, { participant: p, code: c }: AuthorizationRecord): Promise<string> => {
  if (!p) {
    await insertCodeRow(q, c);
    return c.sid;
  }
  const r = await q.one(UPSERT_AND_INSERT, [
    p.sessionId, p.clientId, p.sid, p.firstAuthAt, p.lastAuthAt, p.lastSeenAt,
    c.hash, c.clientId, c.accountId, c.sessionId, c.redirectUri, joinScope(c.scope), c.nonce ?? null, c.codeChallenge ?? null, c.authTime, c.acr, JSON.stringify(c.amr), c.expiresAt,
  ]);
  return r?.sid as string;
};
