import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccountError, createAccount, deleteAccount, getAccount, listAccountPage, updateAccount } from '../../../accounts/lifecycle.js';
import type { Account } from '../../../accounts/store.js';
import { type NoticeDeps, passwordChangedNotifier } from '../../../email/notice-sender.js';
import { type Provider, lifecycleDeps } from '../../../provider.js';
import { SECURED, actorOf } from './auth.js';
import { AdminProblem } from './problems.js';
import {
  Ended,
  UserChanged,
  UserCreate,
  UserIdParams,
  UserListQuery,
  UserPage,
  UserPatch,
  bodyResponses,
  conflict,
  iso,
  notFound,
  ok,
  problemResponses,
  ref,
} from './schemas.js';

/** An account in the API's shape: never its password hash. */
const toJson = (a: Account) => ({ id: a.id, username: a.username, claims: a.claims, disabled: a.disabled, created_at: iso(a.createdAt), updated_at: iso(a.updatedAt) });

const NO_USER = (): never => {
  throw new AdminProblem(404, 'not_found', 'No such user.');
};

/** A rule of the account use cases (accounts/lifecycle.ts) broken by the request: 400 or, for a taken username, 409. */
const refused = (err: unknown): never => {
  if (err instanceof AccountError) throw err.kind === 'exists' ? new AdminProblem(409, 'conflict', err.message) : new AdminProblem(400, 'invalid_request', err.message);
  throw err;
};

/** Users over HTTP (issue 12 §3): list, create, read, change (password, claims, disabled), delete. */
export const adminUserRoutes = (admin: FastifyInstance, p: Provider, notices: NoticeDeps): void => {
  // A new password set here is told to the account by the notice (issue 17 §4), in its own language.
  const deps = { ...lifecycleDeps(p), passwordChanged: passwordChangedNotifier(notices) };
  const read = { adminScope: 'signoff.users.read' };
  const manage = { adminScope: 'signoff.users.manage' };
  const found = async (request: FastifyRequest<{ Params: Static<typeof UserIdParams> }>) => (await getAccount(deps, request.params.user_id)) ?? NO_USER();

  admin.get<{ Querystring: Static<typeof UserListQuery> }>(
    '/users',
    { config: read, schema: { ...SECURED, operationId: 'listUsers', summary: 'List users by username', querystring: UserListQuery, response: { 200: ok(UserPage, 'A page of users.'), ...problemResponses } } },
    async (request) => {
      const { username, cursor, limit } = request.query;
      if (username !== undefined) {
        const account = await deps.accounts.accountByUsername(username);
        return { users: account && account.deletedAt === undefined ? [toJson(account)] : [], next_cursor: null };
      }
      const page = await listAccountPage(deps, { cursor, limit });
      return { users: page.accounts.map(toJson), next_cursor: page.next_cursor };
    },
  );

  admin.post<{ Body: Static<typeof UserCreate> }>(
    '/users',
    { config: manage, schema: { ...SECURED, operationId: 'createUser', summary: 'Create a user', body: UserCreate, response: { 201: ref('User', 'Created.'), ...conflict, ...bodyResponses } } },
    async (request, reply) => {
      const { account } = await createAccount(deps, { ...request.body, actor: actorOf(request) }).catch(refused);
      return reply.code(201).header('location', `users/${account.id}`).send(toJson(account));
    },
  );

  admin.get<{ Params: Static<typeof UserIdParams> }>(
    '/users/:user_id',
    { config: read, schema: { ...SECURED, operationId: 'getUser', summary: 'One user', params: UserIdParams, response: { 200: ref('User', 'The user.'), ...notFound, ...problemResponses } } },
    async (request) => toJson(await found(request)),
  );

  admin.patch<{ Params: Static<typeof UserIdParams>; Body: Static<typeof UserPatch> }>(
    '/users/:user_id',
    {
      config: manage,
      schema: {
        ...SECURED,
        operationId: 'updateUser',
        summary: "Change a user's password, claims or disabled state; a new password or disabling ends the user's sessions",
        params: UserIdParams,
        body: UserPatch,
        response: { 200: ok(UserChanged, 'The user as changed, and how many sessions the change ended.'), ...notFound, ...bodyResponses },
      },
    },
    async (request) => {
      const changed = await updateAccount(deps, { accountId: request.params.user_id, ...request.body, actor: actorOf(request) }).catch(refused);
      if (!changed) return NO_USER();
      return { user: toJson(await found(request)), ended_sessions: changed.endedSessions };
    },
  );

  admin.delete<{ Params: Static<typeof UserIdParams> }>(
    '/users/:user_id',
    {
      config: manage,
      schema: {
        ...SECURED,
        operationId: 'deleteUser',
        summary: "Delete a user: every session ends, every refresh token is revoked, the user's personal data goes",
        params: UserIdParams,
        response: { 200: ok(Ended, 'Deleted; how many sessions ended.'), ...notFound, ...problemResponses },
      },
    },
    async (request) => {
      const changed = await deleteAccount(deps, { accountId: request.params.user_id, actor: actorOf(request) });
      if (!changed) return NO_USER();
      return { ended: changed.endedSessions };
    },
  );
};
