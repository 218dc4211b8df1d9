import type { DeliveryStatus, DeliveryStore, LogoutDelivery } from '../../logout/back-channel/outbox.js';
import type { EndReason } from '../../sessions/store.js';
import { type Row, type Sql, opt, whereSql } from './sql.js';

const toDelivery = (r: Row): LogoutDelivery => ({
  id: r.id as string,
  kind: (r.kind as string | null) ?? 'backchannel_logout',
  streamId: opt<string>(r.stream_id),
  payload: opt<string>(r.payload),
  clientId: r.client_id as string,
  sessionId: r.session_id as string,
  accountId: r.account_id as string,
  sid: r.sid as string,
  reason: r.reason as EndReason,
  createdAt: r.created_at as number,
  status: r.status as LogoutDelivery['status'],
  attempts: r.attempts as number,
  nextAttemptAt: r.next_attempt_at as number,
  lastError: opt<string>(r.last_error),
  finishedAt: opt<number>(r.finished_at),
  leaseOwner: opt<string>(r.lease_owner),
  leaseUntil: opt<number>(r.lease_until),
  retriedAt: opt<number>(r.retried_at),
  traceParent: opt<string>(r.trace_parent),
});

/** The outcome of a leased attempt, applied only while `owner` still holds the lease. */
const settle = (sql: Sql, id: string, owner: string, status: DeliveryStatus, nextAttemptAt: number | null, finishedAt: number | null, error: string | null): boolean =>
  sql.run(
    `UPDATE logout_deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), finished_at = ?, last_error = ?,
       lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
    status, nextAttemptAt, finishedAt, error, id, owner,
  ) === 1;

/**
 * DeliveryStore on SQLite: the back-channel outbox. Each claim, settlement and retry is one
 * statement (the ending transaction, ending.ts, writes the rows).
 */
export const sqliteOutbox = (sql: Sql): DeliveryStore => ({
  async insertDeliveries(rows) {
    if (rows.length === 0) return;
    const field = (name: string) => `json_extract(j.value, '$.${name}')`;
    const fields = ['id', 'kind', 'streamId', 'payload', 'clientId', 'sessionId', 'accountId', 'sid', 'reason', 'createdAt'].map(field).join(', ');
    sql.run(
      `INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
       SELECT ${fields}, 'pending', ${field('nextAttemptAt')} FROM json_each(?) j`,
      JSON.stringify(rows.map((r) => ({ ...r, nextAttemptAt: r.nextAttemptAt ?? r.createdAt }))),
    );
  },
  async listDeliveries(q) {
    const after = q.after && ['(created_at > ? OR (created_at = ? AND id > ?))'];
    const [where, args] = whereSql({ status: q.status, session_id: q.sessionId, client_id: q.clientId }, after);
    const keys = q.after ? [q.after.createdAt, q.after.createdAt, q.after.id] : [];
    return sql.all(`SELECT * FROM logout_deliveries ${where} ORDER BY created_at, id LIMIT ?`, ...args, ...keys, q.limit).map(toDelivery);
  },
  async claimDeliveries(c) {
    // One UPDATE … RETURNING: SQLite runs it under the write lock, so two processes never lease the same row.
    // The due-rows index is named: it walks them in order, where the status index would sort every due row.
    return sql.all(
      `UPDATE logout_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM logout_deliveries INDEXED BY logout_deliveries_due WHERE status = 'pending' AND next_attempt_at <= ?
                    AND (lease_until IS NULL OR lease_until <= ?) AND client_id NOT IN (SELECT value FROM json_each(?))
                    ORDER BY next_attempt_at, id LIMIT ?)
       RETURNING *`,
      c.owner, c.now + c.leaseSeconds, c.now, c.now, JSON.stringify(c.skipClients ?? []), c.limit,
    ).map(toDelivery);
  },
  async markDelivered(id, owner, at) {
    return settle(sql, id, owner, 'delivered', null, at, null);
  },
  async markDeliveredAll(ids, owner, at, now) {
    if (ids.length === 0) return { delivered: [], broughtForward: 0 };
    // One transaction: one WAL commit for every success of a burst (issue 18 P4).
    return sql.db.transaction(() => {
      const done = sql.all(
        `UPDATE logout_deliveries SET status = 'delivered', finished_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id IN (SELECT value FROM json_each(?)) AND lease_owner = ? AND status = 'pending' RETURNING id, client_id`,
        at, JSON.stringify(ids), owner,
      );
      let broughtForward = 0;
      for (const client of new Set(done.map((r) => r.client_id as string))) {
        broughtForward += sql.run(
          `UPDATE logout_deliveries INDEXED BY logout_deliveries_due SET next_attempt_at = ?
           WHERE status = 'pending' AND next_attempt_at > ? AND client_id = ?`,
          now, now, client,
        );
      }
      return { delivered: done.map((r) => r.id as string), broughtForward };
    })();
  },
  async rescheduleDelivery(id, owner, nextAttemptAt, error) {
    return settle(sql, id, owner, 'pending', nextAttemptAt, null, error);
  },
  async markDeliveryFailed(id, owner, at, error) {
    return settle(sql, id, owner, 'failed', null, at, error);
  },
  async releaseDeliveries(owner, now) {
    return sql.run(
      `UPDATE logout_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0), next_attempt_at = MIN(next_attempt_at, ?)
       WHERE lease_owner = ? AND status = 'pending'`,
      now, owner,
    );
  },
  async bringDeliveriesForward(clientId, now) {
    // The due-rows index walks only the rows waiting for a later time, not every pending one.
    return sql.run(
      `UPDATE logout_deliveries INDEXED BY logout_deliveries_due SET next_attempt_at = ?
       WHERE status = 'pending' AND next_attempt_at > ? AND client_id = ?`,
      now, now, clientId,
    );
  },
  async retryDelivery(id, now) {
    return sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE id = ? AND status IN ('pending', 'failed')`,
      now, now, id,
    ) === 1;
  },
  async retryDeliveries(ids, now) {
    const wanted = JSON.stringify([...new Set(ids)]);
    // All or none: the update applies only when every named row is retryable.
    const retried = sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed')
         AND (SELECT COUNT(*) FROM logout_deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed'))
             = (SELECT COUNT(*) FROM json_each(?))`,
      now, now, wanted, wanted, wanted,
    );
    if (retried > 0 || ids.length === 0) return { retried, unknown: [] };
    const known = new Set(
      sql.all(`SELECT id FROM logout_deliveries WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'failed')`, wanted).map((r) => r.id as string),
    );
    return { retried: 0, unknown: [...new Set(ids)].filter((id) => !known.has(id)) };
  },
  async retryClientDeliveries(clientId, now) {
    return sql.run(
      `UPDATE logout_deliveries SET status = 'pending', next_attempt_at = ?, retried_at = ?, attempts = 0, finished_at = NULL
       WHERE client_id = ? AND status IN ('pending', 'failed')`,
      now, now, clientId,
    );
  },
  async countDeliveries() {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const r of sql.all('SELECT status, COUNT(*) AS n FROM logout_deliveries GROUP BY status')) counts[r.status as DeliveryStatus] = r.n as number;
    return counts;
  },
  watchOutbox() {
    return () => undefined;
  },
});
