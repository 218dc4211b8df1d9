/**
 * Issue 14 §4 "No guessing": failed sign-ins are throttled per account, per (account, address)
 * and per address, with growing delays and then a temporary lock that a right password does not
 * bypass; every refusal is the wrong-password page and takes as long; signin.failed and
 * signin.locked are in the audit log and in /metrics. Real HTTP on loopback, a real SQLite file;
 * the shared count on PostgreSQL with two instances on one database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addressOf, normaliseUsername, throttleKeys } from '../src/accounts/throttle.js';
import { ManualClock } from '../src/clock.js';
import { startHousekeeping } from '../src/housekeeping.js';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl } from './helpers/session-flows.js';

const server = usePostgres();

/** The limits these tests configure (the defaults' shape, with numbers easy to follow). */
const THROTTLE = {
  resetAfter: '12h',
  knownAddressFor: '30d',
  account: { freeFailures: 10, delay: '1s', maxDelay: '1m', lockAfter: 30, lockDuration: '15m' },
  pair: { freeFailures: 5, delay: '1s', maxDelay: '1m', lockAfter: 20, lockDuration: '15m' },
  address: { freeFailures: 30, delay: '1s', maxDelay: '1m', lockAfter: 100, lockDuration: '15m' },
};
const LOCK = 15 * 60;

const start = (clock: ManualClock, over: Record<string, unknown> = {}, trustProxy: unknown = true) =>
  startProvider({ http: { trustProxy }, signIn: { throttle: { ...THROTTLE, ...over } } }, { clock });

type Outcome = 'signed_in' | 'refused';

/** One sign-in attempt in a fresh browser from `ip` (as X-Forwarded-For); the answer's page when refused. */
const attempt = async (op: TestProvider, user: { username: string; password: string }, ip?: string): Promise<{ outcome: Outcome; status: number; body: string }> => {
  const browser = new TestBrowser(op.issuer, ip ? { 'x-forwarded-for': ip } : {});
  const page = await browser.navigate(authorizeUrl(op.issuer, WEB));
  assert.ok(isLoginPage(page.body), `the sign-in page: ${page.status}`);
  const form = parseForm(page.body);
  const hop = await browser.navigate(new URL(form.action, page.url).toString(), { form: { ...form.fields, username: user.username, password: user.password } });
  if (hop.location?.startsWith(WEB.redirect_uri) && new URL(hop.location).searchParams.has('code')) return { outcome: 'signed_in', status: hop.status, body: '' };
  assert.equal(hop.status, 401, `a refusal is the 401 sign-in page, got ${hop.status} ${hop.body.slice(0, 200)}`);
  assert.match(hop.body, /Invalid username or password\./);
  return { outcome: 'refused', status: hop.status, body: hop.body };
};

const wrong = (username: string = USERS.alice.username) => ({ username, password: 'not-the-password' });

/** The reasons of the signin.failed events, counted. */
const failures = async (op: TestProvider): Promise<Record<string, number>> => {
  const out: Record<string, number> = {};
  for (const e of await op.provider.store.listEvents({ type: 'signin.failed', limit: 100_000 })) out[e.reason ?? ''] = (out[e.reason ?? ''] ?? 0) + 1;
  return out;
};

const locks = async (op: TestProvider): Promise<string[]> => (await op.provider.store.listEvents({ type: 'signin.locked', limit: 1000 })).map((e) => e.reason ?? '');

