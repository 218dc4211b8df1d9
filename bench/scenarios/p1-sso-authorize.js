import { signoffDriver } from '../lib/drivers.js';
import { redirectWithCode, runLoad } from '../lib/load.js';
import { backendCpu, backendCpuBetween } from '../lib/postgres.js';
import { USER, startPostgresPair, startProxy } from '../lib/setup.js';
import { median } from '../lib/stats.js';
import { bothSides, inTurn, row } from './common.js';

/** Load on the authorization endpoint of a browser with a live SSO session (prompt=none). */
export const ssoAuthorizeLoad = async (ctx, d, browser, { duration, connections = ctx.settings.connections }) =>
  runLoad({
    url: d.issuer + d.authorizePath('rp01', ctx.receivers, { prompt: 'none' }),
    pid: d.pid,
    connections,
    duration,
    headers: { cookie: browser.cookieHeader() },
    check: redirectWithCode,
  });

/** The HTTP ceiling under the same load: a bare route answering a 302 with Location and Set-Cookie. */
export const bareLoad = (ctx, duration, url = ctx.systems.bare.url) =>
  runLoad({ url: `${url}/authorize`, pid: ctx.systems.bare.pid, connections: ctx.settings.connections, duration, check: (s) => s === 302 });

const TITLE = 'authorization request with a live SSO session → 302 with code';
const ms = (x) => (x === undefined ? undefined : Math.round(x * 1000) / 1000);

/**
 * One P1 phase: the rate, the latencies, and the CPU it cost per request — of the Signoff
 * process(es) and, on PostgreSQL, of the database's backends (where the time goes).
 */
const p1Phase = async (ctx, d, browser, { duration, database, pids = [d.pid] }) => {
  const pg0 = database && backendCpu(database);
  const r = await ssoAuthorizeLoad(ctx, { ...d, pid: pids[0] }, browser, { duration });
  ctx.assertGood(r, `P1 ${d.name}`);
  const out = { value: r.perSecond, p50: r.p50, p99: r.p99, bad: r.bad };
  if (pids.length === 1 && r.cpuSeconds !== undefined) out.signoffCpuMsPerRequest = ms((r.cpuSeconds * 1000) / r.good);
  if (database) out.postgresCpuMsPerRequest = ms((backendCpuBetween(pg0, backendCpu(database)) * 1000) / r.good);
  return out;
};

/** The median of a per-request CPU figure across repetitions, for the row's detail. */
const cpuNote = (logged, key) => {
  const xs = logged.map((x) => x[key]).filter((x) => x !== undefined);
  return xs.length ? median(xs).toFixed(3) : '?';
};

/** P1: authorization request with a live SSO session → 302 with code (SQLite, PostgreSQL, oidc-provider, the bare route). */
export const p1 = async (ctx) => {
  const { settings } = ctx;
  const sides = [ctx.signoff, ...(ctx.postgres ? [ctx.postgres] : []), ctx.peer];
  const browsers = {};
  for (const d of sides) browsers[d.name] = (await d.signIn(USER, 'rp01', ctx.receivers)).browser;
  const database = ctx.systems.postgres?.database.name;
  const logged = { signoff: [], postgres: [] };
  const phase = async (d) => {
    const r = await p1Phase(ctx, d, browsers[d.name], { duration: settings.phaseSeconds, database: d.name === 'postgres' ? database : undefined });
    logged[d.name]?.push(r);
    return r;
  };
  if (settings.warmup) {
    ctx.log('P1 warm-up');
    for (const d of sides) await ssoAuthorizeLoad(ctx, d, browsers[d.name], { duration: settings.warmupSeconds });
    await bareLoad(ctx, settings.warmupSeconds);
  }
  const runs = await inTurn(settings.reps, {
    ...bothSides(ctx, phase),
    ceiling: async () => ({ value: (await bareLoad(ctx, settings.phaseSeconds)).perSecond }),
  }, ctx.log);
  const rows = [
    row({
      id: 'P1',
      title: TITLE,
      unit: 'req/s',
      ...runs,
      ceilingName: '(bare 302 route)',
      target: '≥ 5× oidc-provider; ≥ 25% of the bare route',
      met: ({ signoff, peer, ceiling }) => signoff.median >= 5 * peer.median && signoff.median >= 0.25 * ceiling.median,
      postgresNote: ctx.postgresNote,
      postgresTarget: '≥ 3× oidc-provider',
      postgresMet: ({ signoff, peer }) => signoff.median >= 3 * peer.median,
      detail:
        `${settings.connections} connections, ${settings.phaseSeconds} s per phase; every response checked for a 302/303 carrying a code. ` +
        `CPU per request (median of the repetitions): Signoff on SQLite ${cpuNote(logged.signoff, 'signoffCpuMsPerRequest')} ms` +
        (ctx.postgres
          ? `; Signoff on PostgreSQL ${cpuNote(logged.postgres, 'signoffCpuMsPerRequest')} ms in its process plus ` +
            `${cpuNote(logged.postgres, 'postgresCpuMsPerRequest')} ms in the PostgreSQL backends (pool of 10).`
          : '.'),
    }),
  ];
  if (ctx.postgres) rows.push(await p1Pair(ctx, runs.peer));
  return rows;
};

