import { OPAQUE_CLIENT, USER } from '../lib/setup.js';
import { header, redirectWithCode, runLoad } from '../lib/load.js';
import { bothSides, inTurn, row } from './common.js';

/** `n` fresh authorization codes of `clientId`, from SSO authorization requests of one signed-in browser. */
const codePool = async (ctx, d, browser, n, clientId) => {
  const codes = [];
  await runLoad({
    url: d.issuer + d.authorizePath(clientId, ctx.receivers, { prompt: 'none' }),
    connections: ctx.settings.connections,
    amount: n,
    requests: [{ method: 'GET', headers: { cookie: browser.cookieHeader() }, onResponse: (_s, _b, _c, h) => codes.push(new URL(header(h, 'location')).searchParams.get('code')) }],
    check: redirectWithCode,
  });
  return codes;
};

/** Load on the token endpoint where each request takes the next grant from `next()`. */
const tokenLoad = (ctx, d, { clientId, amount, duration, next, onTokens }) =>
  runLoad({
    url: `${d.issuer}/token`,
    pid: d.pid,
    connections: ctx.settings.connections,
    ...(amount ? { amount } : { duration }),
    requests: [
      {
        method: 'POST',
        headers: d.tokenHeaders(clientId),
        setupRequest: (req) => ({ ...req, body: next() }),
        onResponse: (status, body) => status === 200 && onTokens?.(JSON.parse(body)),
      },
    ],
    // A token response: an access token, an ID token and a refresh token (each decoded on a sample).
    check: (status, _h, body) => status === 200 && body.includes('"id_token"') && body.includes('"refresh_token"'),
  });

const sidesOf = (ctx) => [ctx.signoff, ...(ctx.postgres ? [ctx.postgres] : []), ctx.peer];

/** The two access-token formats P2 and P6 measure: each client's responses on both systems. */
const FORMATS = [
  { clientId: 'rp01', name: 'RS256 JWT access token', signatures: 2 },
  { clientId: OPAQUE_CLIENT, name: 'opaque access token', signatures: 1 },
];

/** A browser signed in to each system (through rp01); other clients get their codes from it silently (SSO). */
const signedIn = async (ctx) => {
  const browsers = {};
  for (const d of sidesOf(ctx)) browsers[d.name] = (await d.signIn(USER, 'rp01', ctx.receivers)).browser;
  return browsers;
};

/**
 * P2: authorization code → tokens, once per access-token format (issue 18: "with the same token
 * formats"): an RS256 JWT access token, or an opaque one; an RS256 ID token and a refresh token in each.
 */
export const p2 = async (ctx) => {
  const { settings } = ctx;
  const browsers = await signedIn(ctx);
  // Codes come in batches redeemed oldest first: oidc-provider's memory adapter is one LRU of
  // 1,000 entries by default (100,000 in servers/peer.js), so a batch (its codes and their refresh tokens) must fit in it.
  const phase = async (d, n, clientId) => {
    let good = 0, seconds = 0, cpuSeconds = 0, p99 = 0;
    for (let left = n; left > 0; left -= settings.codeBatch) {
      const codes = await codePool(ctx, d, browsers[d.name], Math.min(left, settings.codeBatch), clientId);
      const r = await tokenLoad(ctx, d, { clientId, amount: codes.length, next: () => d.codeBody(codes.shift() ?? 'none-left', ctx.receivers) });
      ctx.assertGood(r, `P2 ${d.name} ${clientId}`);
      good += r.good;
      seconds += r.seconds;
      cpuSeconds += r.cpuSeconds;
      p99 = Math.max(p99, r.p99);
    }
    return { value: good / seconds, perCpuSecond: good / cpuSeconds, p99 };
  };
  const rows = [];
  for (const format of FORMATS) {
    if (settings.warmup) {
      ctx.log(`P2 (${format.name}) warm-up`);
      for (const d of sidesOf(ctx)) await phase(d, settings.warmupCodes, format.clientId);
    }
    const runs = await inTurn(settings.reps, bothSides(ctx, (d) => phase(d, settings.codesPerPhase, format.clientId)), ctx.log);
    rows.push(
      row({
        id: 'P2',
        title: `code → tokens (${format.name}, RS256 ID token)`,
        unit: 'grants/s',
        ...runs,
        target: '≥ 3× oidc-provider',
        met: ({ signoff, peer }) => signoff.median >= 3 * peer.median,
        postgresNote: ctx.postgresNote,
        postgresTarget: 'none set (reported)',
        detail:
          `${settings.codesPerPhase} codes per phase (in batches of ${settings.codeBatch}), each redeemed once with PKCE and client_secret_basic; both answer with an ${format.name}, ` +
          `an RS256 ID token and a refresh token: ${format.signatures} RS256 signature${format.signatures > 1 ? 's' : ''} per response ` +
          (format.signatures > 1
            ? '(oidc-provider through a default resource with JWT access tokens).'
            : `(Signoff's client has access_token_format "opaque"; oidc-provider's resource server gives that client opaque tokens, kept in its memory adapter).`),
      }),
    );
  }
  return rows;
};

/**
 * P6: refresh-token grants with rotation, an RS256 ID token in each response. Each token family's
 * newest refresh token is used exactly once: a shared queue hands it to whichever connection is
 * free, and each response puts the new one back.
 */