/** A metric's value from /metrics (0 when absent). */
const metric = async (op: TestProvider, line: string): Promise<number> => {
  const text = await (await fetch(`${op.management}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
};

/** The page without what differs per request (the interaction's id, CSRF token). */
const shape = (html: string): string =>
  html.replace(/\/interaction\/[^"/]+/g, '/interaction/ID').replace(/value="[^"]{16,}"/g, 'value="X"').replace(/nonce="[^"]+"/g, 'nonce="N"');

describe('issue 14 §4: 50 wrong passwords, by pattern, behave as configured', () => {
  it('one account from one address: 5 free failures, then the delay refuses unverified; waiting out the delays leads to the pair lock at 20, which a right password does not pass, and which ends after lockDuration', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      const ip = '203.0.113.10';
      const first = await attempt(op, wrong(), ip);
      for (let i = 1; i < 50; i++) await attempt(op, wrong(), ip);
      // The sixth failure starts a 1 s delay; the clock does not move, so the other 44 are refused unverified.
      assert.deepEqual(await failures(op), { invalid_credentials: 6, throttled: 44 });
      const refused = await attempt(op, wrong(), ip);
      assert.equal(shape(refused.body), shape(first.body), 'a refusal is the wrong-password page, word for word');
      assert.equal((await op.provider.store.throttleStates([throttleKeys('alice', ip).pair]))[0]?.failures, 6, 'refusals are not counted');
      // Each wait longer than the longest delay: every attempt is verified, until the 20th failure locks.
      for (let n = 7; n <= 20; n++) {
        clock.advance(61);
        await attempt(op, wrong(), ip);
      }
      assert.deepEqual(await locks(op), ['pair'], 'the 20th failure locked the (account, address) pair');
      clock.advance(61);
      assert.equal((await attempt(op, USERS.alice, ip)).outcome, 'refused', 'the right password during the lock is refused');
      clock.advance(LOCK - 62);
      assert.equal((await attempt(op, USERS.alice, ip)).outcome, 'refused', 'still locked a second before the end');
      assert.equal((await attempt(op, USERS.alice, '198.51.100.1')).outcome, 'signed_in', 'the user from another address is not locked out');
      clock.advance(2);
      assert.equal((await attempt(op, USERS.alice, ip)).outcome, 'signed_in', 'the lock ends by itself');
      assert.deepEqual(await op.provider.store.throttleStates([throttleKeys('alice', ip).pair, throttleKeys('alice', ip).account]), [], 'a sign-in clears its counters');
      assert.equal(await metric(op, 'signoff_sign_ins_total{outcome="failed",reason="throttled"}'), 44 + 1 + 2, 'the 44, the page compared, the two right passwords');
      assert.equal(await metric(op, 'signoff_sign_ins_total{outcome="failed",reason="invalid_credentials"}'), 20);
      assert.equal(await metric(op, 'signoff_sign_in_locks_total{kind="pair"}'), 1);
      const aliceId = (await op.provider.store.accountByUsername('alice'))?.id;
      const events = await op.provider.store.listEvents({ type: 'signin.locked', limit: 10 });
      assert.equal(events[0]?.accountId, aliceId, 'the events name the account when it exists');
    } finally {
      await op.close();
    }
  });

  it('one account from many addresses: the account counter delays after 10 and locks at 30; the user is not kept out from an address she signed in from, and from a new one only until the lock ends', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      assert.equal((await attempt(op, USERS.alice, '192.0.2.1')).outcome, 'signed_in', 'the user\'s own address, known from this sign-in');
      for (let i = 0; i < 50; i++) await attempt(op, wrong(), `198.51.100.${i + 1}`);
      assert.deepEqual(await failures(op), { invalid_credentials: 11, throttled: 39 });
      for (let n = 12; n <= 30; n++) {
        clock.advance(61);
        await attempt(op, wrong(), `198.51.100.${n + 100}`);
      }
      assert.deepEqual(await locks(op), ['account']);
      assert.equal((await attempt(op, USERS.alice, '198.51.100.250')).outcome, 'refused', 'the right password from a new address during the lock');
      assert.equal((await attempt(op, USERS.alice, '192.0.2.1')).outcome, 'signed_in', 'the right password from the known address');
      // That sign-in cleared the account's counter: the attacker starts again from zero free failures.
      assert.equal((await attempt(op, USERS.bob, '198.51.100.250')).outcome, 'signed_in', 'other accounts are untouched');
      assert.equal(await metric(op, 'signoff_sign_in_locks_total{kind="account"}'), 1);
    } finally {
      await op.close();
    }
  });

  it('many accounts from one address: the address counter delays after 30 failures, whoever the usernames name; other addresses are untouched', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      const ip = '203.0.113.20';
      const names = Array.from({ length: 50 }, (_, i) => (i % 10 === 0 ? (i % 20 === 0 ? 'alice' : 'bob') : `guess-${i}`));
      for (const name of names) await attempt(op, wrong(name), ip);
      assert.deepEqual(await failures(op), { invalid_credentials: 31, throttled: 19 });
      assert.equal((await attempt(op, USERS.bob, ip)).outcome, 'refused', 'a right password from the delayed address');
      assert.equal((await attempt(op, USERS.bob, '198.51.100.7')).outcome, 'signed_in');
      for (let n = 32; n <= 100; n++) {
        clock.advance(61);
        await attempt(op, wrong(`spray-${n}`), ip);
      }
      assert.deepEqual(await locks(op), ['address']);
      clock.advance(LOCK + 1);
      assert.equal((await attempt(op, USERS.bob, ip)).outcome, 'signed_in', 'the address lock ends by itself');
    } finally {
      await op.close();
    }
  });
});

describe('issue 14 §4: the throttle in the edges', () => {
  it('X-Forwarded-For is honoured only as http.trustProxy says: without it, many forwarded addresses are one peer', async () => {
    const clock = new ManualClock();
    const op = await start(clock, {}, false);
    try {
      for (let i = 0; i < 10; i++) await attempt(op, wrong(), `198.51.100.${i + 1}`);
      assert.deepEqual(await failures(op), { invalid_credentials: 6, throttled: 4 }, 'the pair of 127.0.0.1, not ten pairs');
      assert.equal((await op.provider.store.throttleStates([throttleKeys('alice', '127.0.0.1').pair]))[0]?.failures, 6);
    } finally {
      await op.close();
    }
  });

  it('hostile usernames (huge, unicode look-alikes, __proto__, constructor) are counted like any name, never an error', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      // The longest a parameter may be (oauth/params.ts MAX_PARAM_LENGTH), in characters of three UTF-8 bytes.
      const huge = '\u20ac'.repeat(4096);
      for (const name of [huge, '__proto__', 'constructor', 'ＡＬＩＣＥ', ' Alice ', '\u{1F600}\u0301', 'a\u0000b']) {
        assert.equal((await attempt(op, wrong(name), '203.0.113.30')).status, 401, `username ${name.slice(0, 20)}`);
      }
      assert.equal(normaliseUsername('ＡＬＩＣＥ'), 'alice');
      const browser = new TestBrowser(op.issuer);
      const page = await browser.navigate(authorizeUrl(op.issuer, WEB));
      const form = parseForm(page.body);
      const tooLong = await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, username: 'x'.repeat(60_000), password: 'p' } });
      assert.equal(tooLong.status, 400, 'a username past the parameter limit is the caller\'s error before any throttle, never a 500');
      const alice = (await op.provider.store.throttleStates([throttleKeys('alice', '203.0.113.30').pair]))[0];
      assert.equal(alice?.failures, 2, 'full-width and padded spellings of alice share her counter');
      assert.equal((await op.provider.store.throttleStates([throttleKeys(huge, '203.0.113.30').account]))[0]?.failures, 1);
      assert.ok(throttleKeys(huge, '203.0.113.30').account.length < 64, 'keys are digests, whatever the name');
    } finally {
      await op.close();
    }
  });

  it('an IPv6 address is counted by its /64 (RFC 7421: one subscriber holds all of it), an IPv4-mapped one as IPv4', async () => {
    assert.equal(addressOf('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressOf('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
    assert.equal(addressOf('::ffff:203.0.113.5'), '203.0.113.5');
    assert.equal(addressOf('203.0.113.5'), '203.0.113.5');
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      for (let i = 0; i < 7; i++) await attempt(op, wrong(), `2001:db8:1:2::${i + 1}`);
      assert.deepEqual(await failures(op), { invalid_credentials: 6, throttled: 1 }, 'seven addresses of one /64 are one pair');
    } finally {
      await op.close();
    }
  });

  it('concurrent attempts are counted exactly, and none is verified past the lock (in flight together they may skip the delays)', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      const ip = '203.0.113.40';
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => attempt(op, wrong(), ip)));
      assert.ok(outcomes.every((o) => o.outcome === 'refused'));
      const { invalid_credentials: verified = 0, throttled = 0 } = await failures(op);
      assert.equal(verified + throttled, 30);
      assert.ok(verified >= 6 && verified <= 20, `${verified} verified: at least the free failures and the one that starts the delay, at most the lock's 20`);
      const keys = throttleKeys('alice', ip);
      const states = await op.provider.store.throttleStates([keys.pair, keys.account, keys.address]);
      assert.deepEqual(states.map((s) => [s.key.split(':')[0], s.failures]).sort(), [['account', verified], ['address', verified], ['pair', verified]], 'every verified attempt counted once, no refused one');
      assert.equal((await attempt(op, USERS.alice, ip)).outcome, 'refused');
    } finally {
      await op.close();
    }
  });

  it('a user\'s own sign-ins in flight together are not refused for being many (fewer than the lock)', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    try {
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => attempt(op, USERS.alice, '203.0.113.41')));
      assert.deepEqual(outcomes.map((o) => o.outcome), Array(12).fill('signed_in'));
      const keys = throttleKeys('alice', '203.0.113.41');
      assert.deepEqual((await op.provider.store.throttleStates([keys.pair, keys.account, keys.address])).map((s) => [s.key.split(':')[0], s.failures]), [['address', 0]]);
    } finally {
      await op.close();
    }
  });

  it('signIn.throttle.enabled false: nothing is counted or refused, failures are still audited', async () => {
    const clock = new ManualClock();
    const op = await start(clock, { enabled: false });
    try {
      for (let i = 0; i < 25; i++) await attempt(op, wrong(), '203.0.113.50');
      assert.deepEqual(await failures(op), { invalid_credentials: 25 });
      assert.equal((await attempt(op, USERS.alice, '203.0.113.50')).outcome, 'signed_in');
    } finally {
      await op.close();
    }
  });

  it('housekeeping forgets counters quiet for resetAfter and addresses not signed in from for knownAddressFor', async () => {
    const clock = new ManualClock();
    const op = await start(clock);
    const sweep = async () => {
      const stop = startHousekeeping(op.provider, { info: () => undefined, error: () => undefined }, 20);
      await new Promise((r) => setTimeout(r, 150));
      stop();
    };
    try {
      const ip = '203.0.113.80';
      const keys = throttleKeys('alice', ip);
      await attempt(op, USERS.alice, ip);
      await attempt(op, wrong(), ip);
      await sweep();
      assert.equal((await op.provider.store.throttleStates([keys.pair, keys.account, keys.address, keys.known])).length, 4, 'recent rows are kept');
      clock.advance(12 * 3600 + 10);
      await sweep();
      assert.deepEqual((await op.provider.store.throttleStates([keys.pair, keys.account, keys.address, keys.known])).map((s) => s.key), [keys.known]);
      clock.advance(30 * 86400);
      await sweep();
      assert.deepEqual(await op.provider.store.throttleStates([keys.known]), []);
    } finally {
      await op.close();
    }
  });

  it('unknown and known usernames take the same time: the median difference of paired attempts within 10% of the median time', async (t) => {
    const clock = new ManualClock();
    // Limits out of reach: this measures the verification path, not refusals.
    const loose = { freeFailures: 1000, delay: '1s', maxDelay: '1s', lockAfter: 100_000, lockDuration: '1s' };
    const op = await start(clock, { account: loose, pair: loose, address: loose });
    try {
      const time = async (username: string, ip: string): Promise<number> => {
        const browser = new TestBrowser(op.issuer, { 'x-forwarded-for': ip });
        const page = await browser.navigate(authorizeUrl(op.issuer, WEB));
        const form = parseForm(page.body);
        const url = new URL(form.action, page.url).toString();
        const t0 = process.hrtime.bigint();
        const hop = await browser.request(url, { form: { ...form.fields, username, password: 'not-the-password' } });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        assert.equal(hop.status, 401);
        return ms;
      };
      for (let i = 0; i < 4; i++) await time(i % 2 ? 'alice' : `nobody-${i}`, '203.0.113.60');
      const known: number[] = [];
      const unknown: number[] = [];
      // Each known attempt sent together with an unknown one, so that whatever else the machine is
      // doing at that moment (a shared CI host) weighs on both alike; 40 pairs, a few seconds.
      for (let i = 0; i < 40; i++) {
        // Which of the two is sent first alternates: the first one sent tends to finish first.
        const pair = [() => time('alice', '203.0.113.61'), () => time(`nobody-${i}`, '203.0.113.62')] as const;
        const [k, u] = i % 2 ? await Promise.all([pair[0](), pair[1]()]) : (await Promise.all([pair[1](), pair[0]()])).reverse();
        known.push(k as number);
        unknown.push(u as number);
      }
      // Paired: each difference is between two attempts sent at the same moment, so a pause of the
      // machine (a shared CI host) weighs on both; the median of the differences ignores the few
      // pairs one such pause split. A real gap (a skipped hash) shows in every pair.
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const gap = median(unknown.map((u, n) => u - (known[n] as number)));
      const typical = median(known);
      t.diagnostic(`median known ${typical.toFixed(1)} ms, median unknown ${median(unknown).toFixed(1)} ms, median paired difference ${gap.toFixed(1)} ms`);
      assert.ok(Math.abs(gap) / typical < 0.1, `median paired difference ${gap.toFixed(1)} ms against a median of ${typical.toFixed(1)} ms`);
    } finally {
      await op.close();
    }
  });
});

