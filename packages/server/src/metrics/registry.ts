import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import type { DeliveryStore } from '../logout/back-channel/outbox.js';
import type { DeliveryObserver } from '../outbound/worker.js';
import type { ThrottleKind } from '../accounts/throttle.js';
import type { EndReason, SessionStore } from '../sessions/store.js';

/**
 * Why a sign-in failed, as far as the provider may tell itself (the user is never told):
 * `throttled` is an attempt refused unverified while its counters were delayed or locked (issue 14 §4).
 */
export type SignInFailure = 'invalid_credentials' | 'missing_credentials' | 'throttled' | 'invalid_factor';

/** Below Prometheus's default scrape timeout (10 s), with room for the rest of the scrape. */
export const GAUGE_READ_TIMEOUT_MS = 2000;

/**
 * A gauge read from the store is NaN while the store cannot be read, or does not answer within
 * GAUGE_READ_TIMEOUT_MS (issue 11 §2: a lost database): one failing gauge would otherwise fail
 * the whole scrape with a 500, or hold it past the scraper's timeout, and the counters of this
 * process, which need no store, would be lost with it. Readiness (/readyz) says why.
 */
const unknownWhenUnreadable = (value: Promise<number>): Promise<number> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(Number.NaN), GAUGE_READ_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([value.catch(() => Number.NaN), late]).finally(() => clearTimeout(timer));
};

/**
 * The provider's Prometheus metrics (served on GET /metrics of the management listener). The
 * gauges (open sessions, pending and failed notifications) are read from the store at scrape
 * time, so they count every process's rows; the counters and histograms count what this process
 * did since it started (an ending done by the `signoff` CLI is counted by the CLI's process, and
 * so appears in the audit events, not here).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries: DeliveryObserver;
  private readonly signIns: Counter<'outcome' | 'reason'>;
  private readonly locks: Counter<'kind'>;
  private readonly endings: Counter<'reason'>;
  private readonly tokens: Counter<'grant_type'>;
  private readonly mails: Counter<'kind' | 'outcome'>;
  private readonly http: Histogram<'route' | 'method' | 'status_class'>;

  constructor(store: Pick<DeliveryStore, 'countDeliveries'> & Pick<SessionStore, 'countLiveSessions'>, clock: Clock) {
    let counts: Promise<Awaited<ReturnType<DeliveryStore['countDeliveries']>>> | undefined;
    // One store query per scrape, shared by both gauges.
    const statusGauge = (name: string, help: string, status: 'pending' | 'failed') =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          counts ??= store.countDeliveries().finally(() => setImmediate(() => (counts = undefined)));
          this.set(await unknownWhenUnreadable(counts.then((c) => c[status])));
        },
      });
    statusGauge('signoff_backchannel_pending', 'Back-channel logout notifications not yet delivered (all processes).', 'pending');
    statusGauge('signoff_backchannel_failed', 'Back-channel logout notifications marked failed and kept for an operator (all processes).', 'failed');
    const delivered = new Counter({ name: 'signoff_backchannel_delivered_total', help: 'Back-channel logout notifications delivered (200/204).', registers: [this.registry] });
    const retried = new Counter({ name: 'signoff_backchannel_retried_total', help: 'Attempts that failed recoverably and were rescheduled.', registers: [this.registry] });
    const failed = new Counter({ name: 'signoff_backchannel_failed_total', help: 'Notifications marked failed (terminal answer, refused target, or give-up time reached).', registers: [this.registry] });
    const latency = new Histogram({
      name: 'signoff_backchannel_delivery_latency_seconds',
      help: 'From the session ending (recorded to the second) to the application accepting the logout token.',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400],
      registers: [this.registry],
    });
    new Gauge({
      name: 'signoff_sessions_open',
      help: 'SSO sessions live now: not ended and neither expiry passed (all processes).',
      registers: [this.registry],
      async collect() {
        this.set(await unknownWhenUnreadable(store.countLiveSessions(nowSeconds(clock))));
      },
    });
    this.signIns = new Counter({
      name: 'signoff_sign_ins_total',
      help: 'Password sign-ins by outcome (succeeded, failed) and, for failures, reason.',
      labelNames: ['outcome', 'reason'],
      registers: [this.registry],
    });
    this.locks = new Counter({
      name: 'signoff_sign_in_locks_total',
      help: 'Sign-in throttle counters that failed sign-ins locked, by kind (account, pair, address).',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.endings = new Counter({
      name: 'signoff_sessions_ended_total',
      help: 'SSO sessions ended through the ending path, by reason (logout, admin, expired_idle, ...).',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.tokens = new Counter({
      name: 'signoff_tokens_issued_total',
      help: 'Successful token endpoint responses, by grant type.',
      labelNames: ['grant_type'],
      registers: [this.registry],
    });
    this.mails = new Counter({
      name: 'signoff_email_total',
      help: 'Mail this process handed to the SMTP relay, by kind (password_reset, notice_*) and outcome (sent, failed).',
      labelNames: ['kind', 'outcome'],
      registers: [this.registry],
    });
    this.http = new Histogram({
      name: 'signoff_http_request_duration_seconds',
      help: 'Public HTTP requests: time to respond, by route pattern, method and status class.',
      labelNames: ['route', 'method', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    // Every kind of the outbound engine (issue 16 §1), by kind; the signoff_backchannel_*
    // counters above keep counting back-channel logout tokens only, as they always did.
    const outbound = new Counter({
      name: 'signoff_outbound_deliveries_total',
      help: 'Outbound delivery attempts recorded, by kind (backchannel_logout, ssf_push) and outcome (delivered, retried, failed).',
      labelNames: ['kind', 'outcome'],
      registers: [this.registry],
    });
    const backChannel = (d: { kind: string }): boolean => d.kind === 'backchannel_logout';
    this.deliveries = {
      delivered: (d, seconds) => {
        outbound.inc({ kind: d.kind, outcome: 'delivered' });
        if (!backChannel(d)) return;
        delivered.inc();
        latency.observe(seconds);
      },
      retried: (d) => {
        outbound.inc({ kind: d.kind, outcome: 'retried' });
        if (backChannel(d)) retried.inc();
      },
      failed: (d) => {
        outbound.inc({ kind: d.kind, outcome: 'failed' });
        if (backChannel(d)) failed.inc();
      },
    };
  }

  /** One mail handed to the SMTP relay, or not (issue 17 §4: a failure is logged and counted, never the user's error). */
  mailSent(kind: string, outcome: 'sent' | 'failed'): void {
    this.mails.inc({ kind, outcome });
  }

  signInSucceeded(): void {
    this.signIns.inc({ outcome: 'succeeded' });
  }

  signInFailed(reason: SignInFailure): void {
    this.signIns.inc({ outcome: 'failed', reason });
  }

  signInLocked(kind: ThrottleKind): void {
    this.locks.inc({ kind });
  }

  sessionsEnded(reason: EndReason, count: number): void {
    if (count > 0) this.endings.inc({ reason }, count);
  }

  tokenIssued(grantType: string): void {
    this.tokens.inc({ grant_type: grantType });
  }

  /** `route` is the matched route pattern (e.g. /interaction/:id/login); unmatched requests share one label. */
  httpRequest(route: string | undefined, method: string, status: number, seconds: number): void {
    this.http.observe({ route: route ?? 'unmatched', method, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }
}
