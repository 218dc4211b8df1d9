/**
 * The one error registry. Every failure the provider reports to a caller is a SignoffError with a
 * stable `code`; this table maps each code to the OAuth 2.0 / OpenID Connect `error` value and the
 * HTTP status it is reported with (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6).
 */
export const ERRORS = {
  invalid_request: { error: 'invalid_request', status: 400 },
  invalid_client: { error: 'invalid_client', status: 401 },
  invalid_grant: { error: 'invalid_grant', status: 400 },
  unauthorized_client: { error: 'unauthorized_client', status: 400 },
  unsupported_grant_type: { error: 'unsupported_grant_type', status: 400 },
  unsupported_response_type: { error: 'unsupported_response_type', status: 400 },
  unsupported_token_type: { error: 'unsupported_token_type', status: 400 },
  invalid_scope: { error: 'invalid_scope', status: 400 },
  access_denied: { error: 'access_denied', status: 400 },
  login_required: { error: 'login_required', status: 400 },
  consent_required: { error: 'consent_required', status: 400 },
  interaction_required: { error: 'interaction_required', status: 400 },
  account_selection_required: { error: 'account_selection_required', status: 400 },
  request_not_supported: { error: 'request_not_supported', status: 400 },
  request_uri_not_supported: { error: 'request_uri_not_supported', status: 400 },
  invalid_token: { error: 'invalid_token', status: 401 },
  /** No bearer token at all: 401 with a bare challenge (RFC 6750 §3.1). */
  token_required: { error: 'invalid_request', status: 401 },
  /** The client or redirect URI is unknown: the browser must not be redirected (RFC 6749 §4.1.2.1). */
  invalid_redirect: { error: 'invalid_request', status: 400 },
  unknown_client: { error: 'invalid_client', status: 400 },
  interaction_expired: { error: 'invalid_request', status: 400 },
  csrf: { error: 'invalid_request', status: 403 },
  not_found: { error: 'not_found', status: 404 },
  /** SSF 1.0 §8.1.1.1: the receiver may have no more streams. */
  conflict: { error: 'conflict', status: 409 },
  /** SSF 1.0 §8.1.1 min_verification_interval: verification asked for too often. */
  too_many_requests: { error: 'too_many_requests', status: 429 },
  /** SSF 1.0 §8.1: a feature the transmitter does not implement. */
  not_implemented: { error: 'not_implemented', status: 501 },
  /** RFC 6750 §3.1: a valid token without the scope the call needs. */
  insufficient_scope: { error: 'insufficient_scope', status: 403 },
  method_not_allowed: { error: 'invalid_request', status: 405 },
  payload_too_large: { error: 'invalid_request', status: 413 },
  unsupported_media_type: { error: 'invalid_request', status: 415 },
  temporarily_unavailable: { error: 'temporarily_unavailable', status: 503 },
  server_error: { error: 'server_error', status: 500 },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class SignoffError extends Error {
  readonly code: ErrorCode;
  /** Safe to show to the caller (`error_description`). */
  readonly description: string;
  /** Logged, never shown. */
  readonly debug: string | undefined;

  constructor(code: ErrorCode, description: string, debug?: string) {
    super(`${code}: ${description}`);
    this.name = 'SignoffError';
    this.code = code;
    this.description = description;
    this.debug = debug;
  }

  get oauthError(): string {
    return ERRORS[this.code].error;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** Throws; declared as a function so TypeScript narrows after a call to it. */
export function fail(code: ErrorCode, description: string, debug?: string): never {
  throw new SignoffError(code, description, debug);
}
