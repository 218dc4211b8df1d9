/**
 * The PostgreSQL pool and the timers when the database goes away under them (issue 11 §2 "Bad
 * situations"), in this process: a connection lost inside a transaction, a network that drops
 * packets (test/helpers/tcp-link.ts), a housekeeping sweep that does not end.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { systemClock } from '../src/clock.js';
import { SignoffError } from '../src/errors.js';
import { startHousekeeping } from '../src/housekeeping.js';
import type { Provider } from '../src/provider.js';
import { Db } from '../src/store/postgres/db.js';
import { OutboxNotifications } from '../src/store/postgres/notifications.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { eventually } from './helpers/receiver.js';
import { startTcpLinkTo } from './helpers/tcp-link.js';

const postgresServer = usePostgres();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A fresh database and a TCP link in front of it, both undone after the file. */
const linkedDatabase = async () => {
  const db = await freshDatabase(await postgresServer());
  cleanups.push(db.drop);
  const link = await startTcpLinkTo(db.url);
  cleanups.push(link.close);
  return { db, link };
};

describe('a connection lost inside a transaction (issue 11 §2)', () => {
  it('the transaction fails with temporarily_unavailable (a 503), the process does not crash, and the next one runs on a new connection', { timeout: 20_000 }, async () => {
    const { db, link } = await linkedDatabase();
    const store = new Db(link.via(db.url), 2);
    cleanups.push(() => store.pool.end());
    // Between two statements of the transaction, its connection is checked out of the pool: the
    // pool no longer listens for its 'error' event, and one nobody hears ends the process.
    const lost = store.tx(async (q) => {
      await q.one('SELECT 1 AS one');
      link.cut();
      await sleep(200);
      return q.one('SELECT 2 AS two');
    });
    await assert.rejects(lost, (err: unknown) => err instanceof SignoffError && err.code === 'temporarily_unavailable');
    link.restore();
    assert.deepEqual(await store.tx((q) => q.one('SELECT 3 AS three')), { three: 3 });
  });
});

describe('a network that drops packets: statements and connections are bounded in time (issue 11 §2)', () => {
  it('a statement, a transaction and a new connection each fail with temporarily_unavailable within their timeout rather than hanging; once the network is back the next ones succeed', { timeout: 20_000 }, async () => {
    const { db, link } = await linkedDatabase();
    const store = new Db(link.via(db.url), 2, { connectMs: 500, statementMs: 500 });
    cleanups.push(() => store.pool.end());
    assert.deepEqual(await store.one('SELECT 1 AS one'), { one: 1 }, 'a connection in the pool');
    link.freeze();
    const unavailable = (err: unknown) => err instanceof SignoffError && err.code === 'temporarily_unavailable';
    const timed = async (what: string, run: () => Promise<unknown>): Promise<void> => {
      const started = Date.now();
      await assert.rejects(run(), unavailable, what);
      assert.ok(Date.now() - started < 3000, `${what} gave up in ${Date.now() - started} ms`);
    };
    // The idle connection first (the pool hands it out), then new ones that never get an answer.
    await timed('a statement on the open connection', () => store.one('SELECT 2'));
    await timed('a transaction', () => store.tx((q) => q.one('SELECT 3')));
    await timed('a statement needing a new connection', () => store.one('SELECT 4'));
    link.restore();
    assert.deepEqual(await store.one('SELECT 5 AS five'), { five: 5 });
    assert.deepEqual(await store.tx((q) => q.one('SELECT 6 AS six')), { six: 6 });
  });
});

