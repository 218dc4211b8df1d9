/** The audit trail of sessions and its storage port. */

/**
 * What the audit log records: sessions as they start, re-authenticate and end, and every change
 * an operator makes through the CLI or the admin API (issue 12 §2), with its actor; failed and
 * throttled sign-ins, and the factors an account enrols (issue 14).
 */
export const EVENT_TYPES = [
  'session.created',
  'session.reauthenticated',
  /** A live session verified another factor for a request that asked for more (issue 14 §3). */
  'session.stepped_up',
  'session.ended',
  'account.created',
  'account.updated',
  'account.deleted',
  /** An upstream identity was linked to the account (issue 15 §1): at its first sign-in, to a new or an existing account; reason names the upstream. */
  'account.linked',
  'client.registered',
  'client.updated',
  'client.removed',
  'delivery.retried',
  /** A wrong password, or an attempt refused while throttled (issue 14 §4); reason says which. */
  'signin.failed',
  /** Failed sign-ins reached the throttle's lock for an account name or a client IP. */
  'signin.locked',
  /** An account enrolled a second factor (a passkey, a TOTP app) or new recovery codes; reason names its kind. */
  'factor.enrolled',
  'factor.removed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An audit event. */
export interface AuditEvent {
  id: number;
  at: number;
  type: EventType;
  sessionId?: string | undefined;
  accountId?: string | undefined;
  clientId?: string | undefined;
  reason?: string | undefined;
  actor?: string | undefined;
}

export interface EventQuery {
  afterId?: number | undefined;
  sessionId?: string | undefined;
  accountId?: string | undefined;
  type?: EventType | undefined;
  limit: number;
}

export interface EventStore {
  appendEvent(event: Omit<AuditEvent, 'id'>): Promise<void>;
  /** Events after `afterId` (oldest first), or the latest `limit` when afterId is not given; each filter narrows. */
  listEvents(query: EventQuery): Promise<AuditEvent[]>;
}
