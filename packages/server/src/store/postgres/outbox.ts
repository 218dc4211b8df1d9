import type { DeliveryStatus, DeliveryStore, LogoutDelivery } from '../../logout/back-channel/outbox.js';
import type { EndReason } from '../../sessions/store.js';
import type { Db, Row } from './db.js';
import { OUTBOX_CHANNEL, type OutboxNotifications, notifyOutbox } from './notifications.js';
import { opt, whereSql } from './rows.js';

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
const settle = async (db: Db, id: string, owner: string, status: DeliveryStatus, nextAttemptAt: number | null, finishedAt: number | null, error: string | null): Promise<boolean> =>
  (await db.run(
    `UPDATE logout_deliveries SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), finished_at = $3, last_error = $4,
       lease_owner = NULL, lease_until = NULL
     WHERE id = $5 AND lease_owner = $6 AND status = 'pending'`,
    [status, nextAttemptAt, finishedAt, error, id, owner],
  )) === 1;

const RETRY_SET = "status = 'pending', next_attempt_at = $1, retried_at = $1, attempts = 0, finished_at = NULL";

/**
 * Runs an UPDATE that may make rows due and wakes every instance's worker when it changed any —
 * one statement, its own transaction: the worker brings rows forward after every delivery, and a
 * BEGIN and COMMIT around an update that mostly changes nothing were two round trips each time.
 */
const waking = async (db: Db, update: string, values: unknown[]): Promise<number> => {
  const r = await db.one(
    `WITH changed AS (${update} RETURNING 1)
     SELECT count(*) AS n, CASE WHEN count(*) > 0 THEN pg_notify('${OUTBOX_CHANNEL}', '') END AS notified FROM changed`,
    values,
  );
  return r?.n as number;
};

/**
 * DeliveryStore on PostgreSQL: the back-channel outbox. Every instance drains it: a claim leases
 * due rows with FOR UPDATE SKIP LOCKED, so two instances claiming at once take different rows and
 * neither waits for the other (issue 11 §2). The ending transaction (ending.ts) writes the rows.
 */
