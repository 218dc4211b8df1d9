import { backChannelLogoutKind } from './logout/back-channel/kind.js';
import { DeliveryWorker, type DeliveryLog, type DeliveryWorkerDeps } from './outbound/worker.js';
import type { Provider } from './provider.js';
import { type MakeSet, ssfPushKind } from './signals/push.js';
import { makeSetFor } from './signals/set.js';

/**
 * Starts this process's outbound delivery worker — back-channel logout tokens and Shared Signals
 * SETs pushed to streams (issue 16 §1) — with the configured settings, attaches it to the
 * provider's outbox signal and returns how to stop it (waiting for attempts in flight at most
 * `backchannel.shutdownGrace`, then releasing the rest; resolves to how many were released).
 */
export const startDeliveries = (
  p: Provider,
  log: DeliveryLog,
  overrides: Pick<Partial<DeliveryWorkerDeps>, 'backoff' | 'send'> & { settings?: Partial<DeliveryWorkerDeps['settings']>; makeSet?: MakeSet | undefined } = {},
): (() => Promise<number>) => {
  const b = p.config.backchannel;
  const worker = new DeliveryWorker({
    store: p.store,
    kinds: [
      backChannelLogoutKind({ store: p.store, keys: p.keys, clock: p.clock, issuer: p.config.issuer }),
      ssfPushKind({ makeSet: overrides.makeSet ?? makeSetFor({ keys: p.keys, issuer: p.config.issuer, streams: p.store }) }),
    ],
    clock: p.clock,
    log,
    observer: p.metrics.deliveries,
    settings: {
      concurrency: b.concurrency,
      concurrencyPerClient: b.concurrencyPerClient,
      attemptTimeoutMs: b.attemptTimeout * 1000,
      giveUpAfterSeconds: b.giveUpAfter,
      pollIntervalMs: b.pollInterval * 1000,
      shutdownGraceMs: b.shutdownGrace * 1000,
      allowPrivateNetworks: p.config.outbound.allowPrivateNetworks,
      ...overrides.settings,
    },
    backoff: overrides.backoff,
    send: overrides.send,
  });
  const detach = p.outbox.attach(worker.wake);
  // Endings and retries on other instances (PostgreSQL) wake this worker too.
  const unwatch = p.store.watchOutbox(worker.wake);
  worker.start();
  return async () => {
    detach();
    unwatch();
    return worker.stop();
  };
};
