/** The ssf_* rows as records, and what an outbox row of a queued SET holds, the same on every store. */
import type { SignalEvent } from '../signals/events.js';
import type { PolledEvent, Stream, StreamConfig, StreamSubject } from '../signals/store.js';

type Row = Record<string, unknown>;
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

export const toStream = (r: Row): Stream => ({
  id: r.id as string,
  clientId: r.client_id as string,
  config: JSON.parse(r.config as string) as StreamConfig,
  status: r.status as Stream['status'],
  statusReason: opt<string>(r.status_reason),
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  verifiedAt: opt<number>(r.verified_at),
});

export const toSubject = (r: Row): StreamSubject => ({
  streamId: r.stream_id as string,
  key: r.subject_key as string,
  subject: JSON.parse(r.subject as string) as Record<string, unknown>,
  accountId: opt<string>(r.account_id),
  addedAt: r.added_at as number,
});

export const toPolledEvent = (r: Row): PolledEvent => ({
  jti: r.jti as string,
  event: JSON.parse(r.payload as string) as SignalEvent,
  createdAt: r.created_at as number,
});

/**
 * Where a queued event goes (issue 16 design): an enabled push stream's into the outbox (an
 * ssf_push row), a poll stream's — or a paused push stream's, held until it is enabled — into
 * ssf_poll_events, and a disabled stream's nowhere (SSF 1.0 §8.1.2: disabled streams drop events).
 */
export const destinationOf = (s: Stream): 'outbox' | 'poll' | 'none' => {
  if (s.status === 'disabled') return 'none';
  return s.config.delivery.method === 'urn:ietf:rfc:8935' && s.status === 'enabled' ? 'outbox' : 'poll';
};

/**
 * The columns of an ssf_push outbox row beyond id, kind, stream and payload: the back-channel
 * columns are NOT NULL, so they hold the event's session, account and reason where it has them, '' otherwise.
 */
export const outboxColumnsOf = (event: SignalEvent): { sessionId: string; accountId: string; reason: string } => ({
  sessionId: event.type === 'session-revoked' ? event.sessionId : '',
  accountId: 'accountId' in event ? event.accountId : '',
  reason: event.type === 'session-revoked' ? event.reason : '',
});
