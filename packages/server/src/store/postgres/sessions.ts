import { accountColumnsOf, accountsOf } from './account-columns.js';
import { toAccount } from './accounts.js';
import type { Browser, SessionStore } from '../../sessions/store.js';
import { type Db, named } from './db.js';
import { endSessions, revokesOfflineTokens } from './ending.js';
import { whereSql } from './rows.js';
import { recordAuthorization } from './authorization.js';
import { PARTICIPANT_ROW, SESSION_COLUMNS, SESSION_ROW, insertSessionRow, sessionValue, toParticipant, toSession, upsertParticipantRow } from './session-rows.js';
import { recordSignIn } from './sign-in.js';

const BROWSER_WITH_OPEN_SESSIONS = named(
  'browser_with_open_sessions',
  `SELECT b.secret_hash AS browser_secret_hash, b.created_at AS browser_created_at, ${SESSION_ROW.replace(/(\w+)/g, 's.$1')}, ${accountColumnsOf('a')}
     FROM browsers b LEFT JOIN sessions s ON s.browser_id = b.id AND s.ended_at IS NULL LEFT JOIN accounts a ON a.id = s.account_id
    WHERE b.id = $1 ORDER BY s.auth_time DESC, s.id COLLATE "C"`,
);

const PARTICIPANTS_OF = named(
  'participants_of',
  `SELECT ${PARTICIPANT_ROW} FROM participants WHERE session_id = $1 ORDER BY first_auth_at, client_id COLLATE "C"`,
);

/** SessionStore on PostgreSQL: browsers, sessions and participants; the ending transaction is ending.ts. */
export const postgresSessions = (db: Db): SessionStore => ({
  async insertBrowser(b) {
    await db.run('INSERT INTO browsers (id, secret_hash, created_at) VALUES ($1, $2, $3)', [b.id, b.secretHash, b.createdAt]);
  },
  async browserById(id) {
    const r = await db.one('SELECT * FROM browsers WHERE id = $1', [id]);
    return r && ({ id: r.id as string, secretHash: r.secret_hash as string, createdAt: r.created_at as number } satisfies Browser);
  },
  async browserWithOpenSessions(id) {
    // One round trip (issue 18, P1): the browser's columns beside each open session's and its
    // account's, or beside nulls when it has none.
    const rows = await db.all(BROWSER_WITH_OPEN_SESSIONS, [id]);
    const first = rows[0];
    if (!first) return undefined;
    const browser: Browser = { id, secretHash: first.browser_secret_hash as string, createdAt: first.browser_created_at as number };
    return first.id === null ? { browser, sessions: [], accounts: [] } : { browser, sessions: rows.map(toSession), accounts: accountsOf(rows, toAccount) };
  },
  async updateBrowserSecret(id, secretHash) {
    await db.run('UPDATE browsers SET secret_hash = $1 WHERE id = $2', [secretHash, id]);
  },
  async insertSession(s) {
    await insertSessionRow(db, s);
  },
  async recordSignIn(record) {
    return db.tx((q) => recordSignIn(q, record));
  },
  async sessionById(id) {
    const r = await db.one('SELECT * FROM sessions WHERE id = $1', [id]);
    return r && toSession(r);
  },
  async openSessionsOfBrowser(browserId) {
    return (await db.all('SELECT * FROM sessions WHERE browser_id = $1 AND ended_at IS NULL ORDER BY auth_time DESC, id COLLATE "C"', [browserId])).map(toSession);
  },
  async updateSession(id, patch) {
    const fields = Object.keys(patch).filter((f) => SESSION_COLUMNS[f] !== undefined);
    if (fields.length === 0) return;
    const sets = fields.map((f, i) => `${SESSION_COLUMNS[f]} = $${i + 2}`).join(', ');
    const values = fields.map((f) => sessionValue(f, (patch as Record<string, unknown>)[f]));
    await db.run(`UPDATE sessions SET ${sets} WHERE id = $1`, [id, ...values]);
  },
  async upsertParticipant(p) {
    return upsertParticipantRow(db, p);
  },
  async recordAuthorization(record) {
    return recordAuthorization(db, record);
  },
  async participantBySid(sid) {
    const r = await db.one('SELECT * FROM participants WHERE sid = $1', [sid]);
    return r && toParticipant(r);
  },
  async participantsOf(sessionId) {
    return (await db.all(PARTICIPANTS_OF, [sessionId])).map(toParticipant);
  },
  async touchParticipant(sessionId, clientId, at) {
    await db.run('UPDATE participants SET last_seen_at = $1 WHERE session_id = $2 AND client_id = $3 AND last_seen_at < $1', [at, sessionId, clientId]);
  },
  async listSessions(f) {
    const [where, args] = whereSql({ account_id: f.accountId, browser_id: f.browserId }, f.includeEnded ? [] : ['ended_at IS NULL']);
    return (await db.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id COLLATE "C" LIMIT $${args.length + 1}`, [...args, f.limit])).map(toSession);
  },
  async pageSessions(q) {
    const conditions: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown): string => `$${args.push(v)}`;
    if (q.accountId !== undefined) conditions.push(`account_id = ${arg(q.accountId)}`);
    if (q.clientId !== undefined) conditions.push(`EXISTS (SELECT 1 FROM participants p WHERE p.session_id = sessions.id AND p.client_id = ${arg(q.clientId)})`);
    if (q.live !== undefined) {
      const at = arg(q.live.at);
      const live = `ended_at IS NULL AND idle_expires_at > ${at} AND absolute_expires_at > ${at}`;
      conditions.push(q.live.live ? live : `NOT (${live})`);
    }
    if (q.after !== undefined) {
      const createdAt = arg(q.after.createdAt);
      conditions.push(`(created_at < ${createdAt} OR (created_at = ${createdAt} AND id COLLATE "C" > ${arg(q.after.id)}))`);
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return (await db.all(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id COLLATE "C" LIMIT ${arg(q.limit)}`, args)).map(toSession);
  },
  async countLiveSessions(now) {
    const r = await db.one('SELECT COUNT(*) AS n FROM sessions WHERE ended_at IS NULL AND idle_expires_at > $1 AND absolute_expires_at > $1', [now]);
    return r?.n as number;
  },
  async endSessions(selector, ending) {
    // One statement is its own transaction (ending.ts): BEGIN and COMMIT would be two round trips more.
    return revokesOfflineTokens(selector, ending) ? db.tx((q) => endSessions(q, selector, ending)) : db.statement((q) => endSessions(q, selector, ending));
  },
});
