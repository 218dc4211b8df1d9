import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { fail } from '../errors.js';
import { checkPushEndpoint } from './endpoint.js';
import { SSF_EVENT_URIS, type SignalEvent, type StreamStatus } from './events.js';
import { POLL, PUSH, type Stream, type StreamConfig, type StreamStore } from './store.js';
import { type SubjectLookup, accountOfSubject, subjectKey } from './subjects.js';

/**
 * Stream management for receivers (SSF 1.0 §8.1): each call acts on the calling client's streams
 * only — another receiver's stream id is "not found" (404), never "forbidden", so ids reveal nothing.
 */

export interface SsfDeps {
  issuer: string;
  clock: Clock;
  allowPrivateNetworks: boolean;
  store: StreamStore & SubjectLookup;
}

/** The events a stream may ask for (SSF 1.0 §8.1.1 events_supported). Verification and stream-updated are always delivered (§8.1.4, §8.1.5). */
export const EVENTS_SUPPORTED: readonly string[] = [
  SSF_EVENT_URIS['session-revoked'],
  SSF_EVENT_URIS['credential-change'],
  SSF_EVENT_URIS['account-disabled'],
  SSF_EVENT_URIS['account-enabled'],
];

/** SSF 1.0 §8.1.1 min_verification_interval (transmitter-supplied): verification requests closer than this are a 429. */
export const MIN_VERIFICATION_INTERVAL = 15;
/** Streams per receiver: SSF 1.0 §8.1.1.1 answers 409 when a receiver may create no more. */
export const MAX_STREAMS_PER_RECEIVER = 10;

/** The receiver-supplied members of a stream configuration (SSF 1.0 §8.1.1). */
export interface ReceiverConfig {
  delivery?: { method: string; endpoint_url?: string | undefined; authorization_header?: string | undefined } | undefined;
  events_requested?: string[] | undefined;
  description?: string | undefined;
}

export const pollEndpoint = (issuer: string, streamId: string): string => `${issuer}/ssf/poll?stream_id=${encodeURIComponent(streamId)}`;

const deliveryOf = (deps: SsfDeps, streamId: string, d: ReceiverConfig['delivery']): StreamConfig['delivery'] => {
  // SSF 1.0 §8.1.1.1: without a delivery the transmitter chooses; poll needs nothing of the receiver.
  const method = d?.method ?? POLL;
  if (method === POLL) {
    if (d?.endpoint_url !== undefined) fail('invalid_request', 'delivery.endpoint_url is transmitter-supplied for poll delivery (RFC 8936).');
    return { method: POLL, endpoint_url: pollEndpoint(deps.issuer, streamId) };
  }
  if (method !== PUSH) fail('invalid_request', `delivery.method "${method}" is not supported (supported: ${PUSH}, ${POLL}).`);
  if (d?.endpoint_url === undefined) fail('invalid_request', 'delivery.endpoint_url is required for push delivery (RFC 8935).');
  const endpoint = checkPushEndpoint(d.endpoint_url, deps.allowPrivateNetworks);
  return { method: PUSH, endpoint_url: endpoint, ...(d.authorization_header !== undefined ? { authorization_header: d.authorization_header } : {}) };
};

