import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getAccount } from '../../../accounts/lifecycle.js';
import { type Provider, endingDeps, lifecycleDeps } from '../../../provider.js';
import { endSessions } from '../../../sessions/end.js';
import { type SessionView, getSessionView, listSessionViews } from '../../../sessions/query.js';
import { SECURED, actorOf } from './auth.js';
import { AdminProblem } from './problems.js';
import {
  Ended,
  Logout,
  SessionIdParams,
  type SessionJson,
  SessionListQuery,
  SessionPage,
  UserIdParams,
  UserSessionListQuery,
  bodyResponses,
  iso,
  isoOrNull,
  noContent,
  notFound,
  ok,
  problemResponses,
  ref,
} from './schemas.js';

/** The domain's session view in the API's shape: times as RFC 3339 strings. */
const toJson = (v: SessionView): SessionJson => ({
  ...v,
  created_at: iso(v.created_at),
  authenticated_at: iso(v.authenticated_at),
  last_active_at: iso(v.last_active_at),
  idle_expires_at: iso(v.idle_expires_at),
  expires_at: iso(v.expires_at),
  ended_at: isoOrNull(v.ended_at),
  factors: v.factors.map((f) => ({ ...f, verified_at: iso(f.verified_at) })),
  clients: v.clients.map((c) => ({ ...c, first_authenticated_at: iso(c.first_authenticated_at), last_authenticated_at: iso(c.last_authenticated_at) })),
});

/** Sessions over HTTP (issue 12 §3): list, read, end one, end every session of a user. */
export const adminSessionRoutes = (admin: FastifyInstance, p: Provider): void => {
  const deps = { store: p.store, clock: p.clock };
  const list = async (q: Static<typeof UserSessionListQuery> & { user_id?: string | undefined }, userId?: string) => {
    const page = await listSessionViews(deps, { accountId: userId ?? q.user_id, clientId: q.client_id, active: q.active, cursor: q.cursor, limit: q.limit });
    return { sessions: page.sessions.map(toJson), next_cursor: page.next_cursor };
  };

  admin.get<{ Querystring: Static<typeof SessionListQuery> }>(
    '/sessions',
    {
      config: { adminScope: 'signoff.sessions.read' },
      schema: {
        ...SECURED,
        operationId: 'listSessions',
        summary: 'List sessions, newest first',
        querystring: SessionListQuery,
        response: { 200: ok(SessionPage, 'A page of sessions.'), ...problemResponses },
      },
    },
    async (request) => list(request.query),
  );

  admin.get<{ Params: Static<typeof UserIdParams>; Querystring: Static<typeof UserSessionListQuery> }>(
    '/users/:user_id/sessions',
    {
      config: { adminScope: 'signoff.sessions.read' },
      schema: {
        ...SECURED,
        operationId: 'listUserSessions',
        summary: "A user's sessions, newest first",
        params: UserIdParams,
        querystring: UserSessionListQuery,
        response: { 200: ok(SessionPage, "A page of the user's sessions."), ...problemResponses },
      },
    },
    async (request) => list(request.query, request.params.user_id),
  );

  admin.get<{ Params: Static<typeof SessionIdParams> }>(
    '/sessions/:session_id',
    {
      config: { adminScope: 'signoff.sessions.read' },
      schema: {
        ...SECURED,
        operationId: 'getSession',
        summary: 'One session',
        params: SessionIdParams,
        response: { 200: ref('Session', 'The session.'), ...notFound, ...problemResponses },
      },
    },
    async (request) => {
      const view = await getSessionView(deps, request.params.session_id);
      if (!view) throw new AdminProblem(404, 'not_found', 'No such session.');
      return toJson(view);
    },
  );

  admin.delete<{ Params: Static<typeof SessionIdParams> }>(
    '/sessions/:session_id',
    {
      config: { adminScope: 'signoff.sessions.manage' },
      schema: {
        ...SECURED,
        operationId: 'endSession',
        summary: 'End a session (reason admin); its applications are notified. 204 also for one already ended.',
        params: SessionIdParams,
        response: { 204: noContent('Ended (or already ended).'), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = await p.store.sessionById(request.params.session_id);
      if (!session) throw new AdminProblem(404, 'not_found', 'No such session.');
      await endSessions(endingDeps(p), { sessionId: session.id }, 'admin', actorOf(request));
      return reply.code(204).send();
    },
  );

  admin.post<{ Params: Static<typeof UserIdParams>; Body: Static<typeof Logout> }>(
    '/users/:user_id/logout',
    {
      config: { adminScope: 'signoff.sessions.manage' },
      schema: {
        ...SECURED,
        operationId: 'logoutUser',
        summary: 'End every session of a user (reason admin); their applications are notified',
        params: UserIdParams,
        body: Logout,
        response: { 200: ok(Ended, 'How many sessions ended.'), ...notFound, ...bodyResponses },
      },
    },
    async (request) => {
      const account = await getAccount(lifecycleDeps(p), request.params.user_id);
      if (!account) throw new AdminProblem(404, 'not_found', 'No such user.');
      const ended = await endSessions(endingDeps(p), { accountId: account.id }, 'admin', actorOf(request), {
        revokeOfflineTokens: request.body?.revoke_offline_tokens === true,
      });
      return { ended: ended.length };
    },
  );
};
