import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '../../clients/metadata.js';
import type {
  Account, AuditEvent, AuthorizationCode, Browser, DeliveryClaim, DeliveryStatus, EndedSession, Grant, Interaction, LogoutDelivery,
  Participant, RefreshToken, Session, SessionEnding, SessionFilter, SessionPatch, SessionSelector, SigningKey, Store, TokenFamily,
} from '../types.js';
import { migrate } from './migrations.js';
import {
  SESSION_COLUMNS, joinScope, sessionValue, toAccount, toClient, toCode, toDelivery, toEvent, toFamily, toInteraction, toKey,
  toParticipant, toRefreshToken, toSession,
} from './rows.js';

type Row = Record<string, unknown>;

/** A WHERE clause of `column = ?` for each filter that is set, plus fixed conditions. */
const whereSql = (equal: Record<string, unknown>, fixed: string[] = []): [string, unknown[]] => {
  const set = Object.entries(equal).filter(([, v]) => v !== undefined);
  const conditions = [...set.map(([column]) => `${column} = ?`), ...fixed];
  return [conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', set.map(([, v]) => v)];
};

/** The WHERE condition of each session selector (over open sessions) and its values. */
const selectorSql = (s: SessionSelector): [string, unknown[]] => {
  if ('sessionId' in s) return ['id = ?', [s.sessionId]];
  if ('browserId' in s) return ['browser_id = ?', [s.browserId]];
  if ('accountId' in s) return ['account_id = ?', [s.accountId]];
  // Each expired session is attributed to the limit it reached first (the idle expiry never
  // passes the absolute one; equal means the absolute lifetime cut it short).
  if ('idleExpiredBy' in s) return ['idle_expires_at <= ? AND idle_expires_at < absolute_expires_at', [s.idleExpiredBy]];
  if ('absoluteExpiredBy' in s) return ['absolute_expires_at <= ? AND absolute_expires_at <= idle_expires_at', [s.absoluteExpiredBy]];
  // Newest first by creation, then by insertion order (rowid) within one second.
  return [
    `id IN (SELECT id FROM sessions WHERE account_id = ? AND ended_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?
       ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
    [s.overLimitOf, s.liveAt, s.liveAt, s.keep],
  ];
};

/**
 * The embedded store: SQLite through better-sqlite3 in WAL mode. Calls are synchronous
 * underneath; the async interface is the one every store shares.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
  }

  /** Prepared once, reused: statement preparation dominates small queries otherwise. */
  private q(sql: string): Database.Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  private one(sql: string, ...args: unknown[]): Row | undefined {
    return this.q(sql).get(...args) as Row | undefined;
  }

  private all(sql: string, ...args: unknown[]): Row[] {
    return this.q(sql).all(...args) as Row[];
  }

  private run(sql: string, ...args: unknown[]): number {
    return this.q(sql).run(...args).changes;
  }

  async ping(): Promise<boolean> {
    return this.one('SELECT 1 AS ok')?.ok === 1;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // Accounts
  async insertAccount(a: Account): Promise<void> {
    this.run(
      'INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      a.id, a.username, a.passwordHash, JSON.stringify(a.claims), a.disabled ? 1 : 0, a.createdAt, a.updatedAt,
    );
  }
  async accountById(id: string): Promise<Account | undefined> {
    const r = this.one('SELECT * FROM accounts WHERE id = ?', id);
    return r && toAccount(r);
  }
  async accountByUsername(username: string): Promise<Account | undefined> {
    const r = this.one('SELECT * FROM accounts WHERE username = ?', username);
    return r && toAccount(r);
  }
  async listAccounts(): Promise<Account[]> {
    return this.all('SELECT * FROM accounts ORDER BY username').map(toAccount);
  }
  async updateAccount(id: string, patch: Partial<Pick<Account, 'passwordHash' | 'claims' | 'disabled' | 'updatedAt'>>): Promise<boolean> {
    const r = this.one('SELECT * FROM accounts WHERE id = ?', id);
    if (!r) return false;
    const next = { ...toAccount(r), ...patch };
    this.run(
      'UPDATE accounts SET password_hash = ?, claims = ?, disabled = ?, updated_at = ? WHERE id = ?',
      next.passwordHash, JSON.stringify(next.claims), next.disabled ? 1 : 0, next.updatedAt, id,
    );
    return true;
  }

  // Clients
  async upsertClient(c: Client): Promise<void> {
    const { client_secret_hash, source, ...metadata } = c;
    this.run(
      `INSERT INTO clients (client_id, secret_hash, metadata, source) VALUES (?, ?, ?, ?)
       ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, metadata = excluded.metadata, source = excluded.source`,
      c.client_id, client_secret_hash ?? null, JSON.stringify(metadata), source,
    );
  }
  async clientById(id: string): Promise<Client | undefined> {
    const r = this.one('SELECT * FROM clients WHERE client_id = ?', id);
    return r && toClient(r);
  }
  async listClients(): Promise<Client[]> {
    return this.all('SELECT * FROM clients ORDER BY client_id').map(toClient);
  }
  async removeClient(id: string): Promise<boolean> {
    return this.run('DELETE FROM clients WHERE client_id = ?', id) > 0;
  }

  // Keys
  async listKeys(): Promise<SigningKey[]> {
    return this.all('SELECT * FROM signing_keys ORDER BY created_at DESC, kid').map(toKey);
  }
  async insertKey(k: SigningKey): Promise<void> {
    this.run(
      'INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, retired_at, publish_until) VALUES (?, ?, ?, ?, ?, ?, ?)',
      k.kid, k.alg, JSON.stringify(k.privateJwk), JSON.stringify(k.publicJwk), k.createdAt, k.retiredAt ?? null, k.publishUntil ?? null,
    );
  }
  async retireKeys(alg: SigningKey['alg'], retiredAt: number, publishUntil: number): Promise<number> {
    return this.run(
      'UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE alg = ? AND retired_at IS NULL',
      retiredAt, publishUntil, alg,
    );
  }

  // Browsers, sessions, participants
  async insertBrowser(b: Browser): Promise<void> {
    this.run('INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, ?, ?)', b.id, b.secretHash, b.createdAt);
  }
  async browserById(id: string): Promise<Browser | undefined> {
    const r = this.one('SELECT * FROM browsers WHERE id = ?', id);
    return r && { id: r.id as string, secretHash: r.secret_hash as string, createdAt: r.created_at as number };
  }
  async updateBrowserSecret(id: string, secretHash: string): Promise<void> {
    this.run('UPDATE browsers SET secret_hash = ? WHERE id = ?', secretHash, id);
  }
  async insertSession(s: Session): Promise<void> {
    this.run(
      `INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at,
        amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent, ended_at, end_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id, s.browserId, s.accountId, s.createdAt, s.authTime, s.lastSeen, s.idleExpiresAt, s.absoluteExpiresAt,
      JSON.stringify(s.amr), s.acr, s.rememberMe ? 1 : 0, s.createdIp, s.createdUserAgent, s.lastIp, s.lastUserAgent,
      s.endedAt ?? null, s.endReason ?? null,
    );
  }
  async sessionById(id: string): Promise<Session | undefined> {
    const r = this.one('SELECT * FROM sessions WHERE id = ?', id);
    return r && toSession(r);
  }
  async openSessionsOfBrowser(browserId: string): Promise<Session[]> {
    return this.all('SELECT * FROM sessions WHERE browser_id = ? AND ended_at IS NULL ORDER BY auth_time DESC, id', browserId).map(toSession);
  }
  async updateSession(id: string, patch: SessionPatch): Promise<void> {
    const fields = Object.keys(patch).filter((f) => SESSION_COLUMNS[f] !== undefined);
    if (fields.length === 0) return;
    const sets = fields.map((f) => `${SESSION_COLUMNS[f]} = ?`).join(', ');
    const values = fields.map((f) => sessionValue(f, (patch as Record<string, unknown>)[f]));
    this.run(`UPDATE sessions SET ${sets} WHERE id = ?`, ...values, id);
  }
  async upsertParticipant(p: Participant): Promise<Participant> {
    const r = this.one(
      `INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, client_id) DO UPDATE SET last_auth_at = excluded.last_auth_at, last_seen_at = excluded.last_seen_at
       RETURNING *`,
      p.sessionId, p.clientId, p.sid, p.firstAuthAt, p.lastAuthAt, p.lastSeenAt,
    );
    return toParticipant(r as Row);
  }
  async participantBySid(sid: string): Promise<Participant | undefined> {
    const r = this.one('SELECT * FROM participants WHERE sid = ?', sid);
    return r && toParticipant(r);
  }
  async participantsOf(sessionId: string): Promise<Participant[]> {
    return this.all('SELECT * FROM participants WHERE session_id = ? ORDER BY first_auth_at, client_id', sessionId).map(toParticipant);
  }
  async touchParticipant(sessionId: string, clientId: string, at: number): Promise<void> {
    this.run('UPDATE participants SET last_seen_at = ? WHERE session_id = ? AND client_id = ? AND last_seen_at < ?', at, sessionId, clientId, at);
  }
  async listSessions(f: SessionFilter): Promise<Session[]> {
    const [where, args] = whereSql({ account_id: f.accountId, browser_id: f.browserId }, f.includeEnded ? [] : ['ended_at IS NULL']);
    return this.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id LIMIT ?`, ...args, f.limit).map(toSession);
  }
  async endSessions(selector: SessionSelector, e: SessionEnding): Promise<EndedSession[]> {
    const [condition, values] = selectorSql(selector);
    return this.db
      .transaction(() => {
        const ended = this.all(
          `UPDATE sessions SET ended_at = ?, end_reason = ?, ended_by = ? WHERE ${condition} AND ended_at IS NULL
           RETURNING id, browser_id, account_id`,
          e.at, e.reason, e.actor, ...values,
        );
        if (ended.length === 0) return [];
        const ids = JSON.stringify(ended.map((r) => r.id));
        const inEnded = 'IN (SELECT value FROM json_each(?))';
        // OIDC Core §11: offline_access families outlive the session; all others die with it.
        this.run(`UPDATE token_families SET revoked_at = ? WHERE session_id ${inEnded} AND offline = 0 AND revoked_at IS NULL`, e.at, ids);
        this.run(
          `INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
           SELECT lower(hex(randomblob(16))), p.client_id, p.session_id, s.account_id, p.sid, ?, ?, 'pending', ?
           FROM participants p JOIN sessions s ON s.id = p.session_id JOIN clients c ON c.client_id = p.client_id
           WHERE p.session_id ${inEnded} AND json_extract(c.metadata, '$.backchannel_logout_uri') IS NOT NULL`,
          e.reason, e.at, e.at, ids,
        );
        this.run(
          `INSERT INTO events (at, type, session_id, account_id, reason, actor)
           SELECT ?, 'session.ended', id, account_id, ?, ? FROM sessions WHERE id ${inEnded}`,
          e.at, e.reason, e.actor, ids,
        );
        const participants = this.all(`SELECT * FROM participants WHERE session_id ${inEnded} ORDER BY first_auth_at, client_id`, ids).map(toParticipant);
        return ended.map((r) => ({
          id: r.id as string,
          browserId: r.browser_id as string,
          accountId: r.account_id as string,
          participants: participants.filter((p) => p.sessionId === r.id),
        }));
      })
      .immediate();
  }

  // Interactions
  async insertInteraction(i: Interaction): Promise<void> {
    this.run(
      'INSERT INTO interactions (id, binding_hash, csrf_token, request, created_at, expires_at, session_id, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      i.id, i.bindingHash, i.csrfToken, JSON.stringify(i.request), i.createdAt, i.expiresAt, i.sessionId ?? null, i.step,
    );
  }
  async interactionById(id: string): Promise<Interaction | undefined> {
    const r = this.one('SELECT * FROM interactions WHERE id = ?', id);
    return r && toInteraction(r);
  }
  async updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'step' | 'request'>>): Promise<void> {
    const current = this.one('SELECT * FROM interactions WHERE id = ?', id);
    if (!current) return;
    const next = { ...toInteraction(current), ...patch };
    this.run(
      'UPDATE interactions SET session_id = ?, step = ?, request = ? WHERE id = ?',
      next.sessionId ?? null, next.step, JSON.stringify(next.request), id,
    );
  }
  async deleteInteraction(id: string): Promise<boolean> {
    return this.run('DELETE FROM interactions WHERE id = ?', id) > 0;
  }
  async deleteExpiredInteractions(now: number): Promise<number> {
    return this.run('DELETE FROM interactions WHERE expires_at <= ?', now);
  }

  // Grants
  async grantFor(accountId: string, clientId: string): Promise<Grant | undefined> {
    const r = this.one('SELECT * FROM grants WHERE account_id = ? AND client_id = ?', accountId, clientId);
    return r && { accountId, clientId, scope: (r.scope as string).split(' ').filter(Boolean), createdAt: r.created_at as number };
  }
  async upsertGrant(g: Grant): Promise<void> {
    this.run(
      `INSERT INTO grants (account_id, client_id, scope, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope`,
      g.accountId, g.clientId, joinScope(g.scope), g.createdAt,
    );
  }

  // Codes and tokens
  async insertCode(c: AuthorizationCode): Promise<void> {
    this.run(
      `INSERT INTO authorization_codes (hash, client_id, account_id, session_id, sid, redirect_uri, scope, nonce, code_challenge,
        auth_time, acr, amr, expires_at, family_id, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      c.hash, c.clientId, c.accountId, c.sessionId, c.sid, c.redirectUri, joinScope(c.scope), c.nonce ?? null,
      c.codeChallenge ?? null, c.authTime, c.acr, JSON.stringify(c.amr), c.expiresAt, c.familyId ?? null, c.usedAt ?? null,
    );
  }
  async redeemCode(hash: string, now: number, familyId: string): Promise<{ code: AuthorizationCode; replayed: boolean } | undefined> {
    return this.db
      .transaction(() => {
        const r = this.one('SELECT * FROM authorization_codes WHERE hash = ?', hash);
        if (!r) return undefined;
        const code = toCode(r);
        if (code.usedAt !== undefined) {
          if (code.familyId) this.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, code.familyId);
          return { code, replayed: true };
        }
        this.run('UPDATE authorization_codes SET used_at = ?, family_id = ? WHERE hash = ?', now, familyId, hash);
        this.run(
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
    return this.run('DELETE FROM authorization_codes WHERE expires_at <= ?', now);
  }
  async familyById(id: string): Promise<TokenFamily | undefined> {
    const r = this.one('SELECT * FROM token_families WHERE id = ?', id);
    return r && toFamily(r);
  }
  async revokeFamily(id: string, now: number): Promise<void> {
    this.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, id);
  }
  async insertRefreshToken(t: RefreshToken): Promise<void> {
    this.run(
      'INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      t.hash, t.familyId, t.clientId, joinScope(t.scope), t.createdAt, t.expiresAt, t.usedAt ?? null,
    );
  }
  async refreshTokenByHash(hash: string): Promise<RefreshToken | undefined> {
    const r = this.one('SELECT * FROM refresh_tokens WHERE hash = ?', hash);
    return r && toRefreshToken(r);
  }
  async markRefreshTokenUsed(hash: string, now: number): Promise<boolean> {
    return this.run('UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL', now, hash) === 1;
  }
  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.run('INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)', jti, expiresAt);
  }
  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return this.one('SELECT 1 AS x FROM revoked_access_tokens WHERE jti = ?', jti) !== undefined;
  }

  // Audit events and the back-channel outbox
  async appendEvent(e: Omit<AuditEvent, 'id'>): Promise<void> {
    this.run(
      'INSERT INTO events (at, type, session_id, account_id, client_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.at, e.type, e.sessionId ?? null, e.accountId ?? null, e.clientId ?? null, e.reason ?? null, e.actor ?? null,
    );
  }
  async listEvents(q: { afterId?: number | undefined; sessionId?: string | undefined; limit: number }): Promise<AuditEvent[]> {
    const [where, args] = whereSql({ session_id: q.sessionId }, q.afterId === undefined ? [] : [`id > ${Math.trunc(q.afterId)}`]);
    // After an id: the next ones, oldest first; otherwise the latest ones, still printed oldest first.
    if (q.afterId !== undefined) return this.all(`SELECT * FROM events ${where} ORDER BY id LIMIT ?`, ...args, q.limit).map(toEvent);
    return this.all(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT ?`, ...args, q.limit).map(toEvent).reverse();
  }
  async listDeliveries(q: { status?: LogoutDelivery['status'] | undefined; sessionId?: string | undefined; limit: number }): Promise<LogoutDelivery[]> {
    const [where, args] = whereSql({ status: q.status, session_id: q.sessionId });
    return this.all(`SELECT * FROM logout_deliveries ${where} ORDER BY created_at, id LIMIT ?`, ...args, q.limit).map(toDelivery);
  }
  async claimDeliveries(c: DeliveryClaim): Promise<LogoutDelivery[]> {
    // One UPDATE … RETURNING: SQLite runs it under the write lock, so two processes never lease the same row.
    return this.all(
      `UPDATE logout_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM logout_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
                    AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?)
       RETURNING *`,
      c.owner, c.now + c.leaseSeconds, c.now, c.now, c.limit,
    ).map(toDelivery);
  }
  private settle(id: string, owner: string, status: DeliveryStatus, nextAttemptAt: number | null, finishedAt: number | null, error: string | null): boolean {
    return this.run(
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
  async retryDelivery(id: string, now: number): Promise<boolean> {
    return this.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE id = ? AND status IN ('pending', 'failed')`,
      now, now, id,
    ) === 1;
  }
  async countDeliveries(): Promise<Record<DeliveryStatus, number>> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.all('SELECT status, COUNT(*) AS n FROM logout_deliveries GROUP BY status')) counts[r.status as DeliveryStatus] = r.n as number;
    return counts;
  }
}
