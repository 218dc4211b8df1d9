import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../../provider.js';
import { followEvents } from '../../../sessions/audit-log.js';
import type { AuditEvent } from '../../../sessions/events.js';
import { SECURED } from './auth.js';
import { EventPage, EventQuery, iso, ok, problemResponses } from './schemas.js';

const toJson = (e: AuditEvent) => ({
  id: e.id,
  at: iso(e.at),
  type: e.type,
  session_id: e.sessionId ?? null,
  user_id: e.accountId ?? null,
  client_id: e.clientId ?? null,
  reason: e.reason ?? null,
  actor: e.actor ?? null,
});

/** The audit log over HTTP (issue 12 §3): oldest first after a cursor, so that a collector can follow it. */
export const adminEventRoutes = (admin: FastifyInstance, p: Provider): void => {
  admin.get<{ Querystring: Static<typeof EventQuery> }>(
    '/events',
    {
      config: { adminScope: 'signoff.events.read' },
      schema: { ...SECURED, operationId: 'listEvents', summary: 'The audit log, oldest first after a cursor', querystring: EventQuery, response: { 200: ok(EventPage, 'A page of events.'), ...problemResponses } },
    },
    async (request) => {
      const q = request.query;
      const page = await followEvents(p.store, { after: q.after, accountId: q.user_id, sessionId: q.session_id, type: q.type, limit: q.limit });
      return { events: page.events.map(toJson), next_cursor: page.next_cursor };
    },
  );
};