const configOf = (deps: SsfDeps, clientId: string, streamId: string, input: ReceiverConfig): StreamConfig => {
  const requested = [...new Set(input.events_requested ?? [])];
  return {
    stream_id: streamId,
    iss: deps.issuer,
    aud: clientId,
    events_supported: [...EVENTS_SUPPORTED],
    events_requested: requested,
    events_delivered: requested.filter((e) => EVENTS_SUPPORTED.includes(e)),
    delivery: deliveryOf(deps, streamId, input.delivery),
    min_verification_interval: MIN_VERIFICATION_INTERVAL,
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
};

/** The caller's stream, or 404 (another receiver's stream included). */
export const ownStream = async (deps: SsfDeps, clientId: string, streamId: string): Promise<Stream> => {
  const stream = await deps.store.streamById(streamId);
  if (!stream || stream.clientId !== clientId) fail('not_found', 'No such stream.');
  return stream;
};

/** Queues one event for a stream; its id becomes the SET's jti. */
export const queue = (deps: SsfDeps, streamId: string, event: SignalEvent): Promise<void> =>
  deps.store.queueSignal(streamId, randomUUID().replace(/-/g, ''), event, nowSeconds(deps.clock));

/** SSF 1.0 §8.1.1.1: creates an enabled stream. */
export const createStream = async (deps: SsfDeps, clientId: string, input: ReceiverConfig): Promise<StreamConfig> => {
  if ((await deps.store.streamsOfClient(clientId)).length >= MAX_STREAMS_PER_RECEIVER) fail('conflict', `A receiver may have at most ${MAX_STREAMS_PER_RECEIVER} streams.`);
  const id = randomUUID();
  const now = nowSeconds(deps.clock);
  const stream: Stream = { id, clientId, config: configOf(deps, clientId, id, input), status: 'enabled', createdAt: now, updatedAt: now };
  await deps.store.insertStream(stream);
  return stream.config;
};

/** SSF 1.0 §8.1.1.2: one stream, or all of the caller's. */
export const readStreams = async (deps: SsfDeps, clientId: string, streamId?: string): Promise<StreamConfig | StreamConfig[]> =>
  streamId === undefined ? (await deps.store.streamsOfClient(clientId)).map((s) => s.config) : (await ownStream(deps, clientId, streamId)).config;

/**
 * SSF 1.0 §8.1.1.3 (PATCH: the receiver-supplied members given change, the others stay) and
 * §8.1.1.4 (PUT: every receiver-supplied member is replaced, an absent one reset).
 * Transmitter-supplied members in the body are ignored.
 */
export const changeStream = async (deps: SsfDeps, clientId: string, streamId: string, input: ReceiverConfig, replace: boolean): Promise<StreamConfig> => {
  const stream = await ownStream(deps, clientId, streamId);
  const old = stream.config;
  const merged: ReceiverConfig = replace
    ? input
    : {
        delivery: input.delivery ?? old.delivery,
        events_requested: input.events_requested ?? old.events_requested,
        description: input.description ?? old.description,
      };
  const config = configOf(deps, clientId, streamId, merged);
  const updated = { ...stream, config, updatedAt: nowSeconds(deps.clock) };
  if (!(await deps.store.updateStream(updated))) fail('not_found', 'No such stream.');
  return config;
};

/** SSF 1.0 §8.1.1.5. */
export const deleteStream = async (deps: SsfDeps, clientId: string, streamId: string): Promise<void> => {
  await ownStream(deps, clientId, streamId);
  if (!(await deps.store.deleteStream(streamId))) fail('not_found', 'No such stream.');
};

export interface StatusView {
  stream_id: string;
  status: StreamStatus;
  reason?: string | undefined;
}

export const readStatus = async (deps: SsfDeps, clientId: string, streamId: string): Promise<StatusView> => {
  const s = await ownStream(deps, clientId, streamId);
  return { stream_id: s.id, status: s.status, ...(s.statusReason !== undefined ? { reason: s.statusReason } : {}) };
};

/**
 * SSF 1.0 §8.1.2.2: a status change is stored — enabling a paused push stream moves its held
 * events into the outbox in the same transaction — and announced with a stream-updated event
 * (§8.1.5), which a paused stream holds and a disabled one drops like any other.
 */
export const updateStatus = async (deps: SsfDeps, clientId: string, streamId: string, status: StreamStatus, reason?: string): Promise<StatusView> => {
  const stream = await ownStream(deps, clientId, streamId);
  const now = nowSeconds(deps.clock);
  if (!(await deps.store.updateStream({ ...stream, status, statusReason: reason, updatedAt: now }))) fail('not_found', 'No such stream.');
  if (stream.status !== status) await queue(deps, streamId, { type: 'stream-updated', status, ...(reason !== undefined ? { reason } : {}), at: now });
  return { stream_id: streamId, status, ...(reason !== undefined ? { reason } : {}) };
};

/** SSF 1.0 §8.1.3.2. */
export const addSubject = async (deps: SsfDeps, clientId: string, streamId: string, subject: unknown): Promise<void> => {
  await ownStream(deps, clientId, streamId);
  const key = subjectKey(subject);
  const s = subject as Record<string, unknown>;
  const accountId = await accountOfSubject(deps.store, deps.issuer, s);
  await deps.store.addSubject({ streamId, key, subject: s, accountId, addedAt: nowSeconds(deps.clock) });
};

/** SSF 1.0 §8.1.3.3: 404 when the stream has no such subject. */
export const removeSubject = async (deps: SsfDeps, clientId: string, streamId: string, subject: unknown): Promise<void> => {
  await ownStream(deps, clientId, streamId);
  if (!(await deps.store.removeSubject(streamId, subjectKey(subject)))) fail('not_found', 'The stream has no such subject.');
};

/**
 * SSF 1.0 §8.1.4.2: queues a verification event echoing the receiver's state. Requests closer
 * than min_verification_interval are refused (429).
 * TODO(issue 16): the transmitter sending verification events on its own is not done.
 */
export const requestVerification = async (deps: SsfDeps, clientId: string, streamId: string, state?: string): Promise<void> => {
  const stream = await ownStream(deps, clientId, streamId);
  const now = nowSeconds(deps.clock);
  if (stream.verifiedAt !== undefined && now - stream.verifiedAt < MIN_VERIFICATION_INTERVAL) {
    fail('too_many_requests', `Verification may be requested once every ${MIN_VERIFICATION_INTERVAL} seconds.`);
  }
  await deps.store.updateStream({ ...stream, verifiedAt: now });
  await queue(deps, streamId, { type: 'verification', ...(state !== undefined ? { state } : {}), at: now });
};
