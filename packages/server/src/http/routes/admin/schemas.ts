import { type Static, Type } from '@sinclair/typebox';
import { FACTOR_METHODS } from '../../../sessions/factors.js';
import { EVENT_TYPES } from '../../../sessions/events.js';

/**
 * The admin API's schemas (issue 12 §3). Responses are serialised through them, so a field the
 * schema does not list never leaves the provider, and the OpenAPI document is generated from
 * them (@fastify/swagger), so it cannot drift from the code. Times are RFC 3339 strings.
 */

const Time = Type.String({ format: 'date-time' });

export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
export const isoOrNull = (seconds: number | null | undefined): string | null => (seconds === null || seconds === undefined ? null : iso(seconds));
const MaybeTime = Type.Union([Time, Type.Null()]);
const MaybeString = Type.Union([Type.String(), Type.Null()]);
/** An id in a path or a filter: no control characters (a NUL names nothing, and PostgreSQL's text cannot hold one). */
const Id = (description?: string) => Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001F\\u007F]*$', ...(description ? { description } : {}) });
const Cursor = Type.Optional(Type.String({ maxLength: 500, description: 'The next_cursor of the previous page.' }));
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 }));
const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end.' });

export const Session = Type.Object(
  {
    id: Type.String({ description: 'The session id: never the cookie value, never a sid.' }),
    user_id: Type.String({ description: "The account's sub." }),
    username: MaybeString,
    active: Type.Boolean({ description: 'Open, and neither its idle nor its absolute expiry has passed.' }),
    created_at: Time,
    authenticated_at: Time,
    last_active_at: Time,
    idle_expires_at: Time,
    expires_at: Time,
    ended_at: MaybeTime,
    end_reason: MaybeString,
    ended_by: MaybeString,
    remember_me: Type.Boolean(),
    amr: Type.Array(Type.String(), { description: 'RFC 8176 Authentication Method Reference values.' }),
    acr: Type.String(),
    factors: Type.Array(
      Type.Object({ method: Type.Union(FACTOR_METHODS.map((m) => Type.Literal(m))), verified_at: Time }),
      { description: 'Each factor the session verified, with when it was last verified.' },
    ),
    device: Type.Object({
      initial_ip: Type.String(),
      initial_user_agent: Type.String(),
      last_ip: Type.String(),
      last_user_agent: Type.String(),
      browser: MaybeString,
      os: MaybeString,
      device_type: MaybeString,
    }),
    clients: Type.Array(
      Type.Object({
        client_id: Type.String(),
        client_name: MaybeString,
        sid: Type.String({ description: "The sid this client's ID tokens carry." }),
        first_authenticated_at: Time,
        last_authenticated_at: Time,
      }),
    ),
  },
  { $id: 'Session' },
);
export type SessionJson = Static<typeof Session>;

export const SessionPage = Type.Object({ sessions: Type.Array(Type.Ref(Session)), next_cursor: NextCursor });

const sessionFilters = {
  client_id: Type.Optional(Id('Only sessions this client took part in.')),
  active: Type.Optional(Type.Boolean({ description: 'true: only live sessions; false: only ended or expired ones.' })),
  cursor: Cursor,
  limit: Limit,
};
export const SessionListQuery = Type.Object({ user_id: Type.Optional(Id("Only this user's sessions.")), ...sessionFilters });
export const UserSessionListQuery = Type.Object(sessionFilters);

export const Logout = Type.Object(
  { revoke_offline_tokens: Type.Optional(Type.Boolean({ default: false, description: "Also revoke the user's offline_access refresh tokens." })) },
  { additionalProperties: false },
);

export const Ended = Type.Object({ ended: Type.Integer({ description: 'How many sessions this call ended.' }) });

/** RFC 9457 problem details. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
  },
  { $id: 'Problem' },
);

/** Claims: a JSON object of OpenID Connect claims (name, email, ...), at most 100 of them. */
// propertyNames, not the record's key schema: TypeBox writes that as patternProperties and drops its limits.
const Claims = Type.Record(Type.String(), Type.Unknown(), { maxProperties: 100, propertyNames: { minLength: 1, maxLength: 100 } });

