import type { Account } from '../../accounts/store.js';
import type { Client } from '../../clients/store.js';
import type { LogoutDelivery } from '../../logout/back-channel/outbox.js';
import type { Interaction } from '../../oauth/authorize/interaction-store.js';
import type { AuditEvent } from '../../sessions/events.js';
import type { EndReason, Participant, Session } from '../../sessions/store.js';
import type { SigningKey } from '../../tokens/key-store.js';
import type { AuthorizationCode, RefreshToken, TokenFamily } from '../../tokens/token-store.js';

/** Row ⇄ record mapping for the SQLite store; scopes are space-separated, lists and maps JSON. */
type Row = Record<string, unknown>;

const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));
const scope = (v: unknown): string[] => (v as string).split(' ').filter(Boolean);
export const joinScope = (s: readonly string[]): string => s.join(' ');

export const toAccount = (r: Row): Account => ({
  id: r.id as string,
  username: r.username as string,
  passwordHash: r.password_hash as string,
  claims: JSON.parse(r.claims as string) as Record<string, unknown>,
  disabled: r.disabled === 1,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
});

export const toClient = (r: Row): Client => ({
  ...(JSON.parse(r.metadata as string) as Omit<Client, 'client_secret_hash' | 'source'>),
  client_secret_hash: opt<string>(r.secret_hash),
  source: r.source as Client['source'],
});

export const toKey = (r: Row): SigningKey => ({
  kid: r.kid as string,
  alg: r.alg as SigningKey['alg'],
  privateJwk: JSON.parse(r.private_jwk as string) as Record<string, unknown>,
  publicJwk: JSON.parse(r.public_jwk as string) as Record<string, unknown>,
  createdAt: r.created_at as number,
  activatesAt: opt<number>(r.activates_at),
  retiredAt: opt<number>(r.retired_at),
  publishUntil: opt<number>(r.publish_until),
  revokedAt: opt<number>(r.revoked_at),
});

export const toSession = (r: Row): Session => ({
  id: r.id as string,
  browserId: r.browser_id as string,
  accountId: r.account_id as string,
  createdAt: r.created_at as number,
  authTime: r.auth_time as number,
  lastSeen: r.last_seen as number,
  idleExpiresAt: r.idle_expires_at as number,
  absoluteExpiresAt: r.absolute_expires_at as number,
  amr: JSON.parse(r.amr as string) as string[],
  acr: r.acr as string,
  rememberMe: r.remember_me === 1,
  createdIp: r.created_ip as string,
  createdUserAgent: r.created_user_agent as string,
  lastIp: r.last_ip as string,
  lastUserAgent: r.last_user_agent as string,
  endedAt: opt<number>(r.ended_at),
  endReason: opt<EndReason>(r.end_reason),
  endedBy: opt<string>(r.ended_by),
});

/** Session fields to their columns, for partial updates. */
export const SESSION_COLUMNS: Readonly<Record<string, string>> = {
  authTime: 'auth_time',
  lastSeen: 'last_seen',
  idleExpiresAt: 'idle_expires_at',
  absoluteExpiresAt: 'absolute_expires_at',
  amr: 'amr',
  acr: 'acr',
  rememberMe: 'remember_me',
  createdIp: 'created_ip',
  createdUserAgent: 'created_user_agent',
  lastIp: 'last_ip',
  lastUserAgent: 'last_user_agent',
};

export const sessionValue = (field: string, value: unknown): unknown =>
  field === 'amr' ? JSON.stringify(value) : field === 'rememberMe' ? (value ? 1 : 0) : (value ?? null);

export const toParticipant = (r: Row): Participant => ({
  sessionId: r.session_id as string,
  clientId: r.client_id as string,
  sid: r.sid as string,
  firstAuthAt: r.first_auth_at as number,
  lastAuthAt: r.last_auth_at as number,
  lastSeenAt: r.last_seen_at as number,
});

export const toInteraction = (r: Row): Interaction => ({
  id: r.id as string,
  bindingHash: r.binding_hash as string,
  csrfToken: r.csrf_token as string,
  request: JSON.parse(r.request as string) as Record<string, unknown>,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  sessionId: opt<string>(r.session_id),
  step: r.step as Interaction['step'],
});

export const toCode = (r: Row): AuthorizationCode => ({
  hash: r.hash as string,
  clientId: r.client_id as string,
  accountId: r.account_id as string,
  sessionId: r.session_id as string,
  sid: r.sid as string,
  redirectUri: r.redirect_uri as string,
  scope: scope(r.scope),
  nonce: opt<string>(r.nonce),
  codeChallenge: opt<string>(r.code_challenge),
  authTime: r.auth_time as number,
  acr: r.acr as string,
  amr: JSON.parse(r.amr as string) as string[],
  expiresAt: r.expires_at as number,
  familyId: opt<string>(r.family_id),
  usedAt: opt<number>(r.used_at),
});

export const toFamily = (r: Row): TokenFamily => ({
  id: r.id as string,
  clientId: r.client_id as string,
  accountId: r.account_id as string,
  sessionId: r.session_id as string,
  offline: r.offline === 1,
  sid: r.sid as string,
  scope: scope(r.scope),
  authTime: r.auth_time as number,
  acr: r.acr as string,
  amr: JSON.parse(r.amr as string) as string[],
  createdAt: r.created_at as number,
  revokedAt: opt<number>(r.revoked_at),
});

export const toRefreshToken = (r: Row): RefreshToken => ({
  hash: r.hash as string,
  familyId: r.family_id as string,
  clientId: r.client_id as string,
  scope: scope(r.scope),
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  usedAt: opt<number>(r.used_at),
});

export const toEvent = (r: Row): AuditEvent => ({
  id: r.id as number,
  at: r.at as number,
  type: r.type as AuditEvent['type'],
  sessionId: opt<string>(r.session_id),
  accountId: opt<string>(r.account_id),
  clientId: opt<string>(r.client_id),
  reason: opt<string>(r.reason),
  actor: opt<string>(r.actor),
});

export const toDelivery = (r: Row): LogoutDelivery => ({
  id: r.id as string,
  clientId: r.client_id as string,
  sessionId: r.session_id as string,
  accountId: r.account_id as string,
  sid: r.sid as string,
  reason: r.reason as EndReason,
  createdAt: r.created_at as number,
  status: r.status as LogoutDelivery['status'],
  attempts: r.attempts as number,
  nextAttemptAt: r.next_attempt_at as number,
  lastError: opt<string>(r.last_error),
  finishedAt: opt<number>(r.finished_at),
  leaseOwner: opt<string>(r.lease_owner),
  leaseUntil: opt<number>(r.lease_until),
  retriedAt: opt<number>(r.retried_at),
});
