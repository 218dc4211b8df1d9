#!/usr/bin/env node
// Benchmarks of Signoff side by side with oidc-provider and against the machine's ceiling.
//   node bench/run.js [--quick] [--only P1,P2] [--out DIR] [--profile DIR] [--postgres URL|off] [--help]
// Starts every server on 127.0.0.1 (one process each), drives the load from this process with
// autocannon, and writes DIR/latest.json and DIR/latest.md (DIR: bench/results, or
// bench/results/quick for --quick). --profile runs Signoff under --cpu-prof (see profile-top.js).
// Signoff runs on SQLite and, on a database of its own, on PostgreSQL (--postgres: the server).
// See bench/README.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { peerDriver, signoffDriver } from './lib/drivers.js';
import { ReceiverLog } from './lib/receivers.js';
import { DEFAULT_ADMIN_URL, serverOf, serverVersion } from './lib/postgres.js';
import { mergeWithPrevious, writeResults } from './lib/report.js';
import { ROOT, USER, startSystems } from './lib/setup.js';
import { round } from './lib/stats.js';
import { p3, p4 } from './scenarios/logout.js';
import { p1 } from './scenarios/p1-sso-authorize.js';
import { p5 } from './scenarios/p5-password-sign-in.js';
import { p7, p8 } from './scenarios/stored-sessions.js';
import { p2, p6 } from './scenarios/token-endpoint.js';

const BENCH = dirname(fileURLToPath(import.meta.url));

const USAGE = `Usage: npm run bench -- [--quick] [--only P1,P6] [--out DIR] [--profile DIR] [--postgres URL|off]
       (or: node bench/run.js [options])

  --quick          run every scenario for a moment (results in bench/results/quick)
  --only IDS       run only these scenarios, comma-separated (P1 to P8); their rows replace
                   those of the same scenarios in DIR/latest.json, the other rows are kept
  --out DIR        write latest.json and latest.md to DIR (default bench/results)
  --profile DIR    run Signoff under node --cpu-prof, profiles in DIR/sqlite, DIR/postgres
                   and DIR/pgpair (see profile-top.js)
  --postgres URL   the PostgreSQL server for the PostgreSQL columns, as an admin URL (default
                   SIGNOFF_BENCH_POSTGRES, else ${DEFAULT_ADMIN_URL});
                   each Signoff system gets a database of its own, dropped at the end;
                   off: SQLite only
  -h, --help       print this text

bench/README.md describes the scenarios and how to read the results.`;

