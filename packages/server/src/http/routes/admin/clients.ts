import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type ClientRecord, getClient, listClientPage, registerClient, removeClient, replaceClient } from '../../../clients/manage.js';
import { ConfigError } from '../../../config/validate.js';
import { type Provider, clientDeps } from '../../../provider.js';
import { SECURED, actorOf } from './auth.js';
import { AdminProblem } from './problems.js';
import { ClientCreated, ClientIdParams, ClientInput, ClientPage, PageQuery, bodyResponses, conflict, noContent, notFound, ok, problemResponses, ref } from './schemas.js';


/**
 * Bad metadata: RFC 7591 §3.2.2's `invalid_redirect_uri` for a redirect URI, otherwise
 * `invalid_client_metadata`, naming the field as the metadata parser does.
 */
const refused = (err: unknown): never => {
  if (!(err instanceof ConfigError)) throw err;
  const field = err.key.replace(/^client\./, '');
  const title = /^(redirect_uris|post_logout_redirect_uris)/.test(field) ? 'invalid_redirect_uri' : 'invalid_client_metadata';
  throw new AdminProblem(400, title, err.message.replace(/^configuration key "client\.([^"]*)"/, 'metadata "$1"'));
};

const fromConfig = (clientId: string) =>
  new AdminProblem(409, 'conflict', `The client ${clientId} is defined in the configuration file: it is changed or removed there.`);

/** Clients over HTTP (issue 12 §3): RFC 7591 registration and RFC 7592 read, replace and delete. */
export const adminClientRoutes = (admin: FastifyInstance, p: Provider): void => {
  const deps = clientDeps(p);
  const read = { adminScope: 'signoff.clients.read' };
  const manage = { adminScope: 'signoff.clients.manage' };
  const metadata = { ...manage, clientMetadata: true };

  admin.get<{ Querystring: Static<typeof PageQuery> }>(
    '/clients',
    { config: read, schema: { ...SECURED, operationId: 'listClients', summary: 'List clients by client_id', querystring: PageQuery, response: { 200: ok(ClientPage, 'A page of clients.'), ...problemResponses } } },
    async (request) => listClientPage(p.store, request.query),
  );

  admin.post<{ Body: Static<typeof ClientInput> }>(
    '/clients',
    {
      config: metadata,
      schema: {
        ...SECURED,
        operationId: 'registerClient',
        summary: 'Register a client (RFC 7591); a confidential client\'s secret is in this answer only',
        body: ClientInput,
        response: { 201: ok(ClientCreated, 'Registered.'), ...conflict, ...bodyResponses },
      },
    },
    async (request, reply) => {
      const input = { ...request.body, client_id: request.body.client_id ?? randomUUID() };
      const registered = await registerClient(deps, input, { public: input.token_endpoint_auth_method === 'none', source: 'api', actor: actorOf(request) }).catch(refused);
      if ('failure' in registered) throw new AdminProblem(409, 'conflict', `A client ${input.client_id} exists.`);
      const client = (await getClient(p.store, input.client_id)) as ClientRecord;
      return reply
        .code(201)
        .header('location', `clients/${encodeURIComponent(client.client_id)}`)
        .send({ client, ...(registered.secret ? { client_secret: registered.secret } : {}) });
    },
  );

  admin.get<{ Params: Static<typeof ClientIdParams> }>(
    '/clients/:client_id',
    { config: read, schema: {
        ...SECURED,
        operationId: 'getClient',
        summary: 'One client (RFC 7592 §2.1), without its secret',
        params: ClientIdParams,
        response: { 200: ref('Client', 'The client.'), ...notFound, ...problemResponses },
      }, },
    async (request) => {
      const client = await getClient(p.store, request.params.client_id);
      if (!client) throw new AdminProblem(404, 'not_found', 'No such client.');
      return client;
    },
  );

  admin.put<{ Params: Static<typeof ClientIdParams>; Body: Static<typeof ClientInput> }>(
    '/clients/:client_id',
    {
      config: metadata,
      schema: {
        ...SECURED,
        summary: 'Replace a client\'s metadata (RFC 7592 §2.2): what the body leaves out returns to its default; the secret stays',
        operationId: 'replaceClient',
        params: ClientIdParams,
        body: ClientInput,
        response: { 200: ref('Client', 'The client as replaced.'), ...notFound, ...conflict, ...bodyResponses },
      },
    },
    async (request) => {
      const replaced = await replaceClient(deps, request.params.client_id, request.body, actorOf(request)).catch(refused);
      if ('client' in replaced) return replaced.client;
      if (replaced.failure === 'from_config') throw fromConfig(request.params.client_id);
      throw new AdminProblem(404, 'not_found', 'No such client.');
    },
  );

  admin.delete<{ Params: Static<typeof ClientIdParams> }>(
    '/clients/:client_id',
    {
      config: manage,
      schema: {
        ...SECURED,
        operationId: 'removeClient',
        summary: 'Remove a client (RFC 7592 §2.3)',
        params: ClientIdParams,
        response: { 204: noContent('Removed.'), ...notFound, ...conflict, ...problemResponses },
      },
    },
    async (request, reply) => {
      const removed = await removeClient(deps, request.params.client_id, actorOf(request));
      if (removed === 'from_config') throw fromConfig(request.params.client_id);
      if (removed === 'not_found') throw new AdminProblem(404, 'not_found', 'No such client.');
      return reply.code(204).send();
    },
  );
};
