import { SSF_EVENT_URIS, type SignalType } from '../../signals/events.js';
import { POLL, PUSH } from '../../signals/store.js';
import type { Q } from './db.js';
import { notifyOutbox } from './notifications.js';

/**
 * Shared Signals events written in the transaction of the change that causes them (issue 16 §2),
 * as store/sqlite/signals.ts: an ssf_push outbox row per enabled push stream that has the account
 * as a subject and delivers the type; a ssf_poll_events row per poll stream, or held there for a
 * paused push stream; nothing for a disabled one. A pushed row wakes every instance's worker on commit.
 */

/** The streams (alias st) that want the event type $uri for `s.account_id`. */
const wants = (uri: string): string => `st.status <> 'disabled'
  AND EXISTS (SELECT 1 FROM ssf_subjects ss WHERE ss.stream_id = st.id AND ss.account_id = s.account_id)
  AND (st.config::jsonb -> 'events_delivered') ? ${uri}`;

/**
 * The two INSERTs of an event, one per row of `source` (a subquery or CTE aliased s giving
 * s.account_id, and s.id with sessions), its JSON text built by `payload`: the ssf_push outbox
 * rows of enabled push streams, and the ssf_poll_events rows of poll streams and paused push
 * streams. `p` names the placeholders of the type, the time, the event URI, the two delivery
 * methods and the push rows' traceparent (issue 17 §2).
 */
export const signalInserts = (
  source: string,
  payload: string,
  session: string,
  p: { type: string; at: string; uri: string; push: string; poll: string; traceParent: string },
): { push: string; poll: string } => ({
  push: `INSERT INTO logout_deliveries (id, kind, client_id, stream_id, session_id, account_id, sid, reason, payload, created_at, status, next_attempt_at, trace_parent)
     SELECT replace(gen_random_uuid()::text, '-', ''), 'ssf_push', st.client_id, st.id, ${session}, s.account_id, '', ${p.type}, ${payload}, ${p.at}, 'pending', ${p.at}, ${p.traceParent}
     FROM ${source} JOIN ssf_streams st ON ${wants(p.uri)} AND st.status = 'enabled' AND st.config::jsonb #>> '{delivery,method}' = ${p.push}`,
  poll: `INSERT INTO ssf_poll_events (stream_id, jti, payload, created_at)
     SELECT st.id, replace(gen_random_uuid()::text, '-', ''), ${payload}, ${p.at}
     FROM ${source} JOIN ssf_streams st ON ${wants(p.uri)} AND (st.status = 'paused' OR st.config::jsonb #>> '{delivery,method}' = ${p.poll})`,
});

/**
 * Queues one event per row of `source` (signalInserts). Placeholders: $1 type, $2 at, $3 the
 * event URI, $4 the delivery method, then the source's and the payload's from $5 on.
 */
const queue = async (q: Q, type: SignalType, source: string, payload: string, values: unknown[], at: number, session: string): Promise<number> => {
  const head = [type, at, SSF_EVENT_URIS[type]];
  // Each statement gets its own parameter list: $4 is the push method in one, the poll method in the other.
  const sql = signalInserts(source, payload, session, { type: '$1', at: '$2', uri: '$3', push: '$4', poll: '$4', traceParent: 'NULL' });
  const pushed = await q.run(sql.push, [...head, PUSH, ...values]);
  if (pushed > 0) await notifyOutbox(q);
  // $1 (the push row's reason) is named so both statements take one parameter list.
  await q.run(`${sql.poll} WHERE $1::text IS NOT NULL`, [...head, POLL, ...values]);
  return pushed;
};

/** An account-level event (credential-change, account-disabled/enabled) for one account, in the change's transaction. */
export const queueAccountSignal = (q: Q, accountId: string, event: Record<string, unknown> & { type: SignalType }, at: number): Promise<number> =>
  queue(q, event.type, '(SELECT $5::text AS account_id) s', "($6::jsonb || jsonb_build_object('accountId', s.account_id))::text", [accountId, JSON.stringify({ ...event, at })], at, "''");
