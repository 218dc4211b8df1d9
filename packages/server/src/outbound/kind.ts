import type { LogoutDelivery } from '../logout/back-channel/outbox.js';
import type { AttemptOutcome } from './send.js';

/**
 * A kind of signed message the outbound delivery engine sends (issue 16 §1): a back-channel
 * logout token (Back-Channel Logout 1.0 §2.5) or a SET pushed to a Shared Signals stream
 * (RFC 8935). The engine owns leases, retries, give-up, fairness, connections and metrics; a kind
 * says only what one attempt sends and what an answer means.
 */
export interface OutboundMessage {
  uri: string;
  body: string;
  contentType: string;
  headers?: Readonly<Record<string, string>> | undefined;
  /** Names the sender in the User-Agent header (receivers' logs). */
  userAgent?: string | undefined;
  /** What the URI is to the operator, in the reason of a row whose URI does not parse: `backchannel_logout_uri`, `endpoint_url`. */
  uriName?: string | undefined;
}

export interface DeliveryKind {
  /** The outbox rows' `kind` this handles. */
  readonly kind: string;
  /** The message of one attempt — built fresh per attempt where the spec asks (a logout token's jti, iat, exp) — or why the row can never be sent. */
  prepare(row: LogoutDelivery): Promise<OutboundMessage | { failed: string }>;
  /** What the receiver's answer means: delivered, worth another try, or final. */
  judge(status: number, body: string): AttemptOutcome;
}
