import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listDeliveryPage, retryDeliveries } from '../../../logout/back-channel/deliveries.js';
import type { LogoutDelivery } from '../../../logout/back-channel/outbox.js';
import type { Provider } from '../../../provider.js';
import { SECURED, actorOf } from './auth.js';
import { AdminProblem } from './problems.js';
import { DeliveryIdParams, DeliveryPage, DeliveryQuery, iso, isoOrNull, noContent, notFound, ok, problemResponses } from './schemas.js';

const toJson = (d: LogoutDelivery) => ({
  id: d.id,
  kind: d.kind === 'ssf_push' ? ('ssf_push' as const) : ('backchannel_logout' as const),
  client_id: d.clientId,
  stream_id: d.streamId ?? null,
  session_id: d.sessionId,
  user_id: d.accountId,
  sid: d.sid,
  reason: d.reason,
  status: d.status,
  attempts: d.attempts,
  created_at: iso(d.createdAt),
  next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  finished_at: isoOrNull(d.finishedAt),
  retried_at: isoOrNull(d.retriedAt),
  last_error: d.lastError ?? null,
});

/** Back-channel logout notifications over HTTP (issue 12 §3): list them, retry one. */
export const adminDeliveryRoutes = (admin: FastifyInstance, p: Provider): void => {
  admin.get<{ Querystring: Static<typeof DeliveryQuery> }>(
    '/deliveries',
    {
      config: { adminScope: 'signoff.deliveries.read' },
      schema: {
        ...SECURED,
        operationId: 'listDeliveries',
        summary: 'Back-channel logout notifications, oldest first',
        querystring: DeliveryQuery,
        response: { 200: ok(DeliveryPage, 'A page of deliveries.'), ...problemResponses },
      },
    },
    async (request) => {
      const { status, client_id, session_id, cursor, limit } = request.query;
      const page = await listDeliveryPage(p.store, { status, clientId: client_id, sessionId: session_id, cursor, limit });
      return { deliveries: page.deliveries.map(toJson), next_cursor: page.next_cursor };
    },
  );

  admin.post<{ Params: Static<typeof DeliveryIdParams> }>(
    '/deliveries/:delivery_id/retry',
    {
      config: { adminScope: 'signoff.deliveries.manage' },
      schema: {
        ...SECURED,
        operationId: 'retryDelivery',
        summary: 'Make a pending or failed notification due now; its attempts and give-up time start again',
        params: DeliveryIdParams,
        response: { 204: noContent('Due now.'), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { unknown } = await retryDeliveries(p, [request.params.delivery_id], actorOf(request));
      if (unknown.length > 0) throw new AdminProblem(404, 'not_found', 'No pending or failed delivery with this id.');
      return reply.code(204).send();
    },
  );
};
