import { SSF_EVENT_URIS, type SignalType } from '../../signals/events.js';
import { POLL, PUSH } from '../../signals/store.js';
import type { Sql } from './sql.js';

/**
 * Shared Signals events written in the transaction of the change that causes them (issue 16 §2),
 * for every stream that has the account as a subject (default_subjects NONE) and delivers the
 * event's type: an ssf_push outbox row for an enabled push stream; a row in ssf_poll_events for a
 * poll stream, or held there for a paused push stream; nothing for a disabled one. Each statement
 * covers every account (or ended session) of the change at once.
 */

/** The streams (alias st) that want `type` for the account in column `account`. */
const wants = (account: string): string => `st.status <> 'disabled'
  AND EXISTS (SELECT 1 FROM ssf_subjects ss WHERE ss.stream_id = st.id AND ss.account_id = ${account})
  AND EXISTS (SELECT 1 FROM json_each(st.config, '$.events_delivered') WHERE value = ?)`;

const isPush = "json_extract(st.config, '$.delivery.method') = ?";

/**
 * Queues one event per row of `source` (a subquery aliased s giving `s.account_id` and, with
 * sessions, `s.id`), its JSON built by `payload` from those columns. `values` bind the
 * source's placeholders, which come first in the statements.
 */
const queue = (
  sql: Sql,
  type: SignalType,
  source: string,
  values: unknown[],
  payload: string,
  payloadValues: unknown[],
  at: number,
  session: string,
  traceParent: string | null,
): number => {
  const uri = SSF_EVENT_URIS[type];
  const pushed = sql.run(
    `INSERT INTO logout_deliveries (id, kind, client_id, stream_id, session_id, account_id, sid, reason, payload, created_at, status, next_attempt_at, trace_parent)
     SELECT lower(hex(randomblob(16))), 'ssf_push', st.client_id, st.id, ${session}, s.account_id, '', ?, ${payload}, ?, 'pending', ?, ?
     FROM ${source} JOIN ssf_streams st ON ${wants('s.account_id')} AND st.status = 'enabled' AND ${isPush}`,
    type, ...payloadValues, at, at, traceParent, ...values, uri, PUSH,
  );
  sql.run(
    `INSERT INTO ssf_poll_events (stream_id, jti, payload, created_at, seq)
     SELECT st.id, lower(hex(randomblob(16))), ${payload}, ?, (SELECT COALESCE(MAX(seq), 0) FROM ssf_poll_events) + ROW_NUMBER() OVER ()
     FROM ${source} JOIN ssf_streams st ON ${wants('s.account_id')} AND (st.status = 'paused' OR json_extract(st.config, '$.delivery.method') = ?)`,
    ...payloadValues, at, ...values, uri, POLL,
  );
  return pushed;
};

/**
 * CAEP session-revoked for each ended session (JSON array of ids), in the ending's transaction; the
 * pushed SETs carry the ending's traceparent, so their deliveries join its trace (issue 17 §2).
 */
export const queueSessionsRevoked = (sql: Sql, endedIds: string, reason: string, actor: string, at: number, traceParent: string | null): number =>
  queue(
    sql,
    'session-revoked',
    '(SELECT id, account_id FROM sessions WHERE id IN (SELECT value FROM json_each(?))) s',
    [endedIds],
    "json_object('type', 'session-revoked', 'accountId', s.account_id, 'sessionId', s.id, 'reason', ?, 'actor', ?, 'at', ?)",
    [reason, actor, at],
    at,
    's.id',
    traceParent,
  );

/** An account-level event (credential-change, account-disabled/enabled) for one account, in the change's transaction. */
export const queueAccountSignal = (sql: Sql, accountId: string, event: Record<string, unknown> & { type: SignalType }, at: number): number =>
  queue(sql, event.type, '(SELECT ? AS account_id) s', [accountId], "json_patch(?, json_object('accountId', s.account_id))", [JSON.stringify({ ...event, at })], at, "''", null);