describe('issue 14 §4 with PostgreSQL: instances behind a load balancer share the counts exactly', () => {
  let a: TestProvider;
  let b: TestProvider;
  let drop: () => Promise<void>;
  const clock = new ManualClock();
  before(async () => {
    const db = await freshDatabase(await server());
    drop = db.drop;
    const store = { postgres: db.url, poolSize: 4 };
    a = await startProvider({ store, http: { trustProxy: true }, signIn: { throttle: THROTTLE } }, { clock });
    b = await startProvider({ store, http: { trustProxy: true }, signIn: { throttle: THROTTLE } }, { clock });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('failures on either instance count on one counter: the sixth, wherever it lands, starts the delay for both', async () => {
    const ip = '203.0.113.70';
    for (let i = 0; i < 10; i++) await attempt(i % 2 ? b : a, wrong(), ip);
    assert.deepEqual(await failures(a), { invalid_credentials: 6, throttled: 4 });
    const keys = throttleKeys('alice', ip);
    assert.equal((await a.provider.store.throttleStates([keys.pair]))[0]?.failures, 6);
  });

  it('concurrent attempts on both instances are counted exactly', async () => {
    const ip = '203.0.113.71';
    await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i % 2 ? b : a, wrong('bob'), ip)));
    const keys = throttleKeys('bob', ip);
    const events = await a.provider.store.listEvents({ type: 'signin.failed', limit: 1000 });
    const bobId = (await a.provider.store.accountByUsername('bob'))?.id;
    const bobs = events.filter((e) => e.accountId === bobId).map((e) => e.reason);
    const verified = bobs.filter((r) => r === 'invalid_credentials').length;
    assert.equal(bobs.length, 30);
    assert.ok(verified >= 6 && verified <= 20, `${verified} verified: none past the lock`);
    const [pair] = await b.provider.store.throttleStates([keys.pair]);
    assert.equal(pair?.failures, verified, 'every verified attempt counted once, on whichever instance');
  });
});