export const postgresOutbox = (db: Db, notifications: OutboxNotifications): DeliveryStore => ({
  async insertDeliveries(rows) {
    if (rows.length === 0) return;
    await db.run(
      `WITH queued AS (
         INSERT INTO logout_deliveries (id, kind, stream_id, payload, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
         SELECT r.id, r.kind, r.stream_id, r.payload, r.client_id, r.session_id, r.account_id, r.sid, r.reason, r.created_at, 'pending', r.next_attempt_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, kind text, stream_id text, payload text, client_id text, session_id text, account_id text,
                                                sid text, reason text, created_at double precision, next_attempt_at double precision)
         RETURNING 1)
       SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT count(*) AS n FROM queued) c WHERE c.n > 0`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.id, kind: r.kind, stream_id: r.streamId ?? null, payload: r.payload ?? null, client_id: r.clientId, session_id: r.sessionId,
            account_id: r.accountId, sid: r.sid, reason: r.reason, created_at: r.createdAt, next_attempt_at: r.nextAttemptAt ?? r.createdAt,
          })),
        ),
      ],
    );
  },
  async listDeliveries(query) {
    const [where, args] = whereSql({ status: query.status, session_id: query.sessionId, client_id: query.clientId });
    const n = args.length;
    const after = query.after ? `${where ? 'AND' : 'WHERE'} (created_at > $${n + 1} OR (created_at = $${n + 1} AND id COLLATE "C" > $${n + 2}))` : '';
    const keys = query.after ? [query.after.createdAt, query.after.id] : [];
    const sql = `SELECT * FROM logout_deliveries ${where} ${after} ORDER BY created_at, id COLLATE "C" LIMIT $${n + keys.length + 1}`;
    return (await db.all(sql, [...args, ...keys, query.limit])).map(toDelivery);
  },
  async claimDeliveries(c) {
    const rows = await db.all(
      `UPDATE logout_deliveries SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
       WHERE id IN (SELECT id FROM logout_deliveries WHERE status = 'pending' AND next_attempt_at <= $3
                    AND (lease_until IS NULL OR lease_until <= $3) AND NOT (client_id = ANY($4::text[]))
                    ORDER BY next_attempt_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [c.owner, c.now + c.leaseSeconds, c.now, c.skipClients ?? [], c.limit],
    );
    // RETURNING keeps no order: the due order is the claim's.
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
  async markDelivered(id, owner, at) {
    return settle(db, id, owner, 'delivered', null, at, null);
  },
  async markDeliveredAll(ids, owner, at, now) {
    if (ids.length === 0) return { delivered: [], broughtForward: 0 };
    // One statement, one commit for every success of a burst, and the bring-forward rides along:
    // the settled rows were due (next_attempt_at <= now) when claimed, so the two UPDATEs never
    // touch the same row. Other instances are woken only when a row was brought forward.
    const r = await db.one(
      `WITH done AS (
         UPDATE logout_deliveries SET status = 'delivered', finished_at = $3, last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = ANY($1::text[]) AND lease_owner = $2 AND status = 'pending' RETURNING id, client_id),
       moved AS (
         UPDATE logout_deliveries SET next_attempt_at = $4
         WHERE status = 'pending' AND next_attempt_at > $4 AND client_id IN (SELECT client_id FROM done) RETURNING 1)
       SELECT (SELECT COALESCE(array_agg(id), '{}') FROM done) AS delivered, m.n AS moved,
              CASE WHEN m.n > 0 THEN pg_notify('${OUTBOX_CHANNEL}', '') END AS notified
       FROM (SELECT count(*) AS n FROM moved) m`,
      [ids, owner, at, now],
    );
    return { delivered: (r?.delivered as string[] | undefined) ?? [], broughtForward: (r?.moved as number | undefined) ?? 0 };
  },
  async rescheduleDelivery(id, owner, nextAttemptAt, error) {
    return settle(db, id, owner, 'pending', nextAttemptAt, null, error);
  },
  async markDeliveryFailed(id, owner, at, error) {
    return settle(db, id, owner, 'failed', null, at, error);
  },
  async releaseDeliveries(owner, now) {
    // Released rows are due at once: another instance's worker takes them now, not at its next poll.
    return waking(
      db,
      `UPDATE logout_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = GREATEST(attempts - 1, 0),
         next_attempt_at = LEAST(next_attempt_at, $1) WHERE lease_owner = $2 AND status = 'pending'`,
      [now, owner],
    );
  },
  async bringDeliveriesForward(clientId, now) {
    return waking(db, "UPDATE logout_deliveries SET next_attempt_at = $1 WHERE status = 'pending' AND next_attempt_at > $1 AND client_id = $2", [now, clientId]);
  },
  async retryDelivery(id, now) {
    return (await waking(db, `UPDATE logout_deliveries SET ${RETRY_SET} WHERE id = $2 AND status IN ('pending', 'failed')`, [now, id])) === 1;
  },
  async retryDeliveries(ids, now) {
    const wanted = [...new Set(ids)];
    // All or none: the rows are locked, counted, and updated only when every named one is retryable.
    const known = await db.tx(async (q) => {
      const found = (await q.all("SELECT id FROM logout_deliveries WHERE id = ANY($1::text[]) AND status IN ('pending', 'failed') FOR UPDATE", [wanted])).map(
        (r) => r.id as string,
      );
      if (found.length === wanted.length && wanted.length > 0) {
        await q.run(`UPDATE logout_deliveries SET ${RETRY_SET} WHERE id = ANY($2::text[])`, [now, wanted]);
        await notifyOutbox(q);
      }
      return new Set(found);
    });
    if (known.size === wanted.length) return { retried: wanted.length, unknown: [] };
    return { retried: 0, unknown: wanted.filter((id) => !known.has(id)) };
  },
  async retryClientDeliveries(clientId, now) {
    return waking(db, `UPDATE logout_deliveries SET ${RETRY_SET} WHERE client_id = $2 AND status IN ('pending', 'failed')`, [now, clientId]);
  },
  async countDeliveries() {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const r of await db.all('SELECT status, COUNT(*) AS n FROM logout_deliveries GROUP BY status')) counts[r.status as DeliveryStatus] = r.n as number;
    return counts;
  },
  watchOutbox(listener) {
    return notifications.watch(listener);
  },
});