export const p6 = async (ctx) => {
  const { settings } = ctx;
  // Each phase signs in anew (untimed). oidc-provider keeps one grant per session and client and
  // revokes it whole on a replayed refresh token; with two clients' phases on one session, a
  // phase's new codes were now and then refused (invalid_grant) at oidc-provider, the cause not
  // found. A session per phase keeps each phase's families apart from every other's.
  const phase = async (d, seconds, clientId) => {
    const families = settings.connections + 2;
    const ready = [];
    const { browser } = await d.signIn(USER, 'rp01', ctx.receivers);
    for (const code of await codePool(ctx, d, browser, families, clientId)) ready.push((await d.exchange(clientId, code, ctx.receivers)).refresh_token);
    const r = await tokenLoad(ctx, d, {
      clientId,
      duration: seconds,
      next: () => d.refreshBody(ready.shift() ?? 'none-ready'),
      onTokens: (t) => ready.push(t.refresh_token),
    });
    ctx.assertGood(r, `P6 ${d.name} ${clientId}`);
    return { value: r.perCpuSecond, perSecond: r.perSecond, cpuSeconds: r.cpuSeconds, p99: r.p99, bad: r.bad };
  };
  // The signing limit per algorithm (issue 18 P6): sign.js reads BENCH_SIGN_ALG, which
  // ctx.ceiling passes on with the rest of the environment.
  const ceilingOf = (alg) => async () => {
    const before = process.env.BENCH_SIGN_ALG;
    process.env.BENCH_SIGN_ALG = alg;
    try {
      const c = await ctx.ceiling('sign', settings.phaseSeconds);
      return { value: c.perCpuSecond, perSecond: c.perSecond };
    } finally {
      if (before === undefined) delete process.env.BENCH_SIGN_ALG;
      else process.env.BENCH_SIGN_ALG = before;
    }
  };
  if (settings.warmup) {
    ctx.log('P6 warm-up');
    for (const format of FORMATS) for (const d of sidesOf(ctx)) await phase(d, settings.warmupSeconds, format.clientId);
  }
  const sidesFor = (clientId) => Object.fromEntries(sidesOf(ctx).map((d) => [`${d.name}.${clientId}`, () => phase(d, settings.phaseSeconds, clientId)]));
  const { ceilingES256, ceilingEdDSA, ceiling, ...measured } = await inTurn(
    settings.reps,
    { ...sidesFor(FORMATS[0].clientId), ...sidesFor(FORMATS[1].clientId), ceiling: ceilingOf('RS256'), ceilingES256: ceilingOf('ES256'), ceilingEdDSA: ceilingOf('EdDSA') },
    ctx.log,
  );
  /** The measured runs of one client, keyed by side as row() expects. */
  const runsOf = (clientId) =>
    Object.fromEntries(Object.entries(measured).filter(([k]) => k.endsWith(`.${clientId}`)).map(([k, v]) => [k.slice(0, -clientId.length - 1), v]));
  const limitRow = (alg, values) =>
    row({
      id: 'P6',
      title: `the signing limit with ${alg} (for comparison with the RS256 row above)`,
      unit: 'signatures per CPU-second',
      ceiling: values,
      ceilingName: `(raw jose ${alg} signatures)`,
      signoffNote: 'a ceiling only: the bench clients sign with RS256',
      postgresNote: 'a ceiling only',
      peerNote: 'a ceiling only',
      detail:
        `A one-at-a-time jose ${alg} signing loop (${alg === 'EdDSA' ? 'Ed25519' : 'P-256'}, a fresh key), measured as the RS256 ceiling is: ` +
        'a response with two signatures can reach at most half of it.',
    });
  const formatRow = (format) => {
    // Issue 18: ≥ 90% of the signing limit for the signatures each response carries — the limit
    // is the raw RS256 rate divided by the signatures per response.
    const share = 0.9 / format.signatures;
    const target =
      format.signatures > 1
        ? '≥ 90% of the signing limit of its two RS256 signatures (≥ 45% of the raw RS256 rate)'
        : '≥ 90% of the signing limit of its one RS256 signature (≥ 90% of the raw RS256 rate)';
    return row({
      id: 'P6',
      title: `refresh-token grants (rotation), ${format.name}, an RS256 ID token in each`,
      unit: 'grants per CPU-second',
      ...runsOf(format.clientId),
      ceiling,
      ceilingName: '(raw jose RS256 signatures)',
      postgresNote: ctx.postgresNote,
      target,
      met: ({ signoff, ceiling: c }) => signoff.median >= share * c.median,
      // Issue 18's goal table is for both stores; per CPU-second of the Signoff process there too.
      postgresTarget: `${target} (per CPU-second of the Signoff process, the database backends not counted)`,
      postgresMet: ({ signoff, ceiling: c }) => signoff.median >= share * c.median,
      detail:
        'Rates per CPU-second of the server process (user + system time of all its threads, from /proc), so "per core" holds whatever ' +
        'the load generator takes; the ceiling is a one-at-a-time jose RS256 signing loop measured the same way. Each response of both ' +
        (format.signatures > 1
          ? 'systems carries two RS256 signatures (JWT access token and ID token).'
          : 'systems carries one RS256 signature (the ID token) and an opaque access token: sealed (A256GCM) by Signoff, stored in the memory adapter by oidc-provider.'),
    });
  };
  return [formatRow(FORMATS[0]), formatRow(FORMATS[1]), limitRow('ES256', ceilingES256), limitRow('EdDSA', ceilingEdDSA)];
};