describe('a read-only server where the primary was (issue 11 §2: a failover under way)', () => {
  it('a write fails with temporarily_unavailable, not a 500, and works once the server takes writes again', { timeout: 20_000 }, async () => {
    const server = await postgresServer();
    const db = await freshDatabase(server);
    cleanups.push(db.drop);
    const store = new Db(db.url, 2);
    cleanups.push(() => store.pool.end());
    await store.run('CREATE TABLE t (x int)');
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    // New sessions of the database are read-only, as on a standby; the pool's are ended.
    const reconnect = () => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
    await admin.query(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    await reconnect();
    const unavailable = (err: unknown) => err instanceof SignoffError && err.code === 'temporarily_unavailable';
    await eventually(async () => ((await store.run('INSERT INTO t VALUES (1)').then(() => false, unavailable)) ? true : undefined), 'a refused write', 5000);
    await assert.rejects(store.tx((q) => q.run('INSERT INTO t VALUES (2)')), unavailable);
    await admin.query(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
    await reconnect();
    await eventually(async () => ((await store.run('INSERT INTO t VALUES (3)').then(() => true, () => undefined)) ? true : undefined), 'writes again', 5000);
    assert.equal(await store.tx((q) => q.run('INSERT INTO t VALUES (4)')), 1);
  });
});

describe('housekeeping while the store does not answer (issue 11 §2)', () => {
  it('a sweep that outlasts the interval is not started again until it ends: runs do not pile up on the pool', { timeout: 10_000 }, async () => {
    let calls = 0;
    let finish: () => void = () => undefined;
    const hanging = {
      config: { session: { sweepInterval: 1 }, interactionTtl: 600, signIn: { throttle: { resetAfter: 3600, knownAddressFor: 86_400 } } },
      clock: systemClock,
      outbox: { wake: () => undefined },
      metrics: { sessionsEnded: () => undefined },
      store: {
        endSessions: () => {
          calls++;
          // The first statement hangs; every later one answers at once.
          return calls === 1 ? new Promise((resolve) => (finish = () => resolve([]))) : Promise.resolve([]);
        },
        deleteExpiredInteractions: async () => 0,
        deleteExpiredCodes: async () => 0,
        deleteExpiredChallenges: async () => 0,
        deleteUnconfirmedFactors: async () => 0,
        deleteExpiredResetTokens: async () => 0,
        forgetEndedUpstreamSessions: async () => 0,
        pruneThrottle: async () => 0,
      },
    } as unknown as Provider;
    const errors: unknown[] = [];
    const stop = startHousekeeping(hanging, { info: () => undefined, error: (obj) => errors.push(obj) }, 10);
    try {
      await sleep(300);
      assert.equal(calls, 1, 'one sweep, still waiting for its store');
      finish();
      // The first run's second statement, then the next run's.
      await eventually(async () => (calls > 2 ? true : undefined), 'the next sweep once the first ended', 2000);
      assert.deepEqual(errors, []);
    } finally {
      stop();
      finish();
    }
  });
});

describe('the LISTEN connection behind a network that drops packets (issue 11 §2: every instance is woken at once)', () => {
  it('is checked now and then, found dead while the network drops packets, and replaced once it is back: the listener is woken by the new connection without any NOTIFY', { timeout: 30_000 }, async () => {
    const { db, link } = await linkedDatabase();
    const notifications = new OutboxNotifications(link.via(db.url), { intervalMs: 200, timeoutMs: 300 });
    cleanups.push(() => notifications.close());
    let wakes = 0;
    notifications.watch(() => wakes++);
    await eventually(async () => (wakes === 1 ? true : undefined), 'the first wake, once LISTEN is in place');
    link.freeze();
    // Long enough for a heartbeat to time out; a connection that resumed after the freeze would wake nobody.
    await sleep(1500);
    assert.equal(wakes, 1, 'nothing wakes the listener while the network is down');
    link.restore();
    await eventually(async () => (wakes >= 2 ? true : undefined), 'a wake from a new LISTEN connection', 15_000);
    // And that connection hears NOTIFY.
    const before = wakes;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("SELECT pg_notify('signoff_outbox', '')");
    await admin.end();
    await eventually(async () => (wakes > before ? true : undefined), 'a wake from NOTIFY', 5000);
  });
});
