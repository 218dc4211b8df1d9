import { storedFactors } from '../../sessions/factors.js';
import type { EndReason, Participant, Session } from '../../sessions/store.js';
import { type Row, type Sql, opt } from './sql.js';

/** Session and participant rows ⇄ records, shared by sessions.ts and the ending transaction. */

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
  factors: storedFactors(r.factors, JSON.parse(r.amr as string) as string[], r.auth_time as number),
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
  factors: 'factors',
  rememberMe: 'remember_me',
  createdIp: 'created_ip',
  createdUserAgent: 'created_user_agent',
  lastIp: 'last_ip',
  lastUserAgent: 'last_user_agent',
};

export const sessionValue = (field: string, value: unknown): unknown =>
  field === 'amr' || field === 'factors' ? JSON.stringify(value) : field === 'rememberMe' ? (value ? 1 : 0) : (value ?? null);

export const toParticipant = (r: Row): Participant => ({
  sessionId: r.session_id as string,
  clientId: r.client_id as string,
  sid: r.sid as string,
  firstAuthAt: r.first_auth_at as number,
  lastAuthAt: r.last_auth_at as number,
  lastSeenAt: r.last_seen_at as number,
});

/** Inserts the participant unless (session, client) has one, whose sid and first authentication stay. */
export const upsertParticipantRow = (sql: Sql, p: Participant): Participant =>
  toParticipant(
    sql.one(
      `INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, client_id) DO UPDATE SET last_auth_at = excluded.last_auth_at, last_seen_at = excluded.last_seen_at
       RETURNING *`,
      p.sessionId, p.clientId, p.sid, p.firstAuthAt, p.lastAuthAt, p.lastSeenAt,
    ) as Row,
  );
