import type { LogoutDelivery } from '../logout/back-channel/outbox.js';
import { signJwt } from '../tokens/jwt.js';
import type { KeyRing } from '../tokens/keys.js';
import { eventsClaim } from './caep.js';
import type { SignalEvent } from './events.js';
import { PUSH, type Stream, type StreamStore } from './store.js';

/** RFC 8417 §2.3: the `typ` of a SET. */
export const SET_TYP = 'secevent+jwt';

/**
 * RS256, which the CAEP Interoperability Profile names for SETs and every receiver can verify.
 */
const SET_ALG = 'RS256';

/**
 * The `sub_id` of a SET (RFC 9493; SSF 1.0 §3): a session by its account and session id
 * (`complex` with user and session), an account by `iss_sub` (its `sub` at this issuer is the
 * account id), a stream event by the stream (`opaque`, SSF 1.0 §8.1.4.1, §8.1.5).
 */
export const subjectOf = (issuer: string, streamId: string, event: SignalEvent): Record<string, unknown> => {
  switch (event.type) {
    case 'session-revoked':
      return { format: 'complex', user: { format: 'iss_sub', iss: issuer, sub: event.accountId }, session: { format: 'opaque', id: event.sessionId } };
    case 'credential-change':
    case 'account-disabled':
    case 'account-enabled':
      return { format: 'iss_sub', iss: issuer, sub: event.accountId };
    case 'verification':
    case 'stream-updated':
      return { format: 'opaque', id: streamId };
  }
};

export interface SetDeps {
  issuer: string;
  keys: KeyRing;
}

/**
 * Signs one SET (RFC 8417 §2) for a stream. `jti` and `iat` are the queued row's, so a retried
 * push or a repeated poll carries the same SET content (RFC 8935 §2, RFC 8936 §2.4: the receiver
 * deduplicates by jti). No `exp`: RFC 8417 §2.2 leaves it out of SETs.
 */
export const signSet = (deps: SetDeps, stream: Stream, jti: string, iat: number, event: SignalEvent): Promise<string> =>
  signJwt(
    deps.keys,
    SET_ALG,
    { iss: deps.issuer, aud: stream.config.aud, jti, iat: Math.floor(iat), sub_id: subjectOf(deps.issuer, stream.id, event), events: eventsClaim(event) },
    SET_TYP,
  );

/**
 * What the push engine sends for an ssf_push outbox row (RFC 8935 §2): the stream's endpoint, the
 * SET, and the stream's Authorization header. A stream deleted, disabled or no longer push since
 * the row was queued, or a payload that does not parse, can never be sent: `failed`.
 */
export const makeSetFor =
  (deps: SetDeps & { streams: Pick<StreamStore, 'streamById'> }) =>
  async (row: LogoutDelivery): Promise<{ uri: string; set: string; authorization?: string } | { failed: string }> => {
    if (!row.streamId || !row.payload) return { failed: 'not an ssf_push row: no stream or payload' };
    const stream = await deps.streams.streamById(row.streamId);
    if (!stream) return { failed: `stream ${row.streamId} no longer exists` };
    if (stream.status === 'disabled') return { failed: `stream ${row.streamId} is disabled` };
    const delivery = stream.config.delivery;
    if (delivery.method !== PUSH) return { failed: `stream ${row.streamId} is no longer a push stream` };
    let event: SignalEvent;
    try {
      event = JSON.parse(row.payload) as SignalEvent;
    } catch {
      return { failed: 'the queued event is not JSON' };
    }
    const set = await signSet(deps, stream, row.id, row.createdAt, event);
    return { uri: delivery.endpoint_url, set, ...(delivery.authorization_header ? { authorization: delivery.authorization_header } : {}) };
  };
