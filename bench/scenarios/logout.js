import { signedInTo } from '../lib/drivers.js';
import { CLIENT_IDS, HANGING_CLIENT, USER } from '../lib/setup.js';
import { percentile } from '../lib/stats.js';
import { NOT_ON_POSTGRES, inTurn, row } from './common.js';

export const PENDING = 'pending the back-channel issue';

/**
 * One logout of a fresh session signed in to `clientIds`: how long the logout response took, and
 * when the last of the logout tokens owed to the working receivers was verified.
 */
const logoutOnce = async (ctx, d, clientIds) => {
  const session = await signedInTo(d, USER, clientIds, ctx.receivers);
  const t = await d.logout(session.browser, session.idToken);
  const owed = clientIds.filter((c) => c !== HANGING_CLIENT);
  const tokens = await ctx.receiverLog.waitFor(
    (m) => m.provider === d.name && m.at >= t.startedAt && owed.includes(m.clientId),
    owed.length,
    ctx.settings.deliveryTimeoutMs,
  );
  const lastAt = Math.max(...tokens.map((m) => m.at));
  return { responseMs: t.ms, allVerifiedMs: lastAt - t.startedAt };
};

const samples = async (ctx, d, n, clientIds) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await logoutOnce(ctx, d, clientIds));
  return out;
};

/**
 * Warm-up, then the repetitions in turn of logouts of sessions signed in to `clientIds`; `figure`
 * turns one repetition's samples into its number (Signoff's side waits for its back-channel).
 */
const logoutRuns = async (ctx, { id, clientIds, signoffSamples, peerSamples, figure, onPostgres = false }) => {
  const measure = async (d, n) => figure(await samples(ctx, d, n, clientIds));
  const pg = onPostgres && ctx.signoffBackChannel ? ctx.postgres : undefined;
  if (ctx.settings.warmup) {
    ctx.log(`${id} warm-up`);
    if (ctx.signoffBackChannel) await samples(ctx, ctx.signoff, 1, clientIds);
    if (pg) await samples(ctx, pg, 1, clientIds);
    await samples(ctx, ctx.peer, 1, clientIds);
  }
  return inTurn(ctx.settings.reps, {
    signoff: ctx.signoffBackChannel ? () => measure(ctx.signoff, signoffSamples) : undefined,
    postgres: pg ? () => measure(pg, signoffSamples) : undefined,
    peer: () => measure(ctx.peer, peerSamples),
  }, ctx.log);
};

/** P3: logout response latency while one client's back-channel endpoint hangs. */
export const p3 = async (ctx) => {
  const { settings } = ctx;
  const runs = await logoutRuns(ctx, {
    id: 'P3',
    clientIds: ['rp01', 'rp02', HANGING_CLIENT],
    signoffSamples: settings.p3Samples,
    peerSamples: settings.p3PeerSamples,
    figure: (s) => {
      const ms = s.map((x) => x.responseMs);
      return { value: percentile(ms, 99), samples: ms.length, p50: percentile(ms, 50) };
    },
  });
  return [
    row({
      id: 'P3',
      title: "logout response latency while one client's back-channel endpoint hangs",
      unit: 'ms, p99 (lower is better)',
      ...runs,
      signoffNote: ctx.signoffBackChannel ? undefined : PENDING,
      target: 'p99 ≤ 20 ms (oidc-provider waits its 2.5 s timeout)',
      postgresNote: NOT_ON_POSTGRES,
      met: ({ signoff }) => signoff.median <= 20,
      detail:
        `Sessions signed in to rp01, rp02 and a client whose back-channel endpoint never answers; ${settings.p3Samples} logouts per ` +
        `repetition for Signoff (GET /logout with an id_token_hint naming the live session, which ends it at once), ` +
        `${settings.p3PeerSamples} for oidc-provider (its confirmation POST /session/end/confirm, the request that ends the session; ` +
        'its confirmation page is fetched first, untimed). Both working receivers verified their tokens before the next logout.',
    }),
  ];
};

/** P4: logout of a session signed in to 20 clients → all 20 logout tokens received and verified. */
export const p4 = async (ctx) => {
  const { settings } = ctx;
  const runs = await logoutRuns(ctx, {
    id: 'P4',
    clientIds: CLIENT_IDS,
    signoffSamples: settings.p4Samples,
    peerSamples: settings.p4Samples,
    onPostgres: true,
    figure: (s) => {
      const ms = s.map((x) => x.allVerifiedMs);
      return { value: percentile(ms, 50), samples: ms.length, max: Math.max(...ms), responseP50: percentile(s.map((x) => x.responseMs), 50) };
    },
  });
  return [
    row({
      id: 'P4',
      title: 'logout of a session signed in to 20 clients → 20 logout tokens received and verified',
      unit: 'ms, p50 (lower is better)',
      ...runs,
      signoffNote: ctx.signoffBackChannel ? undefined : PENDING,
      target: 'p50 ≤ 8 ms',
      met: ({ signoff }) => signoff.median <= 8,
      postgresNote: ctx.signoffBackChannel ? ctx.postgresNote : PENDING,
      postgresTarget: 'p50 ≤ 15 ms',
      postgresMet: ({ signoff }) => signoff.median <= 15,
      detail:
        `${settings.p4Samples} logouts per repetition; from the start of the logout request to the moment the 20th receiver finished ` +
        'verifying its token (signature against the JWKS, iss, aud, iat, jti, events, sid, no nonce).',
    }),
  ];
};
