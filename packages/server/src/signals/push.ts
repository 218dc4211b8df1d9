import type { LogoutDelivery } from '../logout/back-channel/outbox.js';
import type { DeliveryKind } from '../outbound/kind.js';
import type { AttemptOutcome } from '../outbound/send.js';

export const SSF_PUSH_KIND = 'ssf_push';

/** RFC 8935 §2.1: the media type of a SET pushed in a request body (RFC 8417 §2.3). */
export const SET_CONTENT_TYPE = 'application/secevent+jwt';

/**
 * The SET one ssf_push row carries, made by the signals code: the stream's push endpoint, the
 * signed SET (the same content every attempt: its jti is the row's id, its iat the row's
 * created_at), and the authorization header the receiver configured for the stream, if any —
 * or why the row can never be sent (the stream was deleted, its push endpoint removed).
 */
export type MakeSet = (row: LogoutDelivery) => Promise<{ uri: string; set: string; authorization?: string | undefined } | { failed: string }>;

/** RFC 8935 §2.3 (the IANA "Security Event Token Error Codes" registry of §7.1). */
export const SET_ERROR_CODES = ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'] as const;

/** At most this much of a receiver's text in a row's reason. */
const MAX_DETAIL = 200;

const printable = (s: string): string => s.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, MAX_DETAIL);

/** An RFC 8935 §2.3 error body `{err, description}`, or nothing when the body is not one. */
const setError = (body: string): { err: string; description?: string } | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { err, description } = parsed as Record<string, unknown>;
  if (typeof err !== 'string' || err === '') return undefined;
  return { err: printable(err), ...(typeof description === 'string' && description !== '' ? { description: printable(description) } : {}) };
};

/**
 * What a SET Recipient's answer means (RFC 8935):
 * - 202 is the one acknowledgement (§2.2: the recipient "SHALL acknowledge receipt by responding
 *   with an HTTP Response Status Code of 202 (Accepted)"). A 200 or 204 is not what §2.2 allows,
 *   so it is not taken as an acknowledgement either: the row is failed with the reason, for the
 *   receiver's operator to fix, rather than counted as delivered on a guess — and not retried,
 *   since the same SET would get the same answer.
 * - 400 is the recipient's refusal of this SET (§2.3) with `{err, description}`: final, and the
 *   reason names both (an unknown err code is kept as sent: the registry of §7.1 can grow).
 * - 401 and 403: the transmitter's credentials for the endpoint are wrong or not enough (the
 *   stream's authorization_header, SSF 1.0 §8.1.1) — final until the stream is fixed.
 * - 408, 429 and 5xx: a passing trouble (§2.3 points to HTTP's own status codes), retried.
 * - A redirect is not followed (the stream's endpoint is the only target the receiver vouched
 *   for) and, like any other status, is final.
 */
export const judgePush = (status: number, body: string): AttemptOutcome => {
  if (status === 202) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', error: statusText(status, body) };
  if (status === 400) {
    const e = setError(body);
    if (e) return { kind: 'failed', error: `HTTP 400: SET refused: ${e.err}${e.description ? ` (${e.description})` : ''}` };
  }
  if (status === 200 || status === 204) return { kind: 'failed', error: `${statusText(status, body)} (RFC 8935 §2.2: a SET Recipient acknowledges with 202)` };
  return { kind: 'failed', error: statusText(status, body) };
};

const statusText = (status: number, body: string): string => {
  const detail = printable(body);
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
};

/**
 * Shared Signals push delivery as a kind of the outbound engine (RFC 8935 §2.1): the SET is the
 * request body, `application/secevent+jwt`, with `Accept: application/json` (the media type of
 * the §2.3 error body) and the stream's Authorization header when the receiver configured one.
 */
export const ssfPushKind = (deps: { makeSet: MakeSet }): DeliveryKind => ({
  kind: SSF_PUSH_KIND,
  async prepare(row) {
    const made = await deps.makeSet(row);
    if ('failed' in made) return made;
    return {
      uri: made.uri,
      body: made.set,
      contentType: SET_CONTENT_TYPE,
      headers: { accept: 'application/json', ...(made.authorization ? { authorization: made.authorization } : {}) },
      userAgent: 'Signoff Shared Signals',
      uriName: 'endpoint_url',
    };
  },
  judge: judgePush,
});
