import { type Static, Type } from '@sinclair/typebox';

/**
 * The admin API's schemas (issue 12 §3). Responses are serialised through them, so a field the
 * schema does not list never leaves the provider, and the OpenAPI document is generated from
 * them (@fastify/swagger), so it cannot drift from the code. Times are RFC 3339 strings.
 */

const Time = Type.String({ format: 'date-time' });
const MaybeTime = Type.Union([Time, Type.Null()]);
const MaybeString = Type.Union([Type.String(), Type.Null()]);

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
    amr: Type.Array(Type.String()),
    acr: Type.String(),
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

export const SessionPage = Type.Object({
  sessions: Type.Array(Type.Ref(Session)),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end.' }),
});

export const SessionListQuery = Type.Object({
  user_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  active: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

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

export const SessionIdParams = Type.Object({ session_id: Type.String({ maxLength: 200 }) });
export const UserIdParams = Type.Object({ user_id: Type.String({ maxLength: 200 }) });

/** The error answers every authenticated route may give. */
export const problemResponses = {
  400: Type.Ref(Problem),
  401: Type.Ref(Problem),
  403: Type.Ref(Problem),
} as const;
