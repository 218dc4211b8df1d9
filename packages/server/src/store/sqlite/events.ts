import type { AuditEvent, EventStore } from '../../sessions/events.js';
import { type Row, type Sql, opt, whereSql } from './sql.js';

const toEvent = (r: Row): AuditEvent => ({
  id: r.id as number,
  at: r.at as number,
  type: r.type as AuditEvent['type'],
  sessionId: opt<string>(r.session_id),
  accountId: opt<string>(r.account_id),
  clientId: opt<string>(r.client_id),
  reason: opt<string>(r.reason),
  actor: opt<string>(r.actor),
});

/** EventStore on SQLite: the id is the rowid, so it orders the events as they were written. */
export const sqliteEvents = (sql: Sql): EventStore => ({
  async appendEvent(e) {
    sql.run(
      'INSERT INTO events (at, type, session_id, account_id, client_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.at, e.type, e.sessionId ?? null, e.accountId ?? null, e.clientId ?? null, e.reason ?? null, e.actor ?? null,
    );
  },
  async listEvents(q) {
    const [where, args] = whereSql({ session_id: q.sessionId, account_id: q.accountId, type: q.type }, q.afterId === undefined ? [] : [`id > ${Math.trunc(q.afterId)}`]);
    // After an id: the next ones, oldest first; otherwise the latest ones, still printed oldest first.
    if (q.afterId !== undefined) return sql.all(`SELECT * FROM events ${where} ORDER BY id LIMIT ?`, ...args, q.limit).map(toEvent);
    return sql.all(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT ?`, ...args, q.limit).map(toEvent).reverse();
  },
});
