import type { EndReason } from '../../sessions/store.js';

/** The back-channel logout outbox: its rows and their storage port, drained by worker.ts. */

/**
 * One signed message owed to a receiver: a back-channel logout notification owed to a client
 * (Back-Channel Logout 1.0 §2.5), or a SET owed to a Shared Signals push stream (issue 16).
 */
export interface LogoutDelivery {
  id: string;
  /** `backchannel_logout` or `ssf_push` (outbound/kind.ts). */
  kind: string;
  /** An ssf_push row's stream. */
  streamId?: string | undefined;
  /** An ssf_push row's event (signals/events.ts SignalEvent, as JSON). */
  payload?: string | undefined;
  clientId: string;
  sessionId: string;
  accountId: string;
  sid: string;
  reason: EndReason;
  createdAt: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError?: string | undefined;
  finishedAt?: number | undefined;
  /** The worker that holds the current attempt, until `leaseUntil` (DESIGN.md "Back-channel delivery"). */
  leaseOwner?: string | undefined;
  leaseUntil?: number | undefined;
  /** When an operator last asked for a retry: the give-up time counts from here, not from createdAt. */
  retriedAt?: number | undefined;
  /** The W3C traceparent of the ending that queued the row: its attempts' spans join that trace (issue 17 §2). */
  traceParent?: string | undefined;
}

export type DeliveryStatus = LogoutDelivery['status'];

/** What a delivery worker asks for: due rows, leased to `owner` until now + leaseSeconds. */
export interface DeliveryClaim {
  owner: string;
  now: number;
  leaseSeconds: number;
  limit: number;
  /** Clients whose rows are not claimed now (they have as many attempts in flight as they may). */
  skipClients?: readonly string[] | undefined;
}

/** A row to queue: due at `nextAttemptAt` (its `createdAt` when not given), pending, no attempt yet. */
export type NewDelivery = Pick<LogoutDelivery, 'id' | 'kind' | 'streamId' | 'payload' | 'clientId' | 'sessionId' | 'accountId' | 'sid' | 'reason' | 'createdAt'> & {
  nextAttemptAt?: number | undefined;
};

export interface DeliveryStore {
  /**
   * Queues rows in one statement and wakes every instance's worker (PostgreSQL): the signals
   * code's ssf_push rows, tests' rows of any kind. The ending path writes its back-channel rows
   * in its own transaction (store ending.ts), not through this.
   */
  insertDeliveries(rows: readonly NewDelivery[]): Promise<void>;
  /** Rows oldest first (created_at, then id in byte order), after the row keyed `after`; each filter narrows. */
  listDeliveries(query: {
    status?: DeliveryStatus | undefined;
    sessionId?: string | undefined;
    clientId?: string | undefined;
    after?: { createdAt: number; id: string } | undefined;
    limit: number;
  }): Promise<LogoutDelivery[]>;
  /**
   * Leases up to `limit` pending rows that are due and not leased (or whose lease expired) and
   * counts the attempt, in one atomic statement: several workers on one store never hold the
   * same row at once. Times may be fractional seconds.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<LogoutDelivery[]>;
  /** The outcome of a leased attempt; false (and no change) when `owner` no longer holds the lease. */
  markDelivered(id: string, owner: string, at: number): Promise<boolean>;
  /**
   * The successful attempts of one worker, settled together (the worker's group commit, issue 18
   * P4): each of `ids` that `owner` still holds becomes delivered at `at`, and the pending rows of
   * their clients that wait for a later retry become due at `now`, as `bringDeliveriesForward`
   * does (their application answers again) — one statement on PostgreSQL, one transaction on
   * SQLite. Returns the ids settled (a row whose lease was lost is not) and how many rows were
   * brought forward.
   */
  markDeliveredAll(ids: readonly string[], owner: string, at: number, now: number): Promise<{ delivered: string[]; broughtForward: number }>;
  rescheduleDelivery(id: string, owner: string, nextAttemptAt: number, error: string): Promise<boolean>;
  markDeliveryFailed(id: string, owner: string, at: number, error: string): Promise<boolean>;
  /**
   * Hands back every pending row `owner` holds (a shutdown cut its attempts off), in one
   * statement: lease cleared, due at `now` at the latest, the cut-off attempt not counted.
   * Returns how many rows were released.
   */
  releaseDeliveries(owner: string, now: number): Promise<number>;
  /**
   * Makes every pending row of `clientId` that waits for a later retry due at `now`, in one
   * statement (its application answered again: the backoff no longer has a reason). Returns how
   * many rows were brought forward.
   */
  bringDeliveriesForward(clientId: string, now: number): Promise<number>;
  /** An operator's retry: a failed or pending row becomes due now, its attempt count and give-up window restart. */
  retryDelivery(id: string, now: number): Promise<boolean>;
  /**
   * An operator's retry of several rows, all or none, in one statement: when one of `ids` is not
   * a pending or failed row nothing changes and `unknown` names those ids.
   */
  retryDeliveries(ids: readonly string[], now: number): Promise<{ retried: number; unknown: string[] }>;
  /** An operator's retry of every pending or failed row of one client, in one statement; returns how many. */
  retryClientDeliveries(clientId: string, now: number): Promise<number>;
  countDeliveries(): Promise<Record<DeliveryStatus, number>>;
  /**
   * Calls `listener` when another process may have made deliveries due — an ending, a retry, a
   * release — so that every instance's worker starts at once; returns how to stop. PostgreSQL:
   * LISTEN/NOTIFY. SQLite has no such signal: its workers' poll finds other processes' rows.
   */
  watchOutbox(listener: () => void): () => void;
}
