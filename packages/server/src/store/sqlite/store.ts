import { resolve } from 'node:path';
import type { Account } from '../../accounts/store.js';
import type { Client } from '../../clients/store.js';
import type { DeliveryClaim, DeliveryStatus, LogoutDelivery } from '../../logout/back-channel/outbox.js';
import type { Interaction } from '../../oauth/authorize/interaction-store.js';
import type { Grant } from '../../oauth/grants.js';
import type { AuditEvent } from '../../sessions/events.js';
import type {
  Browser, EndedSession, Participant, Session, SessionEnding, SessionFilter, SessionPatch, SessionSelector,
} from '../../sessions/store.js';
import type { SigningKey } from '../../tokens/key-store.js';
import type { AuthorizationCode, RefreshToken, TokenFamily } from '../../tokens/token-store.js';
import type { Store, StoreOrigin } from '../types.js';
import { endSessions } from './ending.js';
import {
  SESSION_COLUMNS, joinScope, sessionValue, toAccount, toClient, toCode, toDelivery, toEvent, toFamily, toInteraction, toKey,
  toParticipant, toRefreshToken, toSession,
} from './rows.js';
import { type Row, Sql, whereSql } from './sql.js';

/**
 * The embedded store: SQLite through better-sqlite3 in WAL mode. Calls are synchronous
 * underneath; the async interface is the one every store shares.
 */
export class SqliteStore implements Store {
  private readonly sql: Sql;
  readonly origin: StoreOrigin;

