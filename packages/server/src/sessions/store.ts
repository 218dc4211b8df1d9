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
export const END_REASONS = ['logout', 'admin', 'expired_idle', 'expired_absolute', 'password_changed', 'account_disabled', 'limit'] as const;
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
  | { idleExpiredBy: number }
  | { absoluteExpiredBy: number }
  /** The account's live sessions beyond its `keep` newest (the concurrent-session limit). */
  | { overLimitOf: string; keep: number; liveAt: number };

export interface SessionEnding {
  reason: EndReason;
  actor: string;
  at: number;
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
  lastAuthAt: number;
  /** Last authorization or refresh by this client in this session (per-client idle limit). */
  lastSeenAt: number;
}

export type SessionPatch = Partial<Omit<Session, 'id' | 'browserId' | 'accountId' | 'createdAt' | 'endedAt' | 'endReason' | 'endedBy'>>;

export interface SessionFilter {
  accountId?: string | undefined;
  browserId?: string | undefined;
  /** Include ended sessions (newest first); otherwise only open ones. */
  includeEnded?: boolean | undefined;
  limit: number;
}

export interface SessionStore {
  insertBrowser(browser: Browser): Promise<void>;
  browserById(id: string): Promise<Browser | undefined>;
  updateBrowserSecret(id: string, secretHash: string): Promise<void>;
  insertSession(session: Session): Promise<void>;
  sessionById(id: string): Promise<Session | undefined>;
  /** Sessions of the browser that have not been ended, newest authentication first. */
  openSessionsOfBrowser(browserId: string): Promise<Session[]>;
  /** Activity and re-authentication only: ending goes through endSessions. */
  updateSession(id: string, patch: SessionPatch): Promise<void>;
  /** Inserts the participant unless one exists for (session, client); returns the stored one. */
  upsertParticipant(p: Participant): Promise<Participant>;
  participantBySid(sid: string): Promise<Participant | undefined>;
  participantsOf(sessionId: string): Promise<Participant[]>;
  touchParticipant(sessionId: string, clientId: string, at: number): Promise<void>;
  listSessions(filter: SessionFilter): Promise<Session[]>;
  /** How many sessions are live at `now` (not ended, neither expiry passed): a metrics gauge. */
  countLiveSessions(now: number): Promise<number>;
  /**
   * The one ending path's transaction (DESIGN.md "One way to end a session"): marks the selected
   * open sessions ended, revokes their token families except offline_access ones, writes one
   * outbox row per participant whose client has a backchannel_logout_uri and one `session.ended`
   * event per session — all or nothing. Sessions already ended are left alone, so concurrent
   * callers (several instances' sweepers) end each session once.
   */
  endSessions(selector: SessionSelector, ending: SessionEnding): Promise<EndedSession[]>;
}
