import type { Account } from '../accounts/store.js';
import type { AuthorizationCode } from '../tokens/token-store.js';
import type { UpstreamSession } from '../upstreams/store.js';
import type { VerifiedFactor } from './factors.js';

/**
 * The SSO session records — browser, session, participant — and their storage port. Times are
 * seconds since the epoch; the browser cookie's secret is only ever stored as its SHA-256.
 */

export interface Browser {
  id: string;
  secretHash: string;
  createdAt: number;
}

export interface Session {
  id: string;
  browserId: string;
  accountId: string;
  createdAt: number;
  authTime: number;
  lastSeen: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  amr: string[];
  acr: string;
  /** Each factor verified for this session, with its time (issue 14 §2); amr and acr follow from them. */
  factors: VerifiedFactor[];
  rememberMe: boolean;
  createdIp: string;
  createdUserAgent: string;
  lastIp: string;
  lastUserAgent: string;
  endedAt?: number | undefined;
  endReason?: EndReason | undefined;
  /** Who ended it: `user`, `client:<id>`, `admin:<name>`, `system`. */
  endedBy?: string | undefined;
}

/** Why a session ended; every ending goes through sessions/end.ts. */
export const END_REASONS = ['logout', 'admin', 'expired_idle', 'expired_absolute', 'password_changed', 'account_disabled', 'account_deleted', 'limit', 'upstream_logout'] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Which sessions to end: one, every one of a browser or of an account, those whose idle or
 * absolute expiry — whichever came first — has passed by the given time, or the oldest ones past
 * an account's session limit.
 */
export type SessionSelector =
  | { sessionId: string }
  | { browserId: string }
  | { accountId: string }
  /** The account's open sessions but one: "sign out my other devices" (issue 13 §1). */
  | { accountId: string; exceptSessionId: string }
  | { idleExpiredBy: number }
  | { absoluteExpiredBy: number }
  /** The account's live sessions beyond its `keep` newest (the concurrent-session limit). */
  | { overLimitOf: string; keep: number; liveAt: number }
  /**
   * The sessions signed in through an upstream session that upstream ended (Back-Channel Logout
   * §2.7): its `sid`, or every session of its `sub`; with both, the sid's session if it is the sub's.
   */
  | { upstreamId: string; sid?: string | undefined; subject?: string | undefined };

export interface SessionEnding {
  reason: EndReason;
  actor: string;
  at: number;
  /**
   * With the `{ accountId }` selector: also revoke every token family of the account, its
   * offline_access ones included, which an ending otherwise spares (OIDC Core §11) — a password
   * change, a disabled account, or "log out everywhere" asked with revoke_offline_tokens (issue 12
   * §1). Done even when no session was open. Other selectors ignore it.
   */
  revokeOfflineTokens?: boolean | undefined;
  /** The ending's span as a W3C traceparent, kept on its outbox rows (issue 17 §2). */
  traceParent?: string | undefined;
}

/** A session the ending path ended, with the clients that were signed in through it. */
export interface EndedSession {
  id: string;
  browserId: string;
  accountId: string;
  participants: Participant[];
}

/** A client signed in through a session, with the `sid` that client sees (OIDC FCL/BCL §1). */
export interface Participant {
  sessionId: string;
  clientId: string;
  sid: string;
  firstAuthAt: number;
  /** Last authorization of this client in this session, written when due (policy.ts participantTouchDue). */
  lastAuthAt: number;
  /**
   * Last authorization or refresh by this client in this session (per-client idle limit), written
   * when due: at most once a minute and once per tenth of the shorter idle limit.
   */
  lastSeenAt: number;
}

/**
 * An authorization's writes (SessionStore.recordAuthorization): the code, and the participant when
 * it is new to the session or its last-seen is due. The code's sid is then the stored
 * participant's — another request may have made it first — else the sid of the one the caller read.
 */
export interface AuthorizationRecord {
  participant?: Participant | undefined;
  code: AuthorizationCode;
}

/** Participants grouped by session, in their order (an ending returns each session's own). */
export const participantsBySession = (participants: readonly Participant[]): Map<string, Participant[]> => {
  const grouped = new Map<string, Participant[]>();
  for (const p of participants) {
    const list = grouped.get(p.sessionId);
    if (list) list.push(p);
    else grouped.set(p.sessionId, [p]);
  }
  return grouped;
};

export type SessionPatch = Partial<Omit<Session, 'id' | 'browserId' | 'accountId' | 'createdAt' | 'endedAt' | 'endReason' | 'endedBy'>>;

export interface SessionFilter {
  accountId?: string | undefined;
  browserId?: string | undefined;
  /** Include ended sessions (newest first); otherwise only open ones. */
  includeEnded?: boolean | undefined;
  limit: number;
}

/** Where a page of sessions starts: strictly after this session in the (created_at DESC, id) order. */
export interface SessionKey {
  createdAt: number;
  id: string;
}

/**
 * A keyset-paged query (sessions/query.ts): newest first, ties by id, so a page boundary is a
 * position in a total order and sessions inserted meanwhile cause neither duplicates nor gaps.
 */
export interface SessionPageQuery {
  accountId?: string | undefined;
  /** Only sessions the client signed in through (a participant of this client). */
  clientId?: string | undefined;
  /** true: live at `at` (open, neither expiry reached); false: the rest (ended or expired). */
  live?: { live: boolean; at: number } | undefined;
  after?: SessionKey | undefined;
  limit: number;
}

