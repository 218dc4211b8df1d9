import { P7_USER, USER, startSignoff } from '../lib/setup.js';
import { memoryMb } from '../lib/processes.js';
import { seedSessions } from '../lib/seed.js';
import { accountIdOf, withStore } from '../lib/store.js';
import { inTurn, row } from './common.js';
import { PENDING } from './logout.js';
import { ssoAuthorizeLoad } from './p1-sso-authorize.js';

const PEER_CANNOT = "cannot: oidc-provider's default memory adapter is one LRU of 1,000 entries for every model";

/**
 * P7: log out everywhere for one account with 10,000 sessions, each signed in to rp01. The ending
 * is the store's endSessions({accountId}) — the one transaction behind `signoff sessions end
 * --user` — called from this process on Signoff's file while Signoff runs and delivers.
 */
export const p7 = async (ctx) => {
  const { settings } = ctx;
  const title = (what) => `log out everywhere, ${settings.p7Sessions.toLocaleString('en')} sessions of one account: ${what}`;
  if (!ctx.signoffBackChannel) {
    return [
      row({ id: 'P7', title: title('end + enqueue'), unit: 's', signoffNote: PENDING, peerNote: PEER_CANNOT, target: '≤ 1 s', met: () => false }),
      row({ id: 'P7', title: title('all delivered'), unit: 's', signoffNote: PENDING, peerNote: PEER_CANNOT, target: '≤ 10 s', met: () => false }),
    ];
  }
  const sqlite = ctx.systems.signoff.config.store.sqlite;
  const accountId = await accountIdOf(sqlite, P7_USER.username);
  const once = async (rep) => {
    const count = settings.p7Sessions;
    await seedSessions(sqlite, { count, prefix: `p7r${rep}`, accountIds: [accountId] });
    return withStore(sqlite, async (store) => {
      const t0 = performance.timeOrigin + performance.now();
      const ended = await store.endSessions({ accountId }, { reason: 'logout', actor: 'admin:bench', at: Math.floor(Date.now() / 1000) });
      const endSeconds = (performance.timeOrigin + performance.now() - t0) / 1000;
      if (ended.length !== count) throw new Error(`P7: ended ${ended.length} sessions, expected ${count}`);
      const tokens = await ctx.receiverLog.waitFor((m) => m.provider === 'signoff' && m.at >= t0 && m.sid?.startsWith(`p7r${rep}-sid-`), count, 60_000);
      return { value: endSeconds, deliveredSeconds: (Math.max(...tokens.map((m) => m.at)) - t0) / 1000 };
    });
  };
  const results = [];
  await inTurn(settings.reps, { signoff: async (rep) => { const r = await once(rep); results.push(r); return r; } }, ctx.log);
  const detail = `${settings.p7Sessions} sessions of one account, each signed in to rp01 (seeded through the store); every logout token verified by the receiver.`;
  return [
    row({ id: 'P7', title: title('end + enqueue'), unit: 's', signoff: results.map((r) => r.value), peerNote: PEER_CANNOT, target: '≤ 1 s', met: ({ signoff }) => signoff.median <= 1, detail }),
    row({ id: 'P7', title: title('all delivered'), unit: 's', signoff: results.map((r) => r.deliveredSeconds), peerNote: PEER_CANNOT, target: '≤ 10 s', met: ({ signoff }) => signoff.median <= 10 }),
  ];
};

/**
 * P8: 1,000,000 stored sessions. Signoff is stopped, the sessions are seeded through its store,
 * Signoff is started again on it, and P1 runs on one connection (latency without queueing) while
 * its resident memory is read from /proc.
 */
export const p8 = async (ctx) => {
  const { settings, systems } = ctx;
  await systems.signoff.stop();
  const seeded = await seedSessions(systems.signoff.config.store.sqlite, { count: settings.p8Sessions, prefix: 'p8' });
  ctx.log(`P8 seeded ${settings.p8Sessions} sessions in ${seeded.seconds.toFixed(1)} s`);
  const proc = await startSignoff(systems.signoff.configFile);
  Object.assign(systems.signoff, proc);
  const d = ctx.rebindSignoff(proc.pid);
  const { browser } = await d.signIn(USER, 'rp01', ctx.receivers);
  await ssoAuthorizeLoad(ctx, d, browser, { duration: settings.warmupSeconds, connections: 1 });
  const rss = [];
  const runs = await inTurn(settings.reps, {
    signoff: async () => {
      const r = await ssoAuthorizeLoad(ctx, d, browser, { duration: settings.phaseSeconds, connections: 1 });
      ctx.assertGood(r, 'P8 signoff');
      const mem = memoryMb(proc.pid);
      rss.push(mem.rss);
      return { value: r.p99, p50: r.p50, perSecond: r.perSecond, rssMb: mem.rss, peakRssMb: mem.peak };
    },
  }, ctx.log);
  const detail =
    `${settings.p8Sessions} live sessions seeded (each with its own browser and one participant, 100 per account) in ` +
    `${seeded.seconds.toFixed(1)} s; P1 on one connection, ${settings.phaseSeconds} s per phase (autocannon keeps whole milliseconds).`;
  return [
    row({ id: 'P8', title: `${settings.p8Sessions.toLocaleString('en')} stored sessions: resident memory`, unit: 'MB', signoff: rss, peerNote: PEER_CANNOT, target: 'RSS ≤ 250 MB', met: ({ signoff }) => signoff.max <= 250, detail }),
    row({ id: 'P8', title: `${settings.p8Sessions.toLocaleString('en')} stored sessions: P1 latency`, unit: 'ms, p99', signoff: runs.signoff, peerNote: PEER_CANNOT, target: 'P1 p99 ≤ 5 ms', met: ({ signoff }) => signoff.median <= 5 }),
  ];
};
