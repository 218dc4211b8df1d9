/** The audit trail of sessions and its storage port. */

export const EVENT_TYPES = ['session.created', 'session.reauthenticated', 'session.ended'] as const;
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

export interface EventStore {
  appendEvent(event: Omit<AuditEvent, 'id'>): Promise<void>;
  /** Events after `afterId` (oldest first), or the latest `limit` when afterId is not given. */
  listEvents(query: { afterId?: number | undefined; sessionId?: string | undefined; limit: number }): Promise<AuditEvent[]>;
}