/**
 * P1 on two Signoff instances sharing one PostgreSQL database behind the round-robin proxy
 * (servers/round-robin.js): the browser signs in through the proxy (its steps land on either
 * instance), then the same load as P1 goes to the proxy. The ceiling is the bare route behind the
 * same kind of proxy. The peer's figures are those of the single-instance P1 just measured.
 */
const p1Pair = async (ctx, peerRuns) => {
  const { settings, systems } = ctx;
  ctx.log('P1 two PostgreSQL instances behind a round-robin proxy: starting them');
  const pair = await startPostgresPair({ dir: systems.dir, adminUrl: systems.postgresAdminUrl, receiversUrl: ctx.receivers, profileDir: ctx.profileDir });
  let bareProxy;
  try {
    bareProxy = await startProxy(0, [systems.bare.url, systems.bare.url]);
    const bareProxyUrl = `http://127.0.0.1:${bareProxy.message.port}`;
    const d = signoffDriver({ issuer: pair.issuer, pid: pair.instances[0].pid, name: 'pgpair' });
    const { browser } = await d.signIn(USER, 'rp01', ctx.receivers);
    const logged = [];
    const phase = async () => {
      const r = await p1Phase(ctx, d, browser, { duration: settings.phaseSeconds, database: pair.database.name, pids: pair.instances.map((i) => i.pid) });
      logged.push(r);
      return r;
    };
    if (settings.warmup) {
      await ssoAuthorizeLoad(ctx, d, browser, { duration: settings.warmupSeconds });
      await bareLoad(ctx, settings.warmupSeconds, bareProxyUrl);
    }
    const runs = await inTurn(settings.reps, {
      postgres: phase,
      ceiling: async () => ({ value: (await bareLoad(ctx, settings.phaseSeconds, bareProxyUrl)).perSecond }),
    }, ctx.log);
    return row({
      id: 'P1',
      title: `${TITLE}, two Signoff instances on one PostgreSQL database behind a round-robin proxy`,
      unit: 'req/s',
      ...runs,
      peer: peerRuns,
      ceilingName: '(bare 302 route behind the same proxy)',
      signoffNote: 'one SQLite file serves one instance',
      postgresTarget: 'none set (reported)',
      detail:
        'Two instances, one database, one SIGNOFF_KEY_ENCRYPTION_KEY; the browser signed in through the proxy, which sends each request to ' +
        'the next instance in turn (kept-alive upstream connections); oidc-provider is the single-instance P1 figure above. ' +
        `PostgreSQL backends' CPU per request (median): ${cpuNote(logged, 'postgresCpuMsPerRequest')} ms.`,
    });
  } finally {
    await bareProxy?.stop();
    await pair.stop();
  }
};
