/**
 * GENERATED FILE, do not edit: the types of the admin API (ISSUER/admin/v1) from its OpenAPI
 * document, GET /admin/v1/openapi.json, by openapi-typescript (test/helpers/admin-api-types.ts).
 * Regenerate with `npm run admin-api-types -w signoff`; test/admin-openapi.test.ts fails when it is stale.
 */

export interface paths {
    "/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List sessions, newest first */
        get: operations["listSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's sessions, newest first */
        get: operations["listUserSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sessions/{session_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One session */
        get: operations["getSession"];
        put?: never;
        post?: never;
        /** End a session (reason admin); its applications are notified. 204 also for one already ended. */
        delete: operations["endSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every session of a user (reason admin); their applications are notified */
        post: operations["logoutUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users by username */
        get: operations["listUsers"];
        put?: never;
        /** Create a user */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: operations["getUser"];
        put?: never;
        post?: never;
        /** Delete a user: every session ends, every refresh token is revoked, the user's personal data goes */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        /** Change a user's password, claims or disabled state; a new password or disabling ends the user's sessions */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List clients by client_id */
        get: operations["listClients"];
        put?: never;
        /** Register a client (RFC 7591); a confidential client's secret is in this answer only */
        post: operations["registerClient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{client_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One client (RFC 7592 §2.1), without its secret */
        get: operations["getClient"];
        /** Replace a client's metadata (RFC 7592 §2.2): what the body leaves out returns to its default; the secret stays */
        put: operations["replaceClient"];
        post?: never;
        /** Remove a client (RFC 7592 §2.3) */
        delete: operations["removeClient"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, oldest first after a cursor */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Back-channel logout notifications, oldest first */
        get: operations["listDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/deliveries/{delivery_id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a pending or failed notification due now; its attempts and give-up time start again */
        post: operations["retryDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Session: {
            /** @description The session id: never the cookie value, never a sid. */
            id: string;
            /** @description The account's sub. */
            user_id: string;
            username: string | null;
            /** @description Open, and neither its idle nor its absolute expiry has passed. */
            active: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            authenticated_at: string;
            /** Format: date-time */
            last_active_at: string;
            /** Format: date-time */
            idle_expires_at: string;
            /** Format: date-time */
            expires_at: string;
            ended_at: string | null;
            end_reason: string | null;
            ended_by: string | null;
            remember_me: boolean;
            /** @description RFC 8176 Authentication Method Reference values. */
            amr: string[];
            acr: string;
            /** @description Each factor the session verified, with when it was last verified. */
            factors: {
                method: "password" | "totp" | "recovery_code" | "passkey" | "upstream";
                /** Format: date-time */
                verified_at: string;
            }[];
            device: {
                initial_ip: string;
                initial_user_agent: string;
                last_ip: string;
                last_user_agent: string;
                browser: string | null;
                os: string | null;
                device_type: string | null;
            };
            clients: {
                client_id: string;
                client_name: string | null;
                /** @description The sid this client's ID tokens carry. */
                sid: string;
                /** Format: date-time */
                first_authenticated_at: string;
                /** Format: date-time */
                last_authenticated_at: string;
            }[];
        };
        User: {
            /** @description The account's sub. */
            id: string;
            username: string;
            claims: {
                [key: string]: unknown;
            };
            disabled: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        Client: {
            client_id: string;
            client_name?: string;
            redirect_uris: string[];
            post_logout_redirect_uris: string[];
            backchannel_logout_uri?: string;
            backchannel_logout_session_required?: boolean;
            frontchannel_logout_uri?: string;
            frontchannel_logout_session_required?: boolean;
            token_endpoint_auth_method: string;
            grant_types: string[];
            response_types: string[];
            scope: string;
            id_token_signed_response_alg?: "RS256" | "ES256";
            /** @description jwt (RFC 9068, the default) or opaque: read only through introspection and userinfo. */
            access_token_format?: "jwt" | "opaque";
            require_consent?: boolean;
            require_pkce?: boolean;
            allowed_origins?: string[];
            default_max_age?: number;
            max_auth_age?: number;
            max_idle?: number;
            default_acr_values?: string[];
            require_acr?: string;
            /** @description Seconds, or a duration such as "15m". */
            max_factor_age?: number | string;
            require_logout_confirmation?: boolean;
            logo_uri?: string;
            policy_uri?: string;
            tos_uri?: string;
            /** @description Where it was registered; the configuration file owns its clients. */
            source: "config" | "cli" | "api";
        };
        Event: {
            id: number;
            /** Format: date-time */
            at: string;
            type: "session.created" | "session.reauthenticated" | "session.stepped_up" | "session.ended" | "account.created" | "account.updated" | "account.deleted" | "account.linked" | "client.registered" | "client.updated" | "client.removed" | "delivery.retried" | "signin.failed" | "signin.locked" | "factor.enrolled" | "factor.removed";
            session_id: string | null;
            user_id: string | null;
            client_id: string | null;
            reason: string | null;
            actor: string | null;
        };
        Delivery: {
            /** @description For a pushed SET, its jti. */
            id: string;
            /** @description A back-channel logout token, or a SET pushed to a Shared Signals stream. */
            kind: "backchannel_logout" | "ssf_push";
            /** @description The application, or the Shared Signals receiver that owns the stream. */
            client_id: string;
            /** @description The Shared Signals stream of a pushed SET. */
            stream_id: string | null;
            session_id: string;
            user_id: string;
            /** @description The sid of the logout token (empty for a pushed SET). */
            sid: string;
            /** @description Why the session ended; for a pushed SET, its event type. */
            reason: string;
            status: "pending" | "failed" | "delivered";
            attempts: number;
            /** Format: date-time */
            created_at: string;
            next_attempt_at: string | null;
            finished_at: string | null;
            retried_at: string | null;
            last_error: string | null;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listSessions: {
        parameters: {
            query?: {
                /** @description Only this user's sessions. */
                user_id?: string;
                /** @description Only sessions this client took part in. */
                client_id?: string;
                /** @description true: only live sessions; false: only ended or expired ones. */
                active?: boolean;
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of sessions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: components["schemas"]["Session"][];
                        /** @description Pass as `cursor` for the next page; null at the end. */
                        next_cursor: string | null;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listUserSessions: {
        parameters: {
            query?: {
                /** @description Only sessions this client took part in. */
                client_id?: string;
                /** @description true: only live sessions; false: only ended or expired ones. */
                active?: boolean;
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the user's sessions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: components["schemas"]["Session"][];
                        /** @description Pass as `cursor` for the next page; null at the end. */
                        next_cursor: string | null;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                session_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    endSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                session_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ended (or already ended). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    logoutUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Also revoke the user's offline_access refresh tokens.
                     * @default false
                     */
                    revoke_offline_tokens?: boolean;
                };
            };
        };
        responses: {
            /** @description How many sessions ended. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description How many sessions this call ended. */
                        ended: number;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query?: {
                /** @description Only the user with this username. */
                username?: string;
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: components["schemas"]["User"][];
                        /** @description Pass as `cursor` for the next page; null at the end. */
                        next_cursor: string | null;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username: string;
                    password: string;
                    claims?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The change conflicts with what exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; how many sessions ended. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description How many sessions this call ended. */
                        ended: number;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Ends the user's sessions. */
                    password?: string;
                    claims?: {
                        [key: string]: unknown;
                    };
                    /** @description true ends the user's sessions. */
                    disabled?: boolean;
                };
            };
        };
        responses: {
            /** @description The user as changed, and how many sessions the change ended. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: components["schemas"]["User"];
                        /** @description How many sessions this change ended. */
                        ended_sessions: number;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listClients: {
        parameters: {
            query?: {
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of clients. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        clients: components["schemas"]["Client"][];
                        /** @description Pass as `cursor` for the next page; null at the end. */
                        next_cursor: string | null;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    registerClient: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Generated when left out. */
                    client_id?: string;
                    client_name?: string;
                    redirect_uris?: string[];
                    post_logout_redirect_uris?: string[];
                    backchannel_logout_uri?: string;
                    backchannel_logout_session_required?: boolean;
                    frontchannel_logout_uri?: string;
                    frontchannel_logout_session_required?: boolean;
                    token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post" | "none";
                    grant_types?: ("authorization_code" | "refresh_token" | "client_credentials")[];
                    response_types?: "code"[];
                    scope?: string;
                    id_token_signed_response_alg?: "RS256" | "ES256";
                    /** @description jwt (RFC 9068, the default) or opaque: read only through introspection and userinfo. */
                    access_token_format?: "jwt" | "opaque";
                    require_consent?: boolean;
                    require_pkce?: boolean;
                    allowed_origins?: string[];
                    default_max_age?: number;
                    /** @description Seconds, or a duration such as "15m". */
                    max_auth_age?: number | string;
                    /** @description Seconds, or a duration such as "15m". */
                    max_idle?: number | string;
                    default_acr_values?: string[];
                    require_acr?: string;
                    /** @description Seconds, or a duration such as "15m". */
                    max_factor_age?: number | string;
                    require_logout_confirmation?: boolean;
                    logo_uri?: string;
                    policy_uri?: string;
                    tos_uri?: string;
                };
            };
        };
        responses: {
            /** @description Registered. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        client: components["schemas"]["Client"];
                        /** @description A confidential client's secret: shown this once, only its hash is kept. */
                        client_secret?: string;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The change conflicts with what exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The client. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replaceClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Generated when left out. */
                    client_id?: string;
                    client_name?: string;
                    redirect_uris?: string[];
                    post_logout_redirect_uris?: string[];
                    backchannel_logout_uri?: string;
                    backchannel_logout_session_required?: boolean;
                    frontchannel_logout_uri?: string;
                    frontchannel_logout_session_required?: boolean;
                    token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post" | "none";
                    grant_types?: ("authorization_code" | "refresh_token" | "client_credentials")[];
                    response_types?: "code"[];
                    scope?: string;
                    id_token_signed_response_alg?: "RS256" | "ES256";
                    /** @description jwt (RFC 9068, the default) or opaque: read only through introspection and userinfo. */
                    access_token_format?: "jwt" | "opaque";
                    require_consent?: boolean;
                    require_pkce?: boolean;
                    allowed_origins?: string[];
                    default_max_age?: number;
                    /** @description Seconds, or a duration such as "15m". */
                    max_auth_age?: number | string;
                    /** @description Seconds, or a duration such as "15m". */
                    max_idle?: number | string;
                    default_acr_values?: string[];
                    require_acr?: string;
                    /** @description Seconds, or a duration such as "15m". */
                    max_factor_age?: number | string;
                    require_logout_confirmation?: boolean;
                    logo_uri?: string;
                    policy_uri?: string;
                    tos_uri?: string;
                };
            };
        };
        responses: {
            /** @description The client as replaced. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The change conflicts with what exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is larger than 16 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    removeClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The change conflicts with what exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                user_id?: string;
                session_id?: string;
                type?: "session.created" | "session.reauthenticated" | "session.stepped_up" | "session.ended" | "account.created" | "account.updated" | "account.deleted" | "account.linked" | "client.registered" | "client.updated" | "client.removed" | "delivery.retried" | "signin.failed" | "signin.locked" | "factor.enrolled" | "factor.removed";
                /** @description The next_cursor of the previous page; none starts at the oldest event. */
                after?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["Event"][];
                        /** @description Pass as `after` to continue; an empty page means caught up: ask again later with the same cursor. */
                        next_cursor: string;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDeliveries: {
        parameters: {
            query?: {
                status?: "pending" | "failed" | "delivered";
                client_id?: string;
                session_id?: string;
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of deliveries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: components["schemas"]["Delivery"][];
                        /** @description Pass as `cursor` for the next page; null at the end. */
                        next_cursor: string | null;
                    };
                };
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retryDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                delivery_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Due now. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed: a parameter or the body fails its schema, or a cursor is not one this API issued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No access token, or one that is not valid for this API (WWW-Authenticate: Bearer, RFC 6750 §3). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token lacks the scope this call needs (error="insufficient_scope"). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is unavailable; try again after Retry-After seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
