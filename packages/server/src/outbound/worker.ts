import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { DeliveryStore, LogoutDelivery } from '../logout/back-channel/outbox.js';
import { retryDelayMs } from './backoff.js';
import type { DeliveryKind } from './kind.js';
import { type AttemptOutcome, sendMessage } from './send.js';
import { SpanKind, type Span, contextOfTraceParent, failSpan, inSpan, logCorrelation } from '../telemetry/trace.js';

export interface DeliverySettings {
  /** At most this many attempts in flight at once, per process. */
  concurrency: number;
  /**
   * At most this many of them to one client: an application that hangs holds its slots for the
   * attempt timeout, and must not hold them all while other applications wait.
   */
  concurrencyPerClient: number;
  attemptTimeoutMs: number;
  /**
   * Retries go on this long after the ending (or an operator's retry), the last one at that time
   * itself; a row whose attempt then fails is marked failed.
   */
  giveUpAfterSeconds: number;
  /** How often the store is checked for rows other processes wrote (the CLI) or that became due. */
  pollIntervalMs: number;
  allowPrivateNetworks: boolean;
  /** How long `stop` waits for attempts in flight before it cuts them off and releases their rows. */
  shutdownGraceMs: number;
}

/** What the worker reports, for metrics; the store stays the record of truth. */
export interface DeliveryObserver {
  delivered(d: LogoutDelivery, latencySeconds: number): void;
  retried(d: LogoutDelivery): void;
  failed(d: LogoutDelivery): void;
}

export interface DeliveryLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerDeps {
  store: DeliveryStore;
  /** What each row's `kind` sends and how its answers are judged (issue 16 §1). */
  kinds: readonly DeliveryKind[];
  clock: Clock;
  settings: DeliverySettings;
  log: DeliveryLog;
  observer?: DeliveryObserver | undefined;
  /** The delay before the next attempt after `attempts` tries (tests shorten it). */
  backoff?: ((attempts: number) => number) | undefined;
  /** The HTTP sender (tests stand in for it). */
  send?: typeof sendMessage | undefined;
}

/**
 * Slack beyond the attempt timeout before a lease lapses: covers signing and recording, so a
 * lease only lapses when its holder died — never while its attempt can still be on the wire.
 */
const LEASE_SLACK_SECONDS = 5;

/** The back-channel kind's name, for the log lines and metrics that predate other kinds. */
const BACKCHANNEL = 'backchannel_logout';

/** How log lines name a row's kind: back-channel rows keep the words they always had. */
const kindWords = (kind: string): string => (kind === BACKCHANNEL ? 'back-channel logout' : kind);

/**
 * The outbound delivery worker (DESIGN.md "Back-channel delivery"; issue 16 §1): drains the
 * outbox that the ending path (back-channel logout tokens) and the signals (SETs pushed to
 * Shared Signals streams) fill. Rows are claimed with a lease, so several processes on one store
 * never send the same attempt at once; each attempt's message is made by the row's kind (a fresh
 * logout token each time, Back-Channel Logout 1.0 §2.4; the same SET each time) and its outcome
 * is recorded before the lease is let go. Delivery is at least once: a process that
 * dies after the application answered but before recording it leaves the row to be sent again
 * when the lease lapses, which is why receivers must tolerate a repeat.
 */
