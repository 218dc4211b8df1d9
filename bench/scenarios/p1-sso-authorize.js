import { USER } from '../lib/setup.js';
import { redirectWithCode, runLoad } from '../lib/load.js';
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
export const bareLoad = (ctx, duration) =>
  runLoad({ url: `${ctx.systems.bare.url}/authorize`, pid: ctx.systems.bare.pid, connections: ctx.settings.connections, duration, check: (s) => s === 302 });

/** P1: authorization request with a live SSO session → 302 with code. */
export const p1 = async (ctx) => {
  const { settings } = ctx;
  const browsers = {};
  for (const d of [ctx.signoff, ctx.peer]) browsers[d.name] = (await d.signIn(USER, 'rp01', ctx.receivers)).browser;
  const phase = async (d) => {
    const r = await ssoAuthorizeLoad(ctx, d, browsers[d.name], { duration: settings.phaseSeconds });
    ctx.assertGood(r, `P1 ${d.name}`);
    return { value: r.perSecond, p50: r.p50, p99: r.p99, bad: r.bad };
  };
  ctx.log('P1 warm-up');
  for (const d of [ctx.signoff, ctx.peer]) await ssoAuthorizeLoad(ctx, d, browsers[d.name], { duration: settings.warmupSeconds });
  await bareLoad(ctx, settings.warmupSeconds);
  const runs = await inTurn(settings.reps, {
    ...bothSides(ctx, phase),
    ceiling: async () => ({ value: (await bareLoad(ctx, settings.phaseSeconds)).perSecond }),
  }, ctx.log);
  return [
    row({
      id: 'P1',
      title: 'authorization request with a live SSO session → 302 with code',
      unit: 'req/s',
      ...runs,
      ceilingName: '(bare 302 route)',
      target: '≥ 3× oidc-provider; ≥ 50% of the bare route',
      met: ({ signoff, peer, ceiling }) => signoff.median >= 3 * peer.median && signoff.median >= 0.5 * ceiling.median,
      detail: `${settings.connections} connections, ${settings.phaseSeconds} s per phase; every response checked for a 302/303 carrying a code.`,
    }),
  ];
};
