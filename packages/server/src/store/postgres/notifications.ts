import pg from 'pg';
import type { Q } from './db.js';

/** The channel on which a write that makes deliveries due wakes every instance's worker. */
export const OUTBOX_CHANNEL = 'signoff_outbox';
/** The channel on which a change to the signing keys tells every instance's KeyRing (store/postgres/keys.ts). */
export const KEYS_CHANNEL = 'signoff_keys';
/** The channel on which a change to the clients tells every instance's copy (clients/cache.ts). */
export const CLIENTS_CHANNEL = 'signoff_clients';

/** How often the LISTEN connection is checked, and how long the check may take. */
export interface Heartbeat {
  intervalMs: number;
  timeoutMs: number;
}
const HEARTBEAT: Heartbeat = { intervalMs: 15_000, timeoutMs: 5000 };

/** Queues the wake-up inside the caller's transaction: PostgreSQL delivers it when that commits. */
export const notifyOutbox = (q: Q): Promise<number> => q.run(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);

/**
 * A number that moves with this instance's own writes to some tables (`bump` after each) and with
 * every notification on the channel, which every writer sends in its transaction; undefined while
 * the LISTEN connection is not confirmed (not yet opened, or lost), so that a notification missed
 * then cannot leave a stale copy trusted. What a process-local copy is checked against (signing
 * keys, clients); the SQLite twin is store/sqlite/change-version.ts. Listens from the first check.
 */
export const notifiedVersion = (notifications: OutboxNotifications): { bump: () => void; current: () => number | undefined } => {
  let version = 0;
  let watching = false;
  return {
    bump: () => {
      version++;
    },
    current: () => {
      if (!watching) {
        watching = true;
        notifications.watch(() => {
          version++;
        });
      }
      return notifications.listening ? version : undefined;
    },
  };
};

/**
 * One LISTEN connection per instance and channel (issue 11 §2): an ending on any instance wakes the
 * workers of all of them at once, so fan-out latency does not wait for `backchannel.pollInterval`;
 * on KEYS_CHANNEL a key change reaches every KeyRing. When the connection drops it reconnects with
 * backoff, and wakes the listeners once it is back (a notification sent meanwhile was lost; the
 * poll would find its rows too, only later). `listening` is true only between a confirmed LISTEN
 * and the loss of its connection: while it is false, a notification may be missed unnoticed.
 */
export class OutboxNotifications {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private delayMs = 500;
  private closed = false;
  private confirmed = false;

  constructor(
    private readonly url: string,
    private readonly heartbeatEvery: Heartbeat = HEARTBEAT,
    private readonly channel: string = OUTBOX_CHANNEL,
  ) {}

  /** Whether every notification on the channel reaches the listeners now (see the class comment). */
  get listening(): boolean {
    return this.confirmed;
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retry) void this.connect();
    return () => {
      this.listeners.delete(listener);
    };
  }

  private wake(): void {
    for (const l of this.listeners) l();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: 5000, application_name: `signoff ${this.channel}` });
    this.client = client;
    let reconnecting = false;
    const lost = () => {
      if (reconnecting || this.closed) return;
      reconnecting = true;
      this.confirmed = false;
      this.client = undefined;
      clearInterval(this.heartbeat);
      void client.end().catch(() => undefined);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        void this.connect();
      }, this.delayMs);
      this.retry.unref();
      this.delayMs = Math.min(this.delayMs * 2, 10_000);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (reconnecting) return;
      this.confirmed = true;
      this.delayMs = 500;
      this.wake();
      // A network that drops packets sends no reset: without a query now and then, this
      // connection would be found dead only by the kernel's keepalive, hours later.
      this.heartbeat = setInterval(() => {
        client.query({ text: 'SELECT 1', query_timeout: this.heartbeatEvery.timeoutMs } as pg.QueryConfig).catch(lost);
      }, this.heartbeatEvery.intervalMs);
      this.heartbeat.unref();
    } catch {
      lost();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.confirmed = false;
    if (this.retry) clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