/** One sign-in's writes (SessionStore.recordSignIn). */
export interface SignInRecord {
  /** The browser with its new cookie secret hash; `createdAt` counts only when the browser is new. */
  browser: Browser;
  /** The sign-in's span as a W3C traceparent, kept on the outbox rows of the sessions the limit ends (issue 17 §2). */
  traceParent?: string | undefined;
  /** The session to create when the browser has no live one for this account. */
  session: Session;
  /** The account's concurrent-session limit, enforced when a session is created. */
  maxSessionsPerAccount?: number | undefined;
  /** The authorization the sign-in completes at once, when there is no consent to ask. */
  authorization?: SignInAuthorization | undefined;
  /** The live session verified a further factor (issue 14 §3): its event is `session.stepped_up`, not `session.reauthenticated`. */
  steppedUp?: boolean | undefined;
  /** The upstream session the sign-in came through (issue 15 §1), recorded for the session in the same transaction. */
  upstream?: Omit<UpstreamSession, 'sessionId'> | undefined;
}

/**
 * The participant and authorization code of a sign-in that answers its authorization request
 * at once. The code's account, session, sid, auth time, acr and amr come from the session.
 */
export interface SignInAuthorization {
  /** The interaction the sign-in answers, consumed once in the same transaction. */
  interactionId: string;
  clientId: string;
  /** The sid of a new participant; an existing participant of (session, client) keeps its own. */
  sid: string;
  code: { hash: string; redirectUri: string; scope: string[]; nonce?: string | undefined; codeChallenge?: string | undefined; expiresAt: number };
}

export interface SignInResult {
  /** The created session, or the browser's live one for the account, re-authenticated. */
  session: Session;
  created: boolean;
  /** Sessions the sign-in ended: a stale one of this (browser, account), those over the limit. */
  endings: { reason: EndReason; sessions: EndedSession[] }[];
  /** The participant the code was issued to, when the record carried an authorization. */
  participant?: Participant | undefined;
}

export interface SessionStore {
  /**
   * A sign-in as one transaction (issue 11 §1): inserts the browser or replaces its secret hash;
   * ends an open but expired session of this (browser, account) through the ending path; then
   * re-authenticates the live one (auth time, last seen, amr, acr, remember-me, idle expiry, last
   * IP and user agent from `session`; absolute expiry the later of the two) or inserts `session`
   * and ends the account's sessions over the limit; and appends `session.reauthenticated` or
   * `session.created`. At most one open session per (browser, account) is a unique index, so a
   * concurrent sign-in for the same pair resolves to the one open session, never to two or an
   * error: an adapter whose transactions can interleave (PostgreSQL under READ COMMITTED) inserts
   * with ON CONFLICT (browser_id, account_id) WHERE ended_at IS NULL DO NOTHING and, when that
   * inserted nothing, re-authenticates the row that won. With an authorization it first consumes the interaction — when that is already gone
   * nothing is written and the answer is undefined — and then upserts the participant and
   * inserts the code. All or nothing.
   */
  recordSignIn(record: SignInRecord): Promise<SignInResult | undefined>;
  insertBrowser(browser: Browser): Promise<void>;
  browserById(id: string): Promise<Browser | undefined>;
  /**
   * The browser and its sessions that have not been ended, newest authentication first (as
   * openSessionsOfBrowser), and the accounts they belong to (each once, disabled or not: the
   * caller decides): every request with a browser cookie starts with it, so it is one read
   * (PostgreSQL: one statement; SQLite: the accounts by key after the one statement).
   */
  browserWithOpenSessions(id: string): Promise<{ browser: Browser; sessions: Session[]; accounts: Account[] } | undefined>;
  updateBrowserSecret(id: string, secretHash: string): Promise<void>;
  insertSession(session: Session): Promise<void>;
  sessionById(id: string): Promise<Session | undefined>;
  /** Sessions of the browser that have not been ended, newest authentication first. */
  openSessionsOfBrowser(browserId: string): Promise<Session[]>;
  /** Activity and re-authentication only: ending goes through endSessions. */
  updateSession(id: string, patch: SessionPatch): Promise<void>;
  /** Inserts the participant unless one exists for (session, client); returns the stored one. */
  upsertParticipant(p: Participant): Promise<Participant>;
  /**
   * An authorization with a live session (issue 18, P1): upserts the participant, when given, as
   * upsertParticipant does and inserts the code with the stored participant's sid; all or nothing,
   * one commit. Returns the sid the code carries.
   */
  recordAuthorization(record: AuthorizationRecord): Promise<string>;
  participantBySid(sid: string): Promise<Participant | undefined>;
  participantsOf(sessionId: string): Promise<Participant[]>;
  touchParticipant(sessionId: string, clientId: string, at: number): Promise<void>;
  listSessions(filter: SessionFilter): Promise<Session[]>;
  /** A page of sessions in (created_at DESC, id) order after `query.after`, at most `limit`. */
  pageSessions(query: SessionPageQuery): Promise<Session[]>;
  /** How many sessions are live at `now` (not ended, neither expiry passed): a metrics gauge. */
  countLiveSessions(now: number): Promise<number>;
  /**
   * The one ending path's transaction (DESIGN.md "One way to end a session"): marks the selected
   * open sessions ended, revokes their token families except offline_access ones, writes one
   * outbox row per participant whose client has a backchannel_logout_uri and one `session.ended`
   * event per session — all or nothing. Sessions already ended are left alone, so concurrent
   * callers (several instances' sweepers) end each session once. `ending.revokeOfflineTokens`
   * with an `{ accountId }` selector revokes the account's offline_access families too.
   */
  endSessions(selector: SessionSelector, ending: SessionEnding): Promise<EndedSession[]>;
}
