import type { AuditEvent, EventStore } from '../../sessions/events.js';
import type { Db, Row } from './db.js';
import { opt, whereSql } from './rows.js';

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

/**
 * EventStore on PostgreSQL: the id is a bigserial. Ids are handed out in order but committed in
 * any order across instances, so a reader following `afterId` may see a smaller id appear late;
 * `signoff events tail --follow` re-reads a window of recent ids for that reason (cli/events.ts).
 */
export const postgresEvents = (db: Db): EventStore => ({
  async appendEvent(e) {
    await db.run(
      'INSERT INTO events (at, type, session_id, account_id, client_id, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [e.at, e.type, e.sessionId ?? null, e.accountId ?? null, e.clientId ?? null, e.reason ?? null, e.actor ?? null],
    );
  },
  async listEvents(q) {
    const [where, args] = whereSql({ session_id: q.sessionId, account_id: q.accountId, type: q.type }, q.afterId === undefined ? [] : [`id > ${Math.trunc(q.afterId)}`]);
    const limit = `$${args.length + 1}`;
    // After an id: the next ones, oldest first; otherwise the latest ones, still printed oldest first.
    if (q.afterId !== undefined) return (await db.all(`SELECT * FROM events ${where} ORDER BY id LIMIT ${limit}`, [...args, q.limit])).map(toEvent);
    return (await db.all(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT ${limit}`, [...args, q.limit])).map(toEvent).reverse();
  },
});
