import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { type PollRequest, poll } from '../../signals/poll.js';
import { POLL, PUSH } from '../../signals/store.js';
import {
  type SsfDeps,
  addSubject,
  changeStream,
  createStream,
  deleteStream,
  readStatus,
  readStreams,
  removeSubject,
  requestVerification,
  updateStatus,
} from '../../signals/streams.js';
import { installSsfAuth, receiverOf } from './ssf-auth.js';

/** Stream management bodies are small JSON objects; a poll acknowledges at most a few hundred jtis. */
const SSF_BODY_LIMIT = 64 * 1024;

export const SSF_PATHS = {
  configuration: '/.well-known/ssf-configuration',
  stream: '/ssf/stream',
  status: '/ssf/status',
  addSubject: '/ssf/subjects/add',
  removeSubject: '/ssf/subjects/remove',
  verify: '/ssf/verify',
  poll: '/ssf/poll',
} as const;

const Str = (max = 2048) => Type.String({ minLength: 1, maxLength: max });
const StreamId = Type.Object({ stream_id: Str(64) });
const Delivery = Type.Object(
  { method: Str(64), endpoint_url: Type.Optional(Str()), authorization_header: Type.Optional(Str()) },
  { additionalProperties: false },
);
/** Receiver-supplied members; transmitter-supplied ones sent back with a PATCH/PUT are allowed and ignored. */
const ReceiverConfig = Type.Object({
  delivery: Type.Optional(Delivery),
  events_requested: Type.Optional(Type.Array(Str(256), { maxItems: 32 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});
const Change = Type.Intersect([StreamId, ReceiverConfig]);
const Status = Type.Object({ stream_id: Str(64), status: Type.Union([Type.Literal('enabled'), Type.Literal('paused'), Type.Literal('disabled')]), reason: Type.Optional(Type.String({ maxLength: 1024 })) });
const SubjectBody = Type.Object({ stream_id: Str(64), subject: Type.Object({}, { additionalProperties: true }), verified: Type.Optional(Type.Boolean()) });
const Verify = Type.Object({ stream_id: Str(64), state: Type.Optional(Type.String({ maxLength: 1024 })) });
const PollBody = Type.Object(
  {
    maxEvents: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    returnImmediately: Type.Optional(Type.Boolean()),
    ack: Type.Optional(Type.Array(Str(128), { maxItems: 1000 })),
    setErrs: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.Object({ err: Type.String({ maxLength: 128 }), description: Type.String({ maxLength: 1024 }) }), { maxProperties: 1000 }),
    ),
  },
  { additionalProperties: false },
);
const OptionalStreamId = Type.Object({ stream_id: Type.Optional(Str(64)) });

const noStore = { 'cache-control': 'no-store' };

/**
 * The Shared Signals transmitter's HTTP face (issue 16 §2): the configuration document (SSF 1.0
 * §7.1) and, under ISSUER/ssf, stream management (§8.1) and poll delivery (RFC 8936), for
 * receivers with client credentials tokens. Encapsulated: its own JSON parser, limit and errors.
 */
export const ssfRoutes = (app: FastifyInstance, p: Provider): void => {
  const issuer = p.config.issuer;
  const deps = (): SsfDeps & { keys: typeof p.keys } => ({ issuer, clock: p.clock, allowPrivateNetworks: p.config.outbound.allowPrivateNetworks, store: p.store, keys: p.keys });

  app.get(SSF_PATHS.configuration, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=300').send({
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: issuer + SSF_PATHS.stream,
      status_endpoint: issuer + SSF_PATHS.status,
      add_subject_endpoint: issuer + SSF_PATHS.addSubject,
      remove_subject_endpoint: issuer + SSF_PATHS.removeSubject,
      verification_endpoint: issuer + SSF_PATHS.verify,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'NONE',
    }),
  );

  void app.register(async (ssf) => {
    // Fastify's default parser refuses __proto__ and constructor.prototype keys (a 400).
    ssf.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: SSF_BODY_LIMIT }, ssf.getDefaultJsonParser('error', 'error'));
    installSsfAuth(ssf, p);
    const manage = { ssfNeed: 'manage' as const };
    const read = { ssfNeed: 'read' as const };

    ssf.post<{ Body: Static<typeof ReceiverConfig> }>(SSF_PATHS.stream, { config: manage, schema: { body: ReceiverConfig } }, async (req, reply) =>
      reply.code(201).headers(noStore).send(await createStream(deps(), receiverOf(req), req.body)),
    );
    ssf.get<{ Querystring: Static<typeof OptionalStreamId> }>(SSF_PATHS.stream, { config: read, schema: { querystring: OptionalStreamId } }, async (req, reply) =>
      reply.headers(noStore).send(await readStreams(deps(), receiverOf(req), req.query.stream_id)),
    );
    for (const method of ['PATCH', 'PUT'] as const) {
      ssf.route<{ Body: Static<typeof Change> }>({
        method,
        url: SSF_PATHS.stream,
        config: manage,
        schema: { body: Change },
        handler: async (req, reply) => reply.headers(noStore).send(await changeStream(deps(), receiverOf(req), req.body.stream_id, req.body, method === 'PUT')),
      });
    }
    ssf.delete<{ Querystring: Static<typeof StreamId> }>(SSF_PATHS.stream, { config: manage, schema: { querystring: StreamId } }, async (req, reply) => {
      await deleteStream(deps(), receiverOf(req), req.query.stream_id);
      return reply.code(204).send();
    });

    ssf.get<{ Querystring: Static<typeof StreamId> }>(SSF_PATHS.status, { config: read, schema: { querystring: StreamId } }, async (req, reply) =>
      reply.headers(noStore).send(await readStatus(deps(), receiverOf(req), req.query.stream_id)),
    );
    ssf.post<{ Body: Static<typeof Status> }>(SSF_PATHS.status, { config: manage, schema: { body: Status } }, async (req, reply) =>
      reply.headers(noStore).send(await updateStatus(deps(), receiverOf(req), req.body.stream_id, req.body.status, req.body.reason)),
    );

    ssf.post<{ Body: Static<typeof SubjectBody> }>(SSF_PATHS.addSubject, { config: manage, schema: { body: SubjectBody } }, async (req, reply) => {
      await addSubject(deps(), receiverOf(req), req.body.stream_id, req.body.subject);
      return reply.code(200).headers(noStore).send();
    });
    ssf.post<{ Body: Static<typeof SubjectBody> }>(SSF_PATHS.removeSubject, { config: manage, schema: { body: SubjectBody } }, async (req, reply) => {
      await removeSubject(deps(), receiverOf(req), req.body.stream_id, req.body.subject);
      return reply.code(204).send();
    });

    ssf.post<{ Body: Static<typeof Verify> }>(SSF_PATHS.verify, { config: manage, schema: { body: Verify } }, async (req, reply) => {
      await requestVerification(deps(), receiverOf(req), req.body.stream_id, req.body.state);
      return reply.code(204).send();
    });

    // RFC 8936 §2.4: the poll endpoint a poll stream's delivery.endpoint_url names.
    ssf.post<{ Querystring: Static<typeof StreamId>; Body: Static<typeof PollBody> }>(
      SSF_PATHS.poll,
      { config: read, schema: { querystring: StreamId, body: PollBody } },
      async (req, reply) => {
        const result = await poll(deps(), receiverOf(req), req.query.stream_id, req.body as PollRequest, (jti, e) =>
          req.log.warn({ stream: req.query.stream_id, jti, err: e.err, description: e.description }, 'SSF receiver reported a SET error (RFC 8936 §2.4.2)'),
        );
        return reply.headers(noStore).send(result);
      },
    );
  });
};
