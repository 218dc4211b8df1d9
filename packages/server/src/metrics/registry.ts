import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryObserver } from '../logout/back-channel/worker.js';
import type { DeliveryStore } from '../store/types.js';

/**
 * The provider's Prometheus metrics (served on GET /metrics). The pending and failed gauges are
 * read from the store at scrape time, so they count every process's rows; the counters and the
 * histogram count what this process's worker did since it started.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries: DeliveryObserver;

  constructor(store: Pick<DeliveryStore, 'countDeliveries'>) {
    let counts: Promise<Awaited<ReturnType<DeliveryStore['countDeliveries']>>> | undefined;
    // One store query per scrape, shared by both gauges.
    const statusGauge = (name: string, help: string, status: 'pending' | 'failed') =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          counts ??= store.countDeliveries().finally(() => setImmediate(() => (counts = undefined)));
          this.set((await counts)[status]);
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
    this.deliveries = {
      delivered: (_d, seconds) => {
        delivered.inc();
        latency.observe(seconds);
      },
      retried: () => retried.inc(),
      failed: () => failed.inc(),
    };
  }
}
