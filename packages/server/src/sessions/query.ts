import type { Account } from '../accounts/store.js';
import type { Client } from '../clients/store.js';
import { type Clock, nowSeconds } from '../clock.js';
import { cutPage, decodeCursor, isKeyNumber, isKeyString, pageLimit } from '../util/paging.js';
import { isLive } from './browser.js';
import type { FactorMethod } from './factors.js';
import type { EndReason, Participant, Session, SessionKey, SessionStore } from './store.js';
import { describeUserAgent } from './user-agent.js';

/**
 * The session view every adapter shows (CLI, admin API, devices page — issue 12 §1, §3). Times
 * are seconds since the epoch; an HTTP adapter formats them as RFC 3339. `id` is the session's
 * own id: never the browser cookie's value, never a client's `sid`.
 */
export interface SessionView {
  id: string;
  /** The account's id, which is its `sub`. */
  user_id: string;
  username: string | null;
  /** Open and neither expiry reached at the time of the query. */
  active: boolean;
  created_at: number;
  authenticated_at: number;
  last_active_at: number;
  idle_expires_at: number;
  expires_at: number;
  ended_at: number | null;
  end_reason: EndReason | null;
  ended_by: string | null;
  remember_me: boolean;
  amr: string[];
  acr: string;
  /** Each factor the session verified, with when (issue 14 §2: Okta's lastFactorVerification, Auth0's authentication.methods). */
  factors: { method: FactorMethod; verified_at: number }[];
  /** browser, os and device_type describe the last user agent (sessions/user-agent.ts). */
  device: {
    initial_ip: string;
    initial_user_agent: string;
    last_ip: string;
    last_user_agent: string;
    browser: string | null;
    os: string | null;
    device_type: string | null;
  };
  clients: { client_id: string; client_name: string | null; sid: string; first_authenticated_at: number; last_authenticated_at: number }[];
}

/** The slice of the store a session query reads. */
export type SessionQueryStore = Pick<SessionStore, 'pageSessions' | 'sessionById' | 'participantsOf'> & {
  accountById(id: string): Promise<Account | undefined>;
  clientById(id: string): Promise<Client | undefined>;
};

export interface SessionQueryDeps {
  store: SessionQueryStore;
  clock: Clock;
}

export interface SessionListQuery {
  accountId?: string | undefined;
  clientId?: string | undefined;
  active?: boolean | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** A cursor's key: the (created_at, id) of the last session of its page. */
const sessionKey = (cursor: string): SessionKey =>
  decodeCursor(cursor, ([createdAt, id]) => (isKeyNumber(createdAt) && isKeyString(id) ? { createdAt, id } : undefined));

/** Builds a view from records; `names` resolve the username and each client's name. */
export const toSessionView = (
  s: Session,
  participants: readonly Participant[],
  names: { username: string | undefined; clientName: (clientId: string) => string | undefined },
  now: number,
): SessionView => ({
  id: s.id,
  user_id: s.accountId,
  username: names.username ?? null,
  active: isLive(s, now),
  created_at: s.createdAt,
  authenticated_at: s.authTime,
  last_active_at: s.lastSeen,
  idle_expires_at: s.idleExpiresAt,
  expires_at: s.absoluteExpiresAt,
  ended_at: s.endedAt ?? null,
  end_reason: s.endReason ?? null,
  ended_by: s.endedBy ?? null,
  remember_me: s.rememberMe,
  amr: [...s.amr],
  acr: s.acr,
  factors: s.factors.map((f) => ({ method: f.method, verified_at: f.at })),
  device: {
    initial_ip: s.createdIp,
    initial_user_agent: s.createdUserAgent,
    last_ip: s.lastIp,
    last_user_agent: s.lastUserAgent,
    ...describeUserAgent(s.lastUserAgent),
  },
  clients: participants.map((p) => ({
    client_id: p.clientId,
    client_name: names.clientName(p.clientId) ?? null,
    sid: p.sid,
    first_authenticated_at: p.firstAuthAt,
    last_authenticated_at: p.lastAuthAt,
  })),
});

/** A deleted account is a tombstone: its sessions show no username. */
const usernameOf = (a: Account | undefined): string | undefined => (a?.deletedAt === undefined ? a?.username : undefined);

/** Views of sessions with their participants, each account and client looked up once. */
const viewsOf = async (deps: SessionQueryDeps, sessions: readonly Session[], participants: readonly Participant[][], now: number): Promise<SessionView[]> => {
  const lookUp = async <T>(ids: Iterable<string>, find: (id: string) => Promise<T | undefined>) =>
    new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await find(id)] as const)));
  const accounts = await lookUp(sessions.map((s) => s.accountId), (id) => deps.store.accountById(id));
  const clients = await lookUp(participants.flat().map((p) => p.clientId), (id) => deps.store.clientById(id));
  return sessions.map((s, i) =>
    toSessionView(s, participants[i] ?? [], { username: usernameOf(accounts.get(s.accountId)), clientName: (c) => clients.get(c)?.client_name }, now),
  );
};

/**
 * A page of sessions, newest first. `next_cursor` continues after the page's last session and is
 * null when nothing follows; pages stay consistent while sessions are created meanwhile.
 */
export const listSessionViews = async (deps: SessionQueryDeps, q: SessionListQuery): Promise<{ sessions: SessionView[]; next_cursor: string | null }> => {
  const limit = pageLimit(q.limit);
  const now = nowSeconds(deps.clock);
  const rows = await deps.store.pageSessions({
    accountId: q.accountId,
    clientId: q.clientId,
    live: q.active === undefined ? undefined : { live: q.active, at: now },
    after: q.cursor === undefined ? undefined : sessionKey(q.cursor),
    limit: limit + 1,
  });
  const page = cutPage(rows, limit, (s) => [s.createdAt, s.id]);
  return {
    sessions: await viewsOf(deps, page.rows, await Promise.all(page.rows.map((s) => deps.store.participantsOf(s.id))), now),
    next_cursor: page.next_cursor,
  };
};

/** One session with the records its view was built from (the CLI prints those too). */
export const sessionDetail = async (
  deps: SessionQueryDeps,
  id: string,
): Promise<{ view: SessionView; session: Session; participants: Participant[] } | undefined> => {
  const session = await deps.store.sessionById(id);
  if (!session) return undefined;
  const participants = await deps.store.participantsOf(id);
  const [view] = await viewsOf(deps, [session], [participants], nowSeconds(deps.clock));
  return view && { view, session, participants };
};

export const getSessionView = async (deps: SessionQueryDeps, id: string): Promise<SessionView | undefined> => (await sessionDetail(deps, id))?.view;