export class DeliveryWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts in flight per receiving client (a push stream's receiver for an ssf_push row). */
  private readonly perClient = new Map<string, number>();
  private readonly kinds: ReadonlyMap<string, DeliveryKind>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private poller: NodeJS.Timeout | undefined;
  /** Cuts off every attempt in flight when a shutdown's grace runs out. */
  private abort = new AbortController();
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private scheduled = false;
  /** Successes waiting for the next group commit, and whether one is under way (settleDelivered). */
  private toSettle: { row: LogoutDelivery; settled: (ok: boolean) => void; failed: (err: unknown) => void }[] = [];
  private settling = false;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.kinds = new Map(deps.kinds.map((k) => [k.kind, k]));
  }

  /** Starts polling and, at once, resumes whatever is due (rows survive restarts). */
  start(): void {
    this.running = true;
    this.abort = new AbortController();
    this.poller = setInterval(this.wake, this.deps.settings.pollIntervalMs);
    this.poller.unref();
    this.wake();
  }

  /** Looks for due rows soon, outside the caller's stack: the caller never waits for delivery. */
  readonly wake = (): void => {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  };

  /**
   * Stops claiming and gives the attempts in flight `shutdownGraceMs` to finish — not the attempt
   * timeout, which can pass a container's grace period (issue 10 §7). What is still in flight
   * then is cut off and its rows are released in one statement: due at once, the cut-off attempt
   * not counted, so another instance (or the next start) sends them without waiting for a lease
   * to lapse. Returns how many rows were released.
   */
  async stop(): Promise<number> {
    this.running = false;
    clearInterval(this.poller);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.pumping; // a claim under way: its rows are tracked before the wait below
    if (this.inFlight.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.deps.settings.shutdownGraceMs)));
    const cutOff = await Promise.race([Promise.allSettled([...this.inFlight]).then(() => false), graceOver]);
    clearTimeout(timer);
    if (!cutOff) return 0;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]); // an aborted attempt settles at once and records nothing
    const released = await this.deps.store.releaseDeliveries(this.owner, this.nowSeconds());
    if (released > 0) {
      this.deps.log.warn(
        { released, shutdownGraceSeconds: this.deps.settings.shutdownGraceMs / 1000 },
        'shutdown grace ran out: outbound attempts (back-channel logout, Shared Signals push) still in flight were cut off and their deliveries released; another instance or the next start sends them at once',
      );
    }
    return released;
  }

  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = this.drain().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        const { concurrency, concurrencyPerClient } = this.deps.settings;
        while (this.running) {
          // A claim takes no more than one client may have in flight, so a client that fills
          // its share is skipped by the next claim and the rest goes to other clients.
          const limit = Math.min(concurrency - this.inFlight.size, concurrencyPerClient);
          if (limit <= 0) break;
          const rows = await this.deps.store.claimDeliveries({
            owner: this.owner,
            now: this.nowSeconds(),
            leaseSeconds: this.deps.settings.attemptTimeoutMs / 1000 + LEASE_SLACK_SECONDS,
            limit,
            skipClients: [...this.perClient].filter(([, n]) => n >= concurrencyPerClient).map(([client]) => client),
          });
          for (const row of rows) this.track(row.clientId, this.attempt(row));
          if (rows.length < limit) break;
        }
      } while (this.again && this.running);
    } catch (err) {
      this.deps.log.error({ err }, 'claiming outbound deliveries (back-channel logout, Shared Signals push) failed; retrying at the next poll');
    }
  }

  private track(clientId: string, attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    this.perClient.set(clientId, (this.perClient.get(clientId) ?? 0) + 1);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      const left = (this.perClient.get(clientId) ?? 1) - 1;
      if (left > 0) this.perClient.set(clientId, left);
      else this.perClient.delete(clientId);
      this.wake();
    });
  }

  private nowSeconds(): number {
    return this.deps.clock.nowMs() / 1000;
  }

  /**
   * One attempt, traced as a client span (issue 17 §2) whose parent is the ending that queued the
   * row (its stored traceparent), so a logout's deliveries and their retries are one trace.
   */
  private attempt(row: LogoutDelivery): Promise<void> {
    const attributes = { 'signoff.delivery.id': row.id, 'signoff.delivery.kind': row.kind, 'signoff.client_id': row.clientId, 'signoff.delivery.attempt': row.attempts };
    return inSpan(
      'signoff.delivery.attempt',
      attributes,
      async (span) => {
        try {
          const outcome = await this.send(row);
          traceOutcome(span, outcome);
          await this.record(row, outcome);
        } catch (err) {
          // The lease lapses and another attempt follows: nothing is lost.
          failSpan(span, 'the attempt could not be completed');
          this.deps.log.error({ err, delivery: row.id, kind: row.kind, ...logCorrelation() }, `${kindWords(row.kind)} attempt could not be completed; it will be retried`);
        }
      },
      { kind: SpanKind.CLIENT, parent: contextOfTraceParent(row.traceParent) },
    );
  }

  private async send(row: LogoutDelivery): Promise<AttemptOutcome> {
    const { settings } = this.deps;
    const kind = this.kinds.get(row.kind);
    // A row written by a newer version, or for a feature this process does not run: kept as
    // failed with the reason, for an operator to retry where it is known.
    if (!kind) return { kind: 'failed', error: `unknown delivery kind "${row.kind}": this process sends ${[...this.kinds.keys()].join(', ') || 'no kind'}` };
    const message = await kind.prepare(row);
    if ('failed' in message) return { kind: 'failed', error: message.failed };
    return (this.deps.send ?? sendMessage)(message, (status, body) => kind.judge(status, body), {
      timeoutMs: settings.attemptTimeoutMs,
      allowPrivateNetworks: settings.allowPrivateNetworks,
      signal: this.abort.signal,
    });
  }

  private async record(row: LogoutDelivery, outcome: AttemptOutcome): Promise<void> {
    const { store, observer, settings } = this.deps;
    const now = this.nowSeconds();
    if (outcome.kind === 'aborted') return; // stop() releases the row
    if (outcome.kind === 'delivered') {
      if (!(await this.settleDelivered(row))) return;
      observer?.delivered(row, Math.max(0, now - row.createdAt));
      return;
    }
    if (outcome.kind === 'retry') {
      // Tries go on until the give-up time itself: a retry the backoff would put past it is
      // made at that time instead, and only a failure at or after it is final (issue 10 §7).
      const start = row.retriedAt ?? row.createdAt;
      const giveUpAt = start + settings.giveUpAfterSeconds;
      if (now < giveUpAt) {
        const next = Math.min(now + (this.deps.backoff ?? retryDelayMs)(row.attempts) / 1000, giveUpAt);
        if (await store.rescheduleDelivery(row.id, this.owner, next, outcome.error)) observer?.retried(row);
        const delayMs = (next - now) * 1000;
        if (delayMs < settings.pollIntervalMs) this.wakeAfter(delayMs);
        return;
      }
      const over = Math.round(now - start);
      outcome = { kind: 'failed', error: `gave up after ${row.attempts} attempt(s) over ${over} s (backchannel.giveUpAfter ${settings.giveUpAfterSeconds} s); last: ${outcome.error}` };
    }
    if (await store.markDeliveryFailed(row.id, this.owner, Math.floor(now), outcome.error)) {
      observer?.failed(row);
      this.deps.log.warn(
        row.kind === BACKCHANNEL
          ? { delivery: row.id, client: row.clientId, session: row.sessionId, attempts: row.attempts, reason: outcome.error, ...logCorrelation() }
          : { delivery: row.id, kind: row.kind, client: row.clientId, stream: row.streamId, attempts: row.attempts, reason: outcome.error, ...logCorrelation() },
        `${kindWords(row.kind)} delivery failed; listed by \`signoff deliveries list --status failed\``,
      );
    }
  }

  /**
   * Records a success in the next group commit (issue 18 P4): while one commit is under way the
   * successes that arrive wait and go together in the next, so a fan-out of twenty tokens costs a
   * few commits, not twenty, and no success waits longer than one commit before its own. The
   * attempt stays in flight until its row is settled, so the lease and `stop()` see it as before;
   * a process that dies before the commit leaves the row leased, and it is sent again when the
   * lease lapses (at least once). The same statement brings forward what waits in backoff for
   * the clients that answered (issue 10 §7).
   */
  private settleDelivered(row: LogoutDelivery): Promise<boolean> {
    return new Promise((settled, failed) => {
      this.toSettle.push({ row, settled, failed });
      if (!this.settling) void this.commitSettled();
    });
  }

  private async commitSettled(): Promise<void> {
    this.settling = true;
    try {
      while (this.toSettle.length > 0) {
        const batch = this.toSettle;
        this.toSettle = [];
        const now = this.nowSeconds();
        try {
          const { delivered, broughtForward } = await this.deps.store.markDeliveredAll(batch.map((b) => b.row.id), this.owner, Math.floor(now), now);
          const done = new Set(delivered);
          for (const b of batch) b.settled(done.has(b.row.id));
          // The application answers again: what waits in backoff from its outage goes now, not
          // over the next minutes (issue 10 §7). The per-client share still paces them.
          if (broughtForward > 0) this.wake();
        } catch (err) {
          for (const b of batch) b.failed(err);
        }
      }
    } finally {
      this.settling = false;
    }
  }

  private wakeAfter(ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}

/** What an attempt's span records of its outcome: the answer's status, or why it failed. */
const traceOutcome = (span: Span, outcome: AttemptOutcome): void => {
  span.setAttribute('signoff.delivery.outcome', outcome.kind);
  if (outcome.kind === 'delivered') span.setAttribute('http.response.status_code', outcome.status);
  else if (outcome.kind === 'retry' || outcome.kind === 'failed') failSpan(span, outcome.error);
};
