import { storedFactors } from '../../sessions/factors.js';
import type { EndReason, Participant, Session } from '../../sessions/store.js';
import type { Q, Row } from './db.js';
import { opt } from './rows.js';

/** Session and participant rows ⇄ records, shared by sessions.ts, the ending and the sign-in transactions. */

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
  rememberMe: r.remember_me === true,
  createdIp: r.created_ip as string,
  createdUserAgent: r.created_user_agent as string,
  lastIp: r.last_ip as string,
  lastUserAgent: r.last_user_agent as string,
  endedAt: opt<number>(r.ended_at),
  endReason: opt<EndReason>(r.end_reason),
  endedBy: opt<string>(r.ended_by),
});

/** Every column toSession reads, for statements that name theirs (db.ts Named). */
export const SESSION_ROW = `id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at, amr, acr, factors,
  remember_me, created_ip, created_user_agent, last_ip, last_user_agent, ended_at, end_reason, ended_by`;

/** Every column toParticipant reads. */
export const PARTICIPANT_ROW = 'session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at';

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
  field === 'amr' || field === 'factors' ? JSON.stringify(value) : field === 'rememberMe' ? Boolean(value) : (value ?? null);

export const INSERT_SESSION_HEAD = `INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at,
    absolute_expires_at, amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent, ended_at, end_reason, factors)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`;

export const sessionValues = (s: Session): unknown[] => [
  s.id, s.browserId, s.accountId, s.createdAt, s.authTime, s.lastSeen, s.idleExpiresAt, s.absoluteExpiresAt,
  JSON.stringify(s.amr), s.acr, s.rememberMe, s.createdIp, s.createdUserAgent, s.lastIp, s.lastUserAgent, s.endedAt ?? null, s.endReason ?? null,
  JSON.stringify(s.factors),
];

export const insertSessionRow = (q: Q, s: Session): Promise<number> => q.run(INSERT_SESSION_HEAD, sessionValues(s));

export const toParticipant = (r: Row): Participant => ({
  sessionId: r.session_id as string,
  clientId: r.client_id as string,
  sid: r.sid as string,
  firstAuthAt: r.first_auth_at as number,
  lastAuthAt: r.last_auth_at as number,
  lastSeenAt: r.last_seen_at as number,
});

/** Inserts the participant unless (session, client) has one, whose sid and first authentication stay. */
export const upsertParticipantRow = async (q: Q, p: Participant): Promise<Participant> =>
  toParticipant(
    (await q.one(
      `INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (session_id, client_id) DO UPDATE SET last_auth_at = excluded.last_auth_at, last_seen_at = excluded.last_seen_at
       RETURNING *`,
      [p.sessionId, p.clientId, p.sid, p.firstAuthAt, p.lastAuthAt, p.lastSeenAt],
    )) as Row,
  );
