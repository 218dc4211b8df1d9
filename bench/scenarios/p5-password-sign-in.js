import { Browser, parseForm } from '../lib/browser.js';
import { redirectWithCode, runLoad } from '../lib/load.js';
import { USER } from '../lib/setup.js';
import { inTurn, row } from './common.js';

/** A sign-in form ready to post: an authorization request started in a fresh browser. */
const prepareSignIn = async (ctx, d) => {
  const browser = new Browser(d.issuer);
  const page = await browser.navigate(d.authorizePath('rp01', ctx.receivers));
  const form = parseForm(page.body);
  return {
    path: new URL(form.action, page.url).pathname,
    cookie: browser.cookieHeader(),
    body: new URLSearchParams({ ...form.fields, username: USER.username, password: USER.password }).toString(),
  };
};

/**
 * One phase of P5 against the Signoff system `d`: `n` sign-ins, each the form post of its own
 * authorization request, per CPU-second of the server process. Shared with throttle-overhead.js.
 */
export const passwordSignInPhase = async (ctx, d, n) => {
  const pool = [];
  for (let i = 0; i < n; i++) pool.push(await prepareSignIn(ctx, d));
  const r = await runLoad({
    url: d.issuer,
    pid: d.pid,
    connections: ctx.settings.connections,
    amount: pool.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const s = pool.pop();
          return s && { ...req, path: s.path, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: s.body };
        },
      },
    ],
    check: redirectWithCode,
  });
  ctx.assertGood(r, `P5 ${d.name}`);
  return { value: r.perCpuSecond, perSecond: r.perSecond, cpuSeconds: r.cpuSeconds, p50: r.p50, bad: r.bad };
};

/**
 * P5: password sign-ins (the sign-in form post: argon2id verify, session, code) per CPU-second,
 * on each store (issue 18: the goal table is for both; the hash is the same work on either, the
 * store work around it is not).
 */
export const p5 = async (ctx) => {
  const { settings } = ctx;
  const sides = { signoff: ctx.signoff, ...(ctx.postgres ? { postgres: ctx.postgres } : {}) };
  const ceiling = async () => {
    const c = await ctx.ceiling('argon2', settings.phaseSeconds);
    return { value: c.perCpuSecond, perSecond: c.perSecond };
  };
  if (settings.warmup) {
    ctx.log('P5 warm-up');
    for (const d of Object.values(sides)) await passwordSignInPhase(ctx, d, settings.warmupSignIns);
  }
  const phases = Object.fromEntries(Object.entries(sides).map(([name, d]) => [name, () => passwordSignInPhase(ctx, d, settings.signInsPerPhase)]));
  const runs = await inTurn(settings.reps, { ...phases, ceiling }, ctx.log);
  return [
    row({
      id: 'P5',
      title: 'password sign-ins (argon2id m=19 MiB, t=2, p=1)',
      unit: 'sign-ins per CPU-second',
      ...runs,
      ceilingName: '(raw argon2id verify)',
      postgresNote: ctx.postgresNote,
      peerNote: 'not comparable: oidc-provider has no password store, its dev interactions accept any password',
      target: '≥ 85% of the raw argon2id verify rate',
      met: ({ signoff, ceiling }) => signoff.median >= 0.85 * ceiling.median,
      postgresTarget: '≥ 85% of the raw argon2id verify rate (per CPU-second of the Signoff process, the database backends not counted)',
      postgresMet: ({ signoff, ceiling }) => signoff.median >= 0.85 * ceiling.median,
      detail:
        `${settings.signInsPerPhase} sign-ins per phase, each the form post of its own authorization request (CSRF token, interaction ` +
        'cookie) → argon2id verify, new browser and SSO session, code → 303. Per CPU-second of the server process, as the ceiling.',
    }),
  ];
};
