/**
 * Client metadata, named as in RFC 7591 §2 and the OpenID Connect registration and logout
 * specifications, plus Signoff's own per-client settings (require_consent, require_pkce,
 * allowed_origins, max_auth_age, max_idle, require_logout_confirmation). The secret itself is never kept: only its SHA-256.
 */
export interface ClientMetadata {
  client_id: string;
  client_name?: string | undefined;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri?: string | undefined;
  backchannel_logout_session_required: boolean;
  frontchannel_logout_uri?: string | undefined;
  frontchannel_logout_session_required: boolean;
  token_endpoint_auth_method: AuthMethod;
  grant_types: GrantType[];
  response_types: 'code'[];
  scope: string;
  id_token_signed_response_alg: SigningAlg;
  /**
   * Signoff (issue 18): "jwt" (RFC 9068, the default) or "opaque" — sealed for the provider alone,
   * read through introspection (RFC 7662) and userinfo; one signature fewer per token response.
   */
  access_token_format?: AccessTokenFormat | undefined;
  require_consent: boolean;
  require_pkce: boolean;
  allowed_origins: string[];
  /** OIDC Registration §2: the max_age used when a request has none. */
  default_max_age?: number | undefined;
  /** Signoff: a hard limit on the age of the authentication this client accepts (seconds). */
  max_auth_age?: number | undefined;
  /** Signoff: after this long without an authorization or refresh by this client, it needs a fresh sign-in. */
  max_idle?: number | undefined;
  /** OIDC Registration §2: the acr values asked for when a request names none (issue 14 §3). */
  default_acr_values?: string[] | undefined;
  /** Signoff: the lowest acr this client accepts; a request cannot lower it (issue 14 §3). */
  require_acr?: string | undefined;
  /** Signoff: a second factor older than this (seconds) no longer counts for this client (issue 14 §3). */
  max_factor_age?: number | undefined;
  /** Signoff: ask the user before signing out even when this client sends a valid id_token_hint. */
  require_logout_confirmation?: boolean | undefined;
  /** RFC 7591 §2: the client's logo, shown on the sign-in, chooser and consent pages. */
  logo_uri?: string | undefined;
  /** RFC 7591 §2: how the client uses the user's data, linked from the consent page. */
  policy_uri?: string | undefined;
  /** RFC 7591 §2: the client's terms of service, linked from the consent page. */
  tos_uri?: string | undefined;
}

export interface Client extends ClientMetadata {
  client_secret_hash?: string | undefined;
  /** Where it was registered: the configuration file (which owns it), the CLI or the admin API. */
  source: 'config' | 'cli' | 'api';
}

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const ACCESS_TOKEN_FORMATS = ['jwt', 'opaque'] as const;
export type AccessTokenFormat = (typeof ACCESS_TOKEN_FORMATS)[number];
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The registered clients; the configuration seeds them (registry.ts), `signoff clients` edits them. */
export interface ClientStore {
  upsertClient(client: Client): Promise<void>;
  clientById(id: string): Promise<Client | undefined>;
  /** The clients among `ids` that exist, in one statement (a logout's front-channel page, a burst of deliveries: issue 18 P4). */
  clientsById(ids: readonly string[]): Promise<Client[]>;
  listClients(): Promise<Client[]>;
  removeClient(id: string): Promise<boolean>;
  /**
   * Moves with every write to the clients, by this process at once and by any other before this
   * process can read the change; undefined while the store cannot vouch for that (clients/cache.ts).
   */
  clientsVersion(): number | undefined;
}