  constructor(path: string) {
    try {
      this.sql = new Sql(path);
    } catch (err) {
      // better-sqlite3 says "file is not a database" or "unable to open database file" without the path.
      throw new Error(`cannot open the SQLite store ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.origin = { kind: 'sqlite', location: path === ':memory:' ? path : resolve(path), created: this.sql.created };
  }

  async ping(): Promise<boolean> {
    return this.sql.one('SELECT 1 AS ok')?.ok === 1;
  }

  async close(): Promise<void> {
    if (this.sql.db.open) this.sql.db.close();
  }

  // Accounts
  async insertAccount(a: Account): Promise<void> {
    this.sql.run(
      'INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      a.id, a.username, a.passwordHash, JSON.stringify(a.claims), a.disabled ? 1 : 0, a.createdAt, a.updatedAt,
    );
  }
  async accountById(id: string): Promise<Account | undefined> {
    const r = this.sql.one('SELECT * FROM accounts WHERE id = ?', id);
    return r && toAccount(r);
  }
  async accountByUsername(username: string): Promise<Account | undefined> {
    const r = this.sql.one('SELECT * FROM accounts WHERE username = ?', username);
    return r && toAccount(r);
  }
  async listAccounts(): Promise<Account[]> {
    return this.sql.all('SELECT * FROM accounts ORDER BY username').map(toAccount);
  }
  async updateAccount(id: string, patch: Partial<Pick<Account, 'passwordHash' | 'claims' | 'disabled' | 'updatedAt'>>): Promise<boolean> {
    const r = this.sql.one('SELECT * FROM accounts WHERE id = ?', id);
    if (!r) return false;
    const next = { ...toAccount(r), ...patch };
    this.sql.run(
      'UPDATE accounts SET password_hash = ?, claims = ?, disabled = ?, updated_at = ? WHERE id = ?',
      next.passwordHash, JSON.stringify(next.claims), next.disabled ? 1 : 0, next.updatedAt, id,
    );
    return true;
  }

  // Clients
  async upsertClient(c: Client): Promise<void> {
    const { client_secret_hash, source, ...metadata } = c;
    this.sql.run(
      `INSERT INTO clients (client_id, secret_hash, metadata, source) VALUES (?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, metadata = excluded.metadata, source = excluded.source`,
      c.client_id, client_secret_hash ?? null, JSON.stringify(metadata), source,
    );
  }
  async clientById(id: string): Promise<Client | undefined> {
    const r = this.sql.one('SELECT * FROM clients WHERE client_id = ?', id);
    return r && toClient(r);
  }
  async listClients(): Promise<Client[]> {
    return this.sql.all('SELECT * FROM clients ORDER BY client_id').map(toClient);
  }
  async removeClient(id: string): Promise<boolean> {
    return this.sql.run('DELETE FROM clients WHERE client_id = ?', id) > 0;
  }

  // Keys
  async listKeys(): Promise<SigningKey[]> {
    return this.sql.all('SELECT * FROM signing_keys ORDER BY created_at DESC, kid').map(toKey);
  }
  async keyByKid(kid: string): Promise<SigningKey | undefined> {
    const r = this.sql.one('SELECT * FROM signing_keys WHERE kid = ?', kid);
    return r && toKey(r);
  }
  async insertKey(k: SigningKey): Promise<void> {
    this.sql.run(
      `INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, activates_at, retired_at, publish_until, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      k.kid, k.alg, JSON.stringify(k.privateJwk), JSON.stringify(k.publicJwk), k.createdAt, k.activatesAt ?? null, k.retiredAt ?? null,
      k.publishUntil ?? null, k.revokedAt ?? null,
    );
  }
  async retireKeys(alg: SigningKey['alg'], retiredAt: number, publishUntil: number): Promise<number> {
    return this.sql.run(
      'UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE alg = ? AND retired_at IS NULL',
      retiredAt, publishUntil, alg,
    );
  }
  async updateKeyPrivateJwk(kid: string, privateJwk: Record<string, unknown>): Promise<boolean> {
    return this.sql.run('UPDATE signing_keys SET private_jwk = ? WHERE kid = ?', JSON.stringify(privateJwk), kid) === 1;
  }
  async revokeKey(kid: string, at: number): Promise<boolean> {
    return this.sql.run(
      `UPDATE signing_keys SET revoked_at = ?, retired_at = MIN(COALESCE(retired_at, ?), ?), publish_until = MIN(COALESCE(publish_until, ?), ?)
       WHERE kid = ? AND revoked_at IS NULL`,
      at, at, at, at, at, kid,
    ) === 1;
  }

  // Browsers, sessions, participants
  async insertBrowser(b: Browser): Promise<void> {
    this.sql.run('INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, ?, ?)', b.id, b.secretHash, b.createdAt);
  }
  async browserById(id: string): Promise<Browser | undefined> {
    const r = this.sql.one('SELECT * FROM browsers WHERE id = ?', id);
    return r && { id: r.id as string, secretHash: r.secret_hash as string, createdAt: r.created_at as number };
  }
  async updateBrowserSecret(id: string, secretHash: string): Promise<void> {
    this.sql.run('UPDATE browsers SET secret_hash = ? WHERE id = ?', secretHash, id);
  }
  async insertSession(s: Session): Promise<void> {
    this.sql.run(
      `INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at,
        amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent, ended_at, end_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id, s.browserId, s.accountId, s.createdAt, s.authTime, s.lastSeen, s.idleExpiresAt, s.absoluteExpiresAt,
      JSON.stringify(s.amr), s.acr, s.rememberMe ? 1 : 0, s.createdIp, s.createdUserAgent, s.lastIp, s.lastUserAgent,
      s.endedAt ?? null, s.endReason ?? null,
    );
  }
  async sessionById(id: string): Promise<Session | undefined> {
    const r = this.sql.one('SELECT * FROM sessions WHERE id = ?', id);
    return r && toSession(r);
  }
  async openSessionsOfBrowser(browserId: string): Promise<Session[]> {
    return this.sql.all('SELECT * FROM sessions WHERE browser_id = ? AND ended_at IS NULL ORDER BY auth_time DESC, id', browserId).map(toSession);
  }
  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    const fields = Object.keys(patch).filter((f) => SESSION_COLUMNS[f] !== undefined);
    if (fields.length === 0) return;
    const sets = fields.map((f) => `${SESSION_COLUMNS[f]} = ?`).join(', ');
    const values = fields.map((f) => sessionValue(f, (patch as Record<string, unknown>)[f]));
    this.sql.run(`UPDATE sessions SET ${sets} WHERE id = ?`, ...values, id);
  }
  async upsertParticipant(p: Participant): Promise<Participant> {
    const r = this.sql.one(
      `INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, client_id) DO UPDATE SET last_auth_at = excluded.last_auth_at, last_seen_at = excluded.last_seen_at
       RETURNING *`,
      p.sessionId, p.clientId, p.sid, p.firstAuthAt, p.lastAuthAt, p.lastSeenAt,
    );
    return toParticipant(r as Row);
  }
  async participantBySid(sid: string): Promise<Participant | undefined> {
    const r = this.sql.one('SELECT * FROM participants WHERE sid = ?', sid);
    return r && toParticipant(r);
  }
  async participantsOf(sessionId: string): Promise<Participant[]> {
    return this.sql.all('SELECT * FROM participants WHERE session_id = ? ORDER BY first_auth_at, client_id', sessionId).map(toParticipant);
  }
  async touchParticipant(sessionId: string, clientId: string, at: number): Promise<void> {
    this.sql.run('UPDATE participants SET last_seen_at = ? WHERE session_id = ? AND client_id = ? AND last_seen_at < ?', at, sessionId, clientId, at);
  }
  async listSessions(f: SessionFilter): Promise<Session[]> {
    const [where, args] = whereSql({ account_id: f.accountId, browser_id: f.browserId }, f.includeEnded ? [] : ['ended_at IS NULL']);
    return this.sql.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id LIMIT ?`, ...args, f.limit).map(toSession);
  }
  async countLiveSessions(now: number): Promise<number> {
    // The partial index on open sessions' idle expiry keeps this off the ended rows.
    return this.sql.one('SELECT COUNT(*) AS n FROM sessions WHERE ended_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?', now, now)?.n as number;
  }
  async endSessions(selector: SessionSelector, e: SessionEnding): Promise<EndedSession[]> {
    return endSessions(this.sql, selector, e);
  }

  // Interactions
  async insertInteraction(i: Interaction): Promise<void> {
    this.sql.run(
      'INSERT INTO interactions (id, binding_hash, csrf_token, request, created_at, expires_at, session_id, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      i.id, i.bindingHash, i.csrfToken, JSON.stringify(i.request), i.createdAt, i.expiresAt, i.sessionId ?? null, i.step,
    );
  }
  async interactionById(id: string): Promise<Interaction | undefined> {
    const r = this.sql.one('SELECT * FROM interactions WHERE id = ?', id);
    return r && toInteraction(r);
  }
  async updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'step' | 'request'>>): Promise<void> {
    const current = this.sql.one('SELECT * FROM interactions WHERE id = ?', id);
    if (!current) return;
    const next = { ...toInteraction(current), ...patch };
    this.sql.run(
      'UPDATE interactions SET session_id = ?, step = ?, request = ? WHERE id = ?',
      next.sessionId ?? null, next.step, JSON.stringify(next.request), id,
    );
  }
  async deleteInteraction(id: string): Promise<boolean> {
    return this.sql.run('DELETE FROM interactions WHERE id = ?', id) > 0;
  }
  async deleteExpiredInteractions(now: number): Promise<number> {
    return this.sql.run('DELETE FROM interactions WHERE expires_at <= ?', now);
  }

