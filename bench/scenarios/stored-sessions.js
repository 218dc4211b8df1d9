import { P7_USER, USER, startSignoff } from '../lib/setup.js';
import { memoryMb } from '../lib/processes.js';
import { seedSessions } from '../lib/seed.js';
import { checkSeeded, seedSessionsPostgres } from '../lib/seed-postgres.js';
import { accountIdOf, withStore } from '../lib/store.js';
import { inTurn, row } from './common.js';
import { PENDING } from './logout.js';
import { ssoAuthorizeLoad } from './p1-sso-authorize.js';

const PEER_CANNOT = "cannot: oidc-provider keeps sessions in its memory adapter's one LRU for every model (100,000 entries in this harness, 1,000 by default) and has no call that ends every session of an account";

/**
 * P7: log out everywhere for one account with 10,000 sessions, each signed in to rp01. The ending
 * is the store's endSessions({accountId}) — the one transaction behind `signoff sessions end
 * --user` — called from this process on Signoff's store while Signoff runs and delivers: on SQLite
 * its file, on PostgreSQL its database (the ending's NOTIFY wakes Signoff's delivery worker).
 */
export const p7 = async (ctx) => {
  const { settings, systems } = ctx;
  const title = (what) => `log out everywhere, ${settings.p7Sessions.toLocaleString('en')} sessions of one account: ${what}`;
  const postgresNote = ctx.postgresNote;
  if (!ctx.signoffBackChannel) {
    return [
      row({ id: 'P7', title: title('end + enqueue'), unit: 's', signoffNote: PENDING, postgresNote: PENDING, peerNote: PEER_CANNOT, target: '≤ 1 s', met: () => false }),
      row({ id: 'P7', title: title('all delivered'), unit: 's', signoffNote: PENDING, postgresNote: PENDING, peerNote: PEER_CANNOT, target: '≤ 10 s', met: () => false }),
    ];
  }
  const backends = [
    { side: 'signoff', store: systems.signoff.config.store, provider: ctx.signoff.name, prefix: 'p7r' },
    ...(ctx.postgres ? [{ side: 'postgres', store: systems.postgres.store, provider: ctx.postgres.name, prefix: 'p7pg' }] : []),
  ];
  for (const b of backends) b.accountId = await accountIdOf(b.store, P7_USER.username);
  const once = async (b, rep) => {
    const count = settings.p7Sessions;
    const prefix = `${b.prefix}${rep}`;
    const seeded = await seedSessions(b.store, { count, prefix, accountIds: [b.accountId] });
    return withStore(b.store, async (store) => {
      const t0 = performance.timeOrigin + performance.now();
      const ended = await store.endSessions({ accountId: b.accountId }, { reason: 'logout', actor: 'admin:bench', at: Math.floor(Date.now() / 1000) });
      const endSeconds = (performance.timeOrigin + performance.now() - t0) / 1000;
      if (ended.length !== count) throw new Error(`P7 ${b.side}: ended ${ended.length} sessions, expected ${count}`);
      const tokens = await ctx.receiverLog.waitFor((m) => m.provider === b.provider && m.at >= t0 && m.sid?.startsWith(`${prefix}-sid-`), count, 180_000);
      return { value: endSeconds, deliveredSeconds: (Math.max(...tokens.map((m) => m.at)) - t0) / 1000, seedSeconds: seeded.seconds };
    });
  };
  const results = { signoff: [], postgres: [] };
  const sides = Object.fromEntries(backends.map((b) => [b.side, async (rep) => { const r = await once(b, rep); results[b.side].push(r); return r; }]));
  await inTurn(settings.reps, sides, ctx.log);
  const detail =
    `${settings.p7Sessions} sessions of one account, each signed in to rp01 (seeded through the store, on each backend); ` +
    'the ending runs in the harness process through the store; every logout token verified by the receiver.';
  const figures = (key) => ({ signoff: results.signoff.map((r) => r[key]), postgres: results.postgres.map((r) => r[key]) });
  return [
    row({
      id: 'P7', title: title('end + enqueue'), unit: 's', ...figures('value'), peerNote: PEER_CANNOT, postgresNote,
      target: '≤ 1 s', met: ({ signoff }) => signoff.median <= 1, postgresTarget: '≤ 1 s', postgresMet: ({ signoff }) => signoff.median <= 1, detail,
    }),
    row({
      id: 'P7', title: title('all delivered'), unit: 's', ...figures('deliveredSeconds'), peerNote: PEER_CANNOT, postgresNote,
      target: '≤ 10 s', met: ({ signoff }) => signoff.median <= 10, postgresTarget: 'none set (reported)',
    }),
  ];
};