export const User = Type.Object(
  {
    id: Type.String({ description: "The account's sub." }),
    username: Type.String(),
    claims: Claims,
    disabled: Type.Boolean(),
    created_at: Time,
    updated_at: Time,
  },
  { $id: 'User' },
);
export const UserPage = Type.Object({ users: Type.Array(Type.Ref(User)), next_cursor: NextCursor });
export const UserListQuery = Type.Object({ username: Type.Optional(Id('Only the user with this username.')), cursor: Cursor, limit: Limit });
export const UserCreate = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 128, pattern: '^\\S+$' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    claims: Type.Optional(Claims),
  },
  { additionalProperties: false },
);
export const UserPatch = Type.Object(
  {
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: "Ends the user's sessions." })),
    claims: Type.Optional(Claims),
    disabled: Type.Optional(Type.Boolean({ description: "true ends the user's sessions." })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const UserChanged = Type.Object({ user: Type.Ref(User), ended_sessions: Type.Integer({ description: 'How many sessions this change ended.' }) });

const Uri = Type.String({ maxLength: 2000 });
const Duration = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 20 })], { description: 'Seconds, or a duration such as "15m".' });
/** RFC 7591 §2 client metadata, with the OpenID Connect registration and logout fields and Signoff's own. */
const clientFields = {
  client_name: Type.Optional(Type.String({ maxLength: 200 })),
  redirect_uris: Type.Optional(Type.Array(Uri, { maxItems: 50 })),
  post_logout_redirect_uris: Type.Optional(Type.Array(Uri, { maxItems: 50 })),
  backchannel_logout_uri: Type.Optional(Uri),
  backchannel_logout_session_required: Type.Optional(Type.Boolean()),
  frontchannel_logout_uri: Type.Optional(Uri),
  frontchannel_logout_session_required: Type.Optional(Type.Boolean()),
  token_endpoint_auth_method: Type.Optional(Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post'), Type.Literal('none')])),
  grant_types: Type.Optional(Type.Array(Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token'), Type.Literal('client_credentials')]), { maxItems: 3 })),
  response_types: Type.Optional(Type.Array(Type.Literal('code'), { maxItems: 1 })),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  id_token_signed_response_alg: Type.Optional(Type.Union([Type.Literal('RS256'), Type.Literal('ES256')])),
  access_token_format: Type.Optional(
    Type.Union([Type.Literal('jwt'), Type.Literal('opaque')], { description: 'jwt (RFC 9068, the default) or opaque: read only through introspection and userinfo.' }),
  ),
  require_consent: Type.Optional(Type.Boolean()),
  require_pkce: Type.Optional(Type.Boolean()),
  allowed_origins: Type.Optional(Type.Array(Uri, { maxItems: 50 })),
  default_max_age: Type.Optional(Type.Integer({ minimum: 0 })),
  max_auth_age: Type.Optional(Duration),
  max_idle: Type.Optional(Duration),
  default_acr_values: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 10 })),
  require_acr: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  max_factor_age: Type.Optional(Duration),
  require_logout_confirmation: Type.Optional(Type.Boolean()),
  logo_uri: Type.Optional(Uri),
  policy_uri: Type.Optional(Uri),
  tos_uri: Type.Optional(Uri),
};
export const ClientInput = Type.Object(
  { client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Generated when left out.' })), ...clientFields },
  { additionalProperties: false },
);
export const Client = Type.Object(
  {
    client_id: Type.String(),
    ...clientFields,
    redirect_uris: Type.Array(Type.String()),
    post_logout_redirect_uris: Type.Array(Type.String()),
    token_endpoint_auth_method: Type.String(),
    grant_types: Type.Array(Type.String()),
    response_types: Type.Array(Type.String()),
    scope: Type.String(),
    max_auth_age: Type.Optional(Type.Integer()),
    max_idle: Type.Optional(Type.Integer()),
    source: Type.Union([Type.Literal('config'), Type.Literal('cli'), Type.Literal('api')], { description: 'Where it was registered; the configuration file owns its clients.' }),
  },
  { $id: 'Client' },
);
export const ClientCreated = Type.Object({
  client: Type.Ref(Client),
  client_secret: Type.Optional(Type.String({ description: 'A confidential client\'s secret: shown this once, only its hash is kept.' })),
});
export const ClientPage = Type.Object({ clients: Type.Array(Type.Ref(Client)), next_cursor: NextCursor });
export const ClientIdParams = Type.Object({ client_id: Id() });
export const PageQuery = Type.Object({ cursor: Cursor, limit: Limit });

const EVENT_TYPE_LITERALS = EVENT_TYPES.map((t) => Type.Literal(t));
export const Event = Type.Object(
  {
    id: Type.Integer(),
    at: Time,
    type: Type.Union(EVENT_TYPE_LITERALS),
    session_id: MaybeString,
    user_id: MaybeString,
    client_id: MaybeString,
    reason: MaybeString,
    actor: MaybeString,
  },
  { $id: 'Event' },
);
export const EventPage = Type.Object({
  events: Type.Array(Type.Ref(Event)),
  next_cursor: Type.String({ description: 'Pass as `after` to continue; an empty page means caught up: ask again later with the same cursor.' }),
});
export const EventQuery = Type.Object({
  user_id: Type.Optional(Id()),
  session_id: Type.Optional(Id()),
  type: Type.Optional(Type.Union(EVENT_TYPE_LITERALS)),
  after: Type.Optional(Type.String({ maxLength: 500, description: 'The next_cursor of the previous page; none starts at the oldest event.' })),
  limit: Limit,
});

const DELIVERY_STATUS = Type.Union([Type.Literal('pending'), Type.Literal('failed'), Type.Literal('delivered')]);
export const Delivery = Type.Object(
  {
    id: Type.String({ description: 'For a pushed SET, its jti.' }),
    kind: Type.Union([Type.Literal('backchannel_logout'), Type.Literal('ssf_push')], { description: 'A back-channel logout token, or a SET pushed to a Shared Signals stream.' }),
    client_id: Type.String({ description: "The application, or the Shared Signals receiver that owns the stream." }),
    stream_id: Type.Union([Type.String(), Type.Null()], { description: 'The Shared Signals stream of a pushed SET.' }),
    session_id: Type.String(),
    user_id: Type.String(),
    sid: Type.String({ description: 'The sid of the logout token (empty for a pushed SET).' }),
    reason: Type.String({ description: 'Why the session ended; for a pushed SET, its event type.' }),
    status: DELIVERY_STATUS,
    attempts: Type.Integer(),
    created_at: Time,
    next_attempt_at: MaybeTime,
    finished_at: MaybeTime,
    retried_at: MaybeTime,
    last_error: MaybeString,
  },
  { $id: 'Delivery' },
);
export const DeliveryPage = Type.Object({ deliveries: Type.Array(Type.Ref(Delivery)), next_cursor: NextCursor });
export const DeliveryQuery = Type.Object({
  status: Type.Optional(DELIVERY_STATUS),
  client_id: Type.Optional(Id()),
  session_id: Type.Optional(Id()),
  cursor: Cursor,
  limit: Limit,
});
export const DeliveryIdParams = Type.Object({ delivery_id: Id() });

export const SessionIdParams = Type.Object({ session_id: Id() });
export const UserIdParams = Type.Object({ user_id: Id() });

/** An error answer: RFC 9457 problem details, as the OpenAPI document should say. */
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Type.Ref(Problem) } } });

/** The error answers every authenticated route may give. */
export const problemResponses = {
  400: problem('The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued.'),
  401: problem('No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3).'),
  403: problem('The access token lacks the scope this call needs (error="insufficient_scope").'),
  503: problem('The store is unavailable; try again after Retry-After seconds.'),
} as const;
export const notFound = { 404: problem('No such resource.') } as const;
export const conflict = { 409: problem('The change conflicts with what exists.') } as const;
/** Routes with a JSON body. */
export const bodyResponses = { ...problemResponses, 413: problem('The body is larger than 16 KiB.'), 415: problem('The body is not JSON.') } as const;

/** A success answer with its description. */
export const ok = <T extends object>(schema: T, description: string): T & { description: string } => ({ ...schema, description });
export const ref = (id: string, description: string) => ({ $ref: id, description });
export const noContent = (description: string) => ({ type: 'null', description }) as const;
