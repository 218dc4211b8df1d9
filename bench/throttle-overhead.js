#!/usr/bin/env node
// P5 with the sign-in throttle's bookkeeping on and off, in one run (issue 14 §4: the throttle
// must not slow password sign-ins per core by more than 5%).
//   node bench/throttle-overhead.js [--quick] [--reps N] [--sign-ins N]
// Starts two Signoff processes on 127.0.0.1, each on its own SQLite file, with the same
// configuration but `signIn.throttle.enabled`, and runs P5's phase (bench/scenarios/p5-password-
// sign-in.js) on each in turn, `--reps` times; prints the medians of sign-ins per CPU-second and
// their ratio as one JSON line on stdout (progress on stderr). The end-to-end ratio is as noisy as
// the machine; so the bookkeeping of a successful sign-in (the store calls accounts/sign-in-
// attempt.ts makes around the verification) is also timed alone, in this process, on a SQLite
// file, and given as CPU per sign-in and as a share of the throttle-off sign-in's CPU.
// See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signoffDriver } from './lib/drivers.js';
import { freePort } from './lib/processes.js';
import { USER, signoffConfig, startSignoff } from './lib/setup.js';
import { round, summary } from './lib/stats.js';
import { passwordSignInPhase } from './scenarios/p5-password-sign-in.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, reps: { type: 'string' }, 'sign-ins': { type: 'string' } } });
const reps = Number(values.reps ?? (values.quick ? 2 : 5));
const signIns = Number(values['sign-ins'] ?? (values.quick ? 6 : 80));
const log = (line) => console.error(line);

/** The redirect URIs name a receivers origin nobody needs to serve: a sign-in answers with the redirect, which is not followed. */
const RECEIVERS = 'http://127.0.0.1:9';

/** CPU microseconds of one successful sign-in's throttle bookkeeping, the same store calls as attemptPassword's, on a SQLite file. */
const bookkeepingMicros = async (dir, n) => {
  const { SqliteStore } = await import('../packages/server/dist/src/store/sqlite/store.js');
  const { throttleKeys } = await import('../packages/server/dist/src/accounts/throttle.js');
  const { parseConfig } = await import('../packages/server/dist/src/config/schema.js');
  const store = new SqliteStore(join(dir, 'bookkeeping.sqlite'));
  const config = parseConfig({ issuer: 'http://127.0.0.1:1' }).signIn.throttle;
  const count = (kind) => ({ rule: config[kind], resetAfter: config.resetAfter });
  const once = async () => {
    const at = Date.now() / 1000;
    const keys = throttleKeys(USER.username, '127.0.0.1');
    const [known] = await store.throttleStates([keys.known]);
    const claim = await store.claimThrottle(at, [
      { key: keys.account, check: !known, count: count('account') },
      { key: keys.pair, check: true, count: count('pair') },
      { key: keys.address, check: true, count: count('address') },
    ]);
    if (!claim.admitted) throw new Error('bookkeeping: refused');
    await store.clearThrottle([keys.account, keys.pair]);
    await store.uncountThrottle([keys.address]);
    if (!known) await store.markThrottleSeen(keys.known, at);
  };
  try {
    for (let i = 0; i < n / 10; i++) await once();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await once();
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  } finally {
    await store.close();
  }
};

const start = async (dir, name, throttle) => {
  const port = await freePort();
  const config = { ...signoffConfig(join(dir, name), port, RECEIVERS, { provider: name }), signIn: { throttle: { enabled: throttle } } };
  config.store = { sqlite: join(dir, `${name}.sqlite`) };
  config.keys = { encryptionKeyFile: join(dir, `${name}.kek`) };
  writeFileSync(config.keys.encryptionKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const configFile = join(dir, `${name}.config.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const proc = await startSignoff(configFile);
  return { proc, driver: signoffDriver({ issuer: config.issuer, pid: proc.child.pid, name }) };
};

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-throttle-bench-'));
  const systems = [];
  try {
    systems.push(await start(dir, 'throttle-on', true), await start(dir, 'throttle-off', false));
    const ctx = {
      settings: { connections: 10 },
      receivers: RECEIVERS,
      assertGood: (r, what) => {
        if (r.good === 0 || r.bad > 0 || r.errors > 0) throw new Error(`${what}: ${r.good} good, ${r.bad} bad, ${r.errors} errors; first bad: ${r.firstBad}`);
      },
    };
    for (const s of systems) await passwordSignInPhase(ctx, s.driver, Math.max(2, Math.round(signIns / 8)));
    const runs = { 'throttle-on': [], 'throttle-off': [] };
    for (let rep = 1; rep <= reps; rep++) {
      // In turn, so that drift in the machine's load falls on both alike; the first alternates.
      for (const s of rep % 2 ? systems : [...systems].reverse()) {
        const r = await passwordSignInPhase(ctx, s.driver, signIns);
        runs[s.driver.name].push(r.value);
        log(`rep ${rep} ${s.driver.name}: ${round(r.value)} sign-ins per CPU-second (${round(r.perSecond)}/s, p50 ${r.p50} ms)`);
      }
    }
    const on = summary(runs['throttle-on']);
    const off = summary(runs['throttle-off']);
    const micros = await bookkeepingMicros(dir, values.quick ? 500 : 5000);
    console.log(JSON.stringify({
      scenario: 'P5 throttle overhead',
      signInsPerPhase: signIns,
      reps,
      throttleOn: { median: round(on.median), min: round(on.min), max: round(on.max) },
      throttleOff: { median: round(off.median), min: round(off.min), max: round(off.max) },
      ratio: round(on.median / off.median, 3),
      slowdownPercent: round((1 - on.median / off.median) * 100, 1),
      bookkeeping: { cpuMicrosPerSignIn: round(micros, 1), percentOfSignInCpu: round((micros / (1e6 / off.median)) * 100, 2) },
      target: 'throttle on ≥ 95% of throttle off',
      met: on.median >= 0.95 * off.median,
    }));
  } finally {
    await Promise.all(systems.map((s) => s.proc.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
};

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