/**
 * P8: many stored sessions (issue 18: 1,000,000 on SQLite, 10,000,000 on PostgreSQL). On SQLite,
 * Signoff is stopped, the sessions are seeded through its store, Signoff is started again on it,
 * and P1 runs on one connection (latency without queueing) while its resident memory is read from
 * /proc. On PostgreSQL the sessions are bulk-seeded into its database while it runs
 * (lib/seed-postgres.js) and P1 runs the same way.
 */
export const p8 = async (ctx) => {
  const { settings, systems } = ctx;
  await systems.signoff.stop();
  const seeded = await seedSessions(systems.signoff.config.store, { count: settings.p8Sessions, prefix: 'p8' });
  ctx.log(`P8 seeded ${settings.p8Sessions} sessions in ${seeded.seconds.toFixed(1)} s`);
  const proc = await startSignoff(systems.signoff.configFile);
  Object.assign(systems.signoff, proc);
  const d = ctx.rebindSignoff(proc.pid);
  const { browser } = await d.signIn(USER, 'rp01', ctx.receivers);
  if (settings.warmup) await ssoAuthorizeLoad(ctx, d, browser, { duration: settings.warmupSeconds, connections: 1 });
  let pg;
  if (ctx.postgres) {
    const count = settings.p8PostgresSessions;
    const pgSeeded = await seedSessionsPostgres(systems.postgres.store.postgres, { count, prefix: 'p8', log: ctx.log });
    await checkSeeded(systems.postgres.store, { count, prefix: 'p8' });
    ctx.log(`P8 seeded ${count} sessions on PostgreSQL in ${pgSeeded.seconds.toFixed(1)} s`);
    const signedIn = await ctx.postgres.signIn(USER, 'rp01', ctx.receivers);
    if (settings.warmup) await ssoAuthorizeLoad(ctx, ctx.postgres, signedIn.browser, { duration: settings.warmupSeconds, connections: 1 });
    pg = { count, seconds: pgSeeded.seconds, browser: signedIn.browser };
  }
  const rss = [];
  const phase = async (driver, browser, what) => {
    const r = await ssoAuthorizeLoad(ctx, driver, browser, { duration: settings.phaseSeconds, connections: 1 });
    ctx.assertGood(r, what);
    return r;
  };
  const runs = await inTurn(settings.reps, {
    signoff: async () => {
      const r = await phase(d, browser, 'P8 signoff');
      const mem = memoryMb(proc.pid);
      rss.push(mem.rss);
      return { value: r.p99, p50: r.p50, perSecond: r.perSecond, rssMb: mem.rss, peakRssMb: mem.peak };
    },
    ...(pg
      ? {
          postgres: async () => {
            const r = await phase(ctx.postgres, pg.browser, 'P8 postgres');
            return { value: r.p99, p50: r.p50, perSecond: r.perSecond };
          },
        }
      : {}),
  }, ctx.log);
  const detail =
    `${settings.p8Sessions} live sessions seeded on SQLite (each with its own browser and one participant, 100 per account) in ` +
    `${seeded.seconds.toFixed(1)} s` +
    (pg ? `; ${pg.count} on PostgreSQL in ${pg.seconds.toFixed(1)} s (INSERT … SELECT, lib/seed-postgres.js)` : '') +
    `; P1 on one connection, ${settings.phaseSeconds} s per phase (autocannon keeps whole milliseconds).`;
  const sizes = `${settings.p8Sessions.toLocaleString('en')} stored sessions (PostgreSQL: ${settings.p8PostgresSessions.toLocaleString('en')})`;
  return [
    row({ id: 'P8', title: `${settings.p8Sessions.toLocaleString('en')} stored sessions: resident memory`, unit: 'MB', signoff: rss, peerNote: PEER_CANNOT, postgresNote: 'not measured: the sessions live in the PostgreSQL server, not in Signoff\'s process', target: 'RSS ≤ 150 MB', met: ({ signoff }) => signoff.max <= 150, detail }),
    row({
      id: 'P8', title: `${sizes}: P1 latency`, unit: 'ms, p99', signoff: runs.signoff, postgres: runs.postgres, peerNote: PEER_CANNOT, postgresNote: ctx.postgresNote,
      target: 'P1 p99 ≤ 5 ms', met: ({ signoff }) => signoff.median <= 5, postgresTarget: 'P1 p99 ≤ 10 ms', postgresMet: ({ signoff }) => signoff.median <= 10,
    }),
  ];
};
