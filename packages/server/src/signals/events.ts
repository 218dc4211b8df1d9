import type { EndReason } from '../sessions/store.js';

/**
 * The events Signoff transmits (issue 16 §2): CAEP 1.0 session-revoked and credential-change,
 * RISC account-disabled / account-enabled, and the SSF 1.0 stream events (verification §8.1.4,
 * stream-updated §8.1.5). A queued event is this record (JSON in the store); its SET (RFC 8417)
 * is built from it when it is sent or polled (signals/set.ts), the same every time: jti and iat
 * are the queued row's.
 */

export const SSF_EVENT_URIS = {
  'session-revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  'credential-change': 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  'account-disabled': 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  'account-enabled': 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  'stream-updated': 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
} as const;

export type SignalType = keyof typeof SSF_EVENT_URIS;

/** CAEP 1.0 §3.2 credential_type values Signoff has. */
export type CredentialType = 'password' | 'fido2-platform' | 'fido2-roaming' | 'app';

export type SignalEvent =
  /** A session ended, whatever the reason (every ending path); `actor` as recorded on the ending. */
  | { type: 'session-revoked'; accountId: string; sessionId: string; reason: EndReason; actor: string; at: number }
  | { type: 'credential-change'; accountId: string; credentialType: CredentialType; changeType: 'create' | 'revoke' | 'update' | 'delete'; at: number }
  | { type: 'account-disabled' | 'account-enabled'; accountId: string; at: number }
  /** SSF 1.0 §8.1.4.2: on the receiver's request (echoing its state) or at the stream's min_verification_interval. */
  | { type: 'verification'; state?: string | undefined; at: number }
  /** SSF 1.0 §8.1.5: the stream's status changed. */
  | { type: 'stream-updated'; status: StreamStatus; reason?: string | undefined; at: number };

/** SSF 1.0 §8.1.2: enabled delivers, paused holds (and delivers on enabling), disabled drops. */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';
