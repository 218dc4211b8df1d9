import type { Browser, Participant, SessionStore } from '../../sessions/store.js';
import type { AuthorizationCode } from '../../tokens/token-store.js';
import { toAccount } from './accounts.js';
import { endSessions } from './ending.js';
import { SESSION_COLUMNS, sessionValue, toParticipant, toSession, upsertParticipantRow } from './session-rows.js';
import { insertSessionRow, recordSignIn } from './sign-in.js';
import { type Sql, whereSql } from './sql.js';
import { insertCodeRow } from './tokens.js';

/** SessionStore on SQLite: browsers, sessions and participants; the ending transaction is ending.ts. */
export const sqliteSessions = (sql: Sql): SessionStore => {
  /** recordAuthorization with a participant: one transaction, the code with the stored participant's sid. */
  const upsertAndInsert = sql.db.transaction((participant: Participant, code: AuthorizationCode): string => {
    const { sid } = upsertParticipantRow(sql, participant);
    insertCodeRow(sql, { ...code, sid });
    return sid;
  });
  return {
    async insertBrowser(b) {
      sql.run('INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, ?, ?)', b.id, b.secretHash, b.createdAt);
    },
    async browserById(id) {
      const r = sql.one('SELECT * FROM browsers WHERE id = ?', id);
      return r && ({ id: r.id as string, secretHash: r.secret_hash as string, createdAt: r.created_at as number } satisfies Browser);
    },
    async browserWithOpenSessions(id) {
      // One statement (issue 18, P1), as on PostgreSQL: the browser's columns beside each open
      // session's, or beside nulls when it has none. Each statement outside a transaction takes
      // and drops WAL read locks: under P1's load a second one cost about 15 µs.
      const rows = sql.all(
        `SELECT b.secret_hash AS browser_secret_hash, b.created_at AS browser_created_at, s.*
           FROM browsers b LEFT JOIN sessions s ON s.browser_id = b.id AND s.ended_at IS NULL
          WHERE b.id = ? ORDER BY s.auth_time DESC, s.id`,
        id,
      );
      const first = rows[0];
      if (!first) return undefined;
      const browser: Browser = { id, secretHash: first.browser_secret_hash as string, createdAt: first.browser_created_at as number };
      if (first.id === null) return { browser, sessions: [], accounts: [] };
      const sessions = rows.map(toSession);
      // The accounts by key, one statement each: joined into the statement above they made it
      // slower than the two (60-73 against 57-65 µs under P1: the ORDER BY sorts the wider rows).
      const accounts = [...new Set(sessions.map((s) => s.accountId))].flatMap((accountId) => {
        const r = sql.one('SELECT * FROM accounts WHERE id = ?', accountId);
        return r ? [toAccount(r)] : [];
      });
      return { browser, sessions, accounts };
    },
    async updateBrowserSecret(id, secretHash) {
      sql.run('UPDATE browsers SET secret_hash = ? WHERE id = ?', secretHash, id);
    },
    async insertSession(s) {
      insertSessionRow(sql, s);
    },
    async recordSignIn(record) {
      return recordSignIn(sql, record);
    },
    async sessionById(id) {
      const r = sql.one('SELECT * FROM sessions WHERE id = ?', id);
      return r && toSession(r);
    },
    async openSessionsOfBrowser(browserId) {
      return sql.all('SELECT * FROM sessions WHERE browser_id = ? AND ended_at IS NULL ORDER BY auth_time DESC, id', browserId).map(toSession);
    },
    async updateSession(id, patch) {
      const fields = Object.keys(patch).filter((f) => SESSION_COLUMNS[f] !== undefined);
      if (fields.length === 0) return;
      const sets = fields.map((f) => `${SESSION_COLUMNS[f]} = ?`).join(', ');
      const values = fields.map((f) => sessionValue(f, (patch as Record<string, unknown>)[f]));
      sql.run(`UPDATE sessions SET ${sets} WHERE id = ?`, ...values, id);
    },
    async upsertParticipant(p) {
      return upsertParticipantRow(sql, p);
    },
    async recordAuthorization({ participant, code }) {
      if (!participant) {
        insertCodeRow(sql, code);
        return code.sid;
      }
      return upsertAndInsert(participant, code);
    },
    async participantBySid(sid) {
      const r = sql.one('SELECT * FROM participants WHERE sid = ?', sid);
      return r && toParticipant(r);
    },
    async participantsOf(sessionId) {
      return sql.all('SELECT * FROM participants WHERE session_id = ? ORDER BY first_auth_at, client_id', sessionId).map(toParticipant);
    },
    async touchParticipant(sessionId, clientId, at) {
      sql.run('UPDATE participants SET last_seen_at = ? WHERE session_id = ? AND client_id = ? AND last_seen_at < ?', at, sessionId, clientId, at);
    },
    async listSessions(f) {
      const [where, args] = whereSql({ account_id: f.accountId, browser_id: f.browserId }, f.includeEnded ? [] : ['ended_at IS NULL']);
      return sql.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id LIMIT ?`, ...args, f.limit).map(toSession);
    },
    async pageSessions(q) {
      const conditions: string[] = [];
      const args: unknown[] = [];
      if (q.accountId !== undefined) conditions.push('account_id = ?'), args.push(q.accountId);
      if (q.clientId !== undefined) conditions.push('EXISTS (SELECT 1 FROM participants p WHERE p.session_id = sessions.id AND p.client_id = ?)'), args.push(q.clientId);
      if (q.live !== undefined) {
        const live = 'ended_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?';
        conditions.push(q.live.live ? live : `NOT (${live})`), args.push(q.live.at, q.live.at);
      }
      if (q.after !== undefined) conditions.push('(created_at < ? OR (created_at = ? AND id > ?))'), args.push(q.after.createdAt, q.after.createdAt, q.after.id);
      const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
      return sql.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id LIMIT ?`, ...args, q.limit).map(toSession);
    },
    async countLiveSessions(now) {
      // The partial index on open sessions' idle expiry keeps this off the ended rows.
      return sql.one('SELECT COUNT(*) AS n FROM sessions WHERE ended_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?', now, now)?.n as number;
    },
    async endSessions(selector, ending) {
      return endSessions(sql, selector, ending);
    },
  };
};