/** A mistake on the command line: the message and the usage on stderr, exit 2, no stack trace. */
const usageError = (message) => {
  console.error(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, profile: { type: 'string' }, postgres: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (err) {
  usageError(err.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/**
 * Full runs aim at under ten minutes on two cores; quick runs at seconds per scenario. A quick run
 * (`npm test`'s check that every scenario still produces a number) skips the warm-ups: its numbers
 * mean nothing anyway, and each warm-up phase costs a second or more of autocannon's ticks.
 */
const SETTINGS = {
  full: {
    reps: 3, connections: 10, warmup: true, warmupSeconds: 3, phaseSeconds: 5, warmupCodes: 400, codesPerPhase: 1200, codeBatch: 400, warmupSignIns: 10,
    signInsPerPhase: 80, p3Samples: 30, p3PeerSamples: 4, p4Samples: 10, p7Sessions: 10_000, p8Sessions: 1_000_000, p8PostgresSessions: 10_000_000, deliveryTimeoutMs: 15_000,
  },
  quick: {
    reps: 1, connections: 4, warmup: false, warmupSeconds: 0.3, phaseSeconds: 0.5, warmupCodes: 20, codesPerPhase: 60, codeBatch: 60, warmupSignIns: 2,
    signInsPerPhase: 4, p3Samples: 2, p3PeerSamples: 1, p4Samples: 1, p7Sessions: 200, p8Sessions: 5_000, p8PostgresSessions: 5_000, deliveryTimeoutMs: 15_000,
  },
};
const SCENARIOS = { P1: p1, P2: p2, P5: p5, P6: p6, P3: p3, P4: p4, P7: p7, P8: p8 };

const mode = values.quick ? 'quick' : 'full';
const settings = SETTINGS[mode];
const only = values.only ? values.only.split(',').map((s) => s.trim().toUpperCase()) : Object.keys(SCENARIOS);
const unknown = only.filter((id) => !(id in SCENARIOS));
if (unknown.length > 0) usageError(`--only: no scenario ${unknown.join(', ')} (there are ${Object.keys(SCENARIOS).join(', ')})`);
const postgresUrl = (values.postgres ?? process.env.SIGNOFF_BENCH_POSTGRES) || DEFAULT_ADMIN_URL;
if (postgresUrl !== 'off' && !/^postgres(ql)?:\/\//.test(postgresUrl)) usageError(`--postgres: expected a postgres:// URL or off, got ${postgresUrl}`);
const outDir = values.out ?? join(BENCH, 'results', ...(values.quick ? ['quick'] : []));
const log = (line) => console.error(line);

const versionOf = (pkg) => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const loads = () => loadavg().map((x) => round(x, 2));

const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: round(totalmem() / 2 ** 30, 1),
  os: `${platform()} ${release()}`,
  node: process.version,
  loadStart: loads(),
  uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
});

/** Runs a ceiling loop (ceilings/NAME.js) in its own process; returns its JSON line. */
const ceiling = (jwk) => (name, seconds) =>
  JSON.parse(execFileSync(process.execPath, [join(BENCH, 'ceilings', `${name}.js`), String(seconds)], { env: { ...process.env, BENCH_RS256_JWK: JSON.stringify(jwk) }, encoding: 'utf8' }));

/**
 * Both systems do the same work: a token response of each is decoded once before any load — an
 * RS256 JWT access token, an RS256 ID token with the same key, a refresh token. Signoff on
 * PostgreSQL signs with an RS256 key of its own (its store made it): the same work, another kid.
 */
const checkSameWork = async (ctx) => {
  const out = {};
  for (const d of [ctx.signoff, ...(ctx.postgres ? [ctx.postgres] : []), ctx.peer]) {
    const { code } = await d.signIn(USER, 'rp01', ctx.receivers);
    const t = await d.exchange('rp01', code, ctx.receivers);
    const at = decodeProtectedHeader(t.access_token);
    const id = decodeProtectedHeader(t.id_token);
    const kid = d === ctx.postgres ? at.kid : ctx.systems.jwk.kid;
    if (at.alg !== 'RS256' || id.alg !== 'RS256' || at.kid !== kid || id.kid !== kid || !t.refresh_token) {
      throw new Error(`${d.name} does not answer with RS256 JWTs under the shared key and a refresh token: ${JSON.stringify({ at, id })}`);
    }
    out[d.name] = { accessToken: at, idTokenClaims: Object.keys(decodeJwt(t.id_token)).sort(), refreshToken: true };
  }
  return out;
};

const main = async () => {
  const started = new Date();
  const desc = machine();
  log(`signoff bench (${mode}): ${desc.cpu}, ${desc.cores} cores, Node ${desc.node}; ${desc.uptime}`);
  const systems = await startSystems({ profileDir: values.profile, postgres: postgresUrl === 'off' ? undefined : postgresUrl });
  // A run stopped by a signal (a `timeout`) still stops its servers and drops its databases.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`bench: ${signal}, stopping the servers`);
      systems.close().finally(() => process.exit(130));
    });
  }
  const postgresVersion = systems.postgres ? await serverVersion(systems.postgresAdminUrl) : undefined;
  if (systems.postgres) log(`Signoff on PostgreSQL ${postgresVersion}: database ${systems.postgres.database.name}`);
  else log(`Signoff on PostgreSQL: ${systems.postgresNote}`);
  try {
    const receiverLog = new ReceiverLog(systems.receivers.child);
    const discovery = await (await fetch(`${systems.signoff.issuer}/.well-known/openid-configuration`)).json();
    const ctx = {
      settings,
      systems,
      receivers: systems.receivers.url,
      receiverLog,
      signoff: signoffDriver(systems.signoff),
      postgres: systems.postgres && signoffDriver({ ...systems.postgres, name: 'postgres' }),
      postgresNote: systems.postgresNote,
      peer: peerDriver(systems.peer),
      profileDir: values.profile,
      // Signoff's back-channel delivery is a separate issue: until it is in, P3, P4 and P7 say so.
      signoffBackChannel: discovery.backchannel_logout_supported === true,
      ceiling: ceiling(systems.jwk),
      log,
      rebindSignoff: (pid) => (ctx.signoff = signoffDriver({ issuer: systems.signoff.issuer, pid })),
      assertGood: (r, what) => {
        if (r.good === 0 || r.bad > 0 || r.errors > 0) throw new Error(`${what}: ${r.good} good, ${r.bad} bad, ${r.errors} errors; first bad: ${r.firstBad}`);
      },
    };
    const sameWork = await checkSameWork(ctx);
    const scenarios = [];
    for (const id of Object.keys(SCENARIOS).filter((k) => only.includes(k))) {
      log(`${id} …`);
      const t0 = performance.now();
      scenarios.push(...(await SCENARIOS[id](ctx)));
      log(`${id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    if (receiverLog.failures.length > 0) throw new Error(`logout tokens failed verification: ${JSON.stringify(receiverLog.failures.slice(0, 3))}`);
    let results = {
      mode,
      startedAt: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      machine: { ...desc, loadEnd: loads() },
      versions: { signoff: versionOf('signoff'), oidcProvider: versionOf('oidc-provider'), autocannon: versionOf('autocannon'), ...(postgresVersion ? { postgres: postgresVersion } : {}) },
      repetitions: settings.reps,
      settings,
      sameWork,
      logoutTokensVerified: receiverLog.verified.length,
      notes: [
        'Every server runs in its own process on 127.0.0.1; the load comes from the harness process (autocannon as a library).',
        'oidc-provider runs with the same RS256 key as Signoff (read from Signoff\'s store after its first start), the same clients with ' +
          'back-channel URIs, its back-channel logout, its default memory adapter, grants auto-approved in loadExistingGrant, a fetch ' +
          'that allows loopback, JWT access tokens through a default resource, refresh tokens on every code grant and rotation.',
        'oidc-provider SSO cookies come from its development interactions (its own sign-in form, driven like a browser).',
        systems.postgres
          ? `Signoff on PostgreSQL: the same configuration on a PostgreSQL ${postgresVersion} store (a database of its own on ` +
            `${serverOf(systems.postgresAdminUrl)}, pool of 10 connections, SIGNOFF_KEY_ENCRYPTION_KEY), in its own process; ` +
            'the PostgreSQL server runs on the same machine and its backends share the two cores.'
          : `Signoff on PostgreSQL: ${systems.postgresNote}.`,
        `${receiverLog.verified.length} logout tokens were received and verified (signature, iss, aud, iat, jti, events, sid/sub, no nonce); none failed.`,
        'Ratios are Signoff ÷ the other side: above 1 is higher for Signoff (better for rates, worse for latencies).',
        'Where targets are missed, bench/README.md ("Where the time goes") says where the time goes, from a --cpu-prof profile.',
      ],
      scenarios,
    };
    if (values.only) results = mergeWithPrevious(outDir, results, Object.keys(SCENARIOS));
    const md = writeResults(outDir, results);
    console.log(md);
  } finally {
    await systems.close();
  }
};

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
