/** The audit trail of sessions and its storage port. */

/**
 * What the audit log records: sessions as they start, re-authenticate and end, and every change
 * an operator makes through the CLI or the admin API (issue 12 §2), with its actor.
 */
export const EVENT_TYPES = [
  'session.created',
  'session.reauthenticated',
  'session.ended',
  'account.created',
  'account.updated',
  'account.deleted',
  'client.registered',
  'client.updated',
  'client.removed',
  'delivery.retried',
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