  // Grants
  async grantFor(accountId: string, clientId: string): Promise<Grant | undefined> {
    const r = this.sql.one('SELECT * FROM grants WHERE account_id = ? AND client_id = ?', accountId, clientId);
    return r && { accountId, clientId, scope: (r.scope as string).split(' ').filter(Boolean), createdAt: r.created_at as number };
  }
  async upsertGrant(g: Grant): Promise<void> {
    this.sql.run(
      `INSERT INTO grants (account_id, client_id, scope, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope`,
      g.accountId, g.clientId, joinScope(g.scope), g.createdAt,
    );
  }

  // Codes and tokens
  async insertCode(c: AuthorizationCode): Promise<void> {
    this.sql.run(
      `INSERT INTO authorization_codes (hash, client_id, account_id, session_id, sid, redirect_uri, scope, nonce, code_challenge,
        auth_time, acr, amr, expires_at, family_id, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      c.hash, c.clientId, c.accountId, c.sessionId, c.sid, c.redirectUri, joinScope(c.scope), c.nonce ?? null,
      c.codeChallenge ?? null, c.authTime, c.acr, JSON.stringify(c.amr), c.expiresAt, c.familyId ?? null, c.usedAt ?? null,
    );
  }
  async redeemCode(hash: string, now: number, familyId: string): Promise<{ code: AuthorizationCode; replayed: boolean } | undefined> {
    return this.sql.db
      .transaction(() => {
        const r = this.sql.one('SELECT * FROM authorization_codes WHERE hash = ?', hash);
        if (!r) return undefined;
        const code = toCode(r);
        if (code.usedAt !== undefined) {
          if (code.familyId) this.sql.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, code.familyId);
          return { code, replayed: true };
        }
        this.sql.run('UPDATE authorization_codes SET used_at = ?, family_id = ? WHERE hash = ?', now, familyId, hash);
        this.sql.run(
          `INSERT INTO token_families (id, client_id, account_id, session_id, offline, sid, scope, auth_time, acr, amr, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          familyId, code.clientId, code.accountId, code.sessionId, code.scope.includes('offline_access') ? 1 : 0, code.sid,
          joinScope(code.scope), code.authTime, code.acr, JSON.stringify(code.amr), now,
        );
        return { code, replayed: false };
      })
      .immediate();
  }
  async deleteExpiredCodes(now: number): Promise<number> {
    return this.sql.run('DELETE FROM authorization_codes WHERE expires_at <= ?', now);
  }
  async familyById(id: string): Promise<TokenFamily | undefined> {
    const r = this.sql.one('SELECT * FROM token_families WHERE id = ?', id);
    return r && toFamily(r);
  }
  async revokeFamily(id: string, now: number): Promise<void> {
    this.sql.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, id);
  }
  async insertRefreshToken(t: RefreshToken): Promise<void> {
    this.sql.run(
      'INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      t.hash, t.familyId, t.clientId, joinScope(t.scope), t.createdAt, t.expiresAt, t.usedAt ?? null,
    );
  }
  async refreshTokenByHash(hash: string): Promise<RefreshToken | undefined> {
    const r = this.sql.one('SELECT * FROM refresh_tokens WHERE hash = ?', hash);
    return r && toRefreshToken(r);
  }
  async markRefreshTokenUsed(hash: string, now: number): Promise<boolean> {
    return this.sql.run('UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL', now, hash) === 1;
  }
  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.sql.run('INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)', jti, expiresAt);
  }
  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return this.sql.one('SELECT 1 AS x FROM revoked_access_tokens WHERE jti = ?', jti) !== undefined;
  }

  // Audit events and the back-channel outbox
  async appendEvent(e: Omit<AuditEvent, 'id'>): Promise<void> {
    this.sql.run(
      'INSERT INTO events (at, type, session_id, account_id, client_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.at, e.type, e.sessionId ?? null, e.accountId ?? null, e.clientId ?? null, e.reason ?? null, e.actor ?? null,
    );
  }
  async listEvents(q: { afterId?: number | undefined; sessionId?: string | undefined; limit: number }): Promise<AuditEvent[]> {
    const [where, args] = whereSql({ session_id: q.sessionId }, q.afterId === undefined ? [] : [`id > ${Math.trunc(q.afterId)}`]);
    // After an id: the next ones, oldest first; otherwise the latest ones, still printed oldest first.
    if (q.afterId !== undefined) return this.sql.all(`SELECT * FROM events ${where} ORDER BY id LIMIT ?`, ...args, q.limit).map(toEvent);
    return this.sql.all(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT ?`, ...args, q.limit).map(toEvent).reverse();
  }
  async listDeliveries(q: { status?: LogoutDelivery['status'] | undefined; sessionId?: string | undefined; limit: number }): Promise<LogoutDelivery[]> {
    const [where, args] = whereSql({ status: q.status, session_id: q.sessionId });
    return this.sql.all(`SELECT * FROM logout_deliveries ${where} ORDER BY created_at, id LIMIT ?`, ...args, q.limit).map(toDelivery);
  }
  async claimDeliveries(c: DeliveryClaim): Promise<LogoutDelivery[]> {
    // One UPDATE … RETURNING: SQLite runs it under the write lock, so two processes never lease the same row.
    // The due-rows index is named: it walks them in order, where the status index would sort every due row.
    return this.sql.all(
      `UPDATE logout_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM logout_deliveries INDEXED BY logout_deliveries_due WHERE status = 'pending' AND next_attempt_at <= ?
                    AND (lease_until IS NULL OR lease_until <= ?) AND client_id NOT IN (SELECT value FROM json_each(?))
                    ORDER BY next_attempt_at, id LIMIT ?)
       RETURNING *`,
      c.owner, c.now + c.leaseSeconds, c.now, c.now, JSON.stringify(c.skipClients ?? []), c.limit,
    ).map(toDelivery);
  }
  private settle(id: string, owner: string, status: DeliveryStatus, nextAttemptAt: number | null, finishedAt: number | null, error: string | null): boolean {
    return this.sql.run(
      `UPDATE logout_deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), finished_at = ?, last_error = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      status, nextAttemptAt, finishedAt, error, id, owner,
    ) === 1;
  }
  async markDelivered(id: string, owner: string, at: number): Promise<boolean> {
    return this.settle(id, owner, 'delivered', null, at, null);
  }
  async rescheduleDelivery(id: string, owner: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.settle(id, owner, 'pending', nextAttemptAt, null, error);
  }
  async markDeliveryFailed(id: string, owner: string, at: number, error: string): Promise<boolean> {
    return this.settle(id, owner, 'failed', null, at, error);
  }
  async releaseDeliveries(owner: string, now: number): Promise<number> {
    return this.sql.run(
      `UPDATE logout_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0), next_attempt_at = MIN(next_attempt_at, ?)
       WHERE lease_owner = ? AND status = 'pending'`,
      now, owner,
    );
  }
  async bringDeliveriesForward(clientId: string, now: number): Promise<number> {
    // The due-rows index walks only the rows waiting for a later time, not every pending one.
    return this.sql.run(
      `UPDATE logout_deliveries INDEXED BY logout_deliveries_due SET next_attempt_at = ?
       WHERE status = 'pending' AND next_attempt_at > ? AND client_id = ?`,
      now, now, clientId,
    );
  }
  async retryDelivery(id: string, now: number): Promise<boolean> {
    return this.sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE id = ? AND status IN ('pending', 'failed')`,
      now, now, id,
    ) === 1;
  }
  async retryDeliveries(ids: readonly string[], now: number): Promise<{ retried: number; unknown: string[] }> {
    const wanted = JSON.stringify([...new Set(ids)]);
    // All or none: the update applies only when every named row is retryable.
    const retried = this.sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed')
         AND (SELECT COUNT(*) FROM logout_deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed'))
             = (SELECT COUNT(*) FROM json_each(?))`,
      now, now, wanted, wanted, wanted,
    );
    if (retried > 0 || ids.length === 0) return { retried, unknown: [] };
    const known = new Set(
      this.sql.all(`SELECT id FROM logout_deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed')`, wanted).map((r) => r.id as string),
    );
    return { retried: 0, unknown: [...new Set(ids)].filter((id) => !known.has(id)) };
  }
  async retryClientDeliveries(clientId: string, now: number): Promise<number> {
    return this.sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE client_id = ? AND status IN ('pending', 'failed')`,
      now, now, clientId,
    );
  }
  async countDeliveries(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.sql.all('SELECT status, COUNT(*) AS n FROM logout_deliveries GROUP BY status')) counts[r.status as DeliveryStatus] = r.n as number;
    return counts;
  }
}
