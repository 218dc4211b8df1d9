/**
 * The management listener (issue 10 §6 "Exposure"): metrics and readiness are served on their
 * own listener (127.0.0.1 by default), never on the public port; the metrics an operator needs
 * move with what happens; readiness follows the store (issue 10 §9: a /readyz that always said
 * 200 would fail here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { parseConfig } from '../src/config/schema.js';
import { buildManagementApp } from '../src/http/management.js';
import { endingDeps, openProvider } from '../src/provider.js';
import { endSessions } from '../src/sessions/end.js';
import { sweepExpiredSessions } from '../src/sessions/sweep.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, TEST_KEK_ENV, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { accountIdOf, authorizeUrl, codeOf, exchange, refresh, signInFresh } from './helpers/session-flows.js';

/** One sample of a scrape: the value of `name` with exactly these labels, 0 when absent. */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number => {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean).sort().join(',');
    if (have === wanted) return Number(m[3]);
  }
  return 0;
};

const scrape = async (op: TestProvider): Promise<string> => {
  const res = await fetch(`${op.management}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
};

describe('the public port keeps /healthz only; metrics and readiness are on the management listener (issue 10 §6)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('GET /metrics and GET /readyz answer 404 on the public port, 200 on the management listener', async () => {
    assert.equal((await fetch(`${op.issuer}/healthz`)).status, 200);
    assert.equal((await fetch(`${op.issuer}/metrics`)).status, 404);
    assert.equal((await fetch(`${op.issuer}/readyz`)).status, 404);
    assert.notEqual(new URL(op.management).port, new URL(op.issuer).port);
    assert.equal((await fetch(`${op.management}/readyz`)).status, 200);
    assert.match(await scrape(op), /^# TYPE signoff_sign_ins_total counter$/m);
  });

  it('the management listener serves nothing of the provider (no discovery, no authorization endpoint)', async () => {
    assert.equal((await fetch(`${op.management}/.well-known/openid-configuration`)).status, 404);
    assert.equal((await fetch(`${op.management}/authorize`)).status, 404);
  });

  it('is bound to 127.0.0.1 by default, and `management.port: null` turns it off', () => {
    const c = parseConfig({ issuer: 'http://127.0.0.1:4000' });
    assert.deepEqual(c.management, { port: 9464, host: '127.0.0.1' });
    assert.equal(parseConfig({ issuer: 'http://127.0.0.1:4000', management: { port: null } }).management.port, null);
  });
});

describe('/readyz follows the store (issue 10 §6, §9)', () => {
  it('answers 200 while the store answers, 503 once it is closed; /healthz stays 200', async () => {
    const op = await startProvider();
    try {
      const ready = await fetch(`${op.management}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ok' });
      await op.provider.store.close();
      const down = await fetch(`${op.management}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), { status: 'unavailable' });
      assert.equal((await fetch(`${op.issuer}/healthz`)).status, 200, 'liveness does not depend on the store');
    } finally {
      await op.close();
    }
  });

  it('answers 503 through inject() on a provider whose store fails every query', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/signoff-ready-`);
    const provider = await openProvider(parseConfig({ issuer: 'http://127.0.0.1:4000', store: { sqlite: `${dir}/s.sqlite` }, logging: { level: 'silent' } }), { env: TEST_KEK_ENV });
    const app = buildManagementApp(provider);
    try {
      assert.equal((await app.inject('/readyz')).statusCode, 200);
      await provider.store.close();
      assert.equal((await app.inject('/readyz')).statusCode, 503);
    } finally {
      await app.close();
      (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the metrics an operator needs move with what happens (issue 10 §6)', () => {
  let op: TestProvider;
  const clock = new ManualClock(1_900_000_000_000);
  before(async () => {
    op = await startProvider({}, { clock });
  });
  after(() => op?.close());

  it('a wrong password counts as a failed sign-in (reason invalid_credentials), an empty one as missing_credentials', async () => {
    const before = await scrape(op);
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), { username: 'alice', password: 'wrong' });
    assert.equal(hop.status, 401);
    await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), { username: 'nobody-at-all', password: 'x' });
    await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), { username: 'alice', password: '' });
    const now = await scrape(op);
    const failed = (t: string, reason: string) => sample(t, 'signoff_sign_ins_total', { outcome: 'failed', reason });
    assert.equal(failed(now, 'invalid_credentials') - failed(before, 'invalid_credentials'), 2);
    assert.equal(failed(now, 'missing_credentials') - failed(before, 'missing_credentials'), 1);
    assert.equal(sample(now, 'signoff_sign_ins_total', { outcome: 'succeeded' }), sample(before, 'signoff_sign_ins_total', { outcome: 'succeeded' }));
  });

  it('a sign-in counts as succeeded and opens a session; tokens are counted by grant type; endings by reason', async () => {
    const before = await scrape(op);
    assert.equal(sample(before, 'signoff_sessions_open'), 0);
    const { code } = await signInFresh(op.issuer, CLIENTS.web, USERS.alice);
    await signInFresh(op.issuer, CLIENTS.web, USERS.bob);
    let now = await scrape(op);
    assert.equal(sample(now, 'signoff_sign_ins_total', { outcome: 'succeeded' }) - sample(before, 'signoff_sign_ins_total', { outcome: 'succeeded' }), 2);
    assert.equal(sample(now, 'signoff_sessions_open'), 2);

    const tokens = await exchange(op.issuer, CLIENTS.web, code);
    assert.ok(tokens.refresh_token, 'the web client gets a refresh token');
    assert.equal((await refresh(op.issuer, CLIENTS.web, tokens.refresh_token)).status, 200);
    now = await scrape(op);
    assert.equal(sample(now, 'signoff_tokens_issued_total', { grant_type: 'authorization_code' }), 1);
    assert.equal(sample(now, 'signoff_tokens_issued_total', { grant_type: 'refresh_token' }), 1);
    // A refused exchange (the code is single use) issues nothing.
    await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENTS.web.client_id}:${CLIENTS.web.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri }).toString(),
    });
    assert.equal(sample(await scrape(op), 'signoff_tokens_issued_total', { grant_type: 'authorization_code' }), 1);

    // An administrator's ending (as `signoff sessions end` does it) and an idle expiry (as the sweeper does it).
    await endSessions(endingDeps(op.provider), { accountId: await accountIdOf(op, 'alice') }, 'admin', 'admin:test');
    now = await scrape(op);
    assert.equal(sample(now, 'signoff_sessions_ended_total', { reason: 'admin' }), 1);
    assert.equal(sample(now, 'signoff_sessions_open'), 1);
    clock.advance(op.provider.config.session.idleTimeout + 1);
    assert.equal(sample(await scrape(op), 'signoff_sessions_open'), 0, 'an expired session is not open, swept or not');
    assert.equal(await sweepExpiredSessions(endingDeps(op.provider)), 1);
    assert.equal(sample(await scrape(op), 'signoff_sessions_ended_total', { reason: 'expired_idle' }), 1);
  });

  it('HTTP latency is recorded by route pattern (never the raw URL) and status class', async () => {
    const browser = new TestBrowser(op.issuer);
    const page = await browser.navigate(authorizeUrl(op.issuer, CLIENTS.web));
    const interactionId = /\/interaction\/([^/"?]+)/.exec(page.body)?.[1];
    assert.ok(interactionId, 'the sign-in page names its interaction');
    await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), { username: 'alice', password: 'wrong' });
    await fetch(`${op.issuer}/no-such-endpoint/${interactionId}?x=1`);
    const text = await scrape(op);
    const count = (labels: Record<string, string>) => sample(text, 'signoff_http_request_duration_seconds_count', labels);
    assert.ok(count({ route: '/authorize', method: 'GET', status_class: '3xx' }) >= 1, text);
    assert.ok(count({ route: '/interaction/:id/login', method: 'POST', status_class: '4xx' }) >= 1, text);
    assert.ok(count({ route: 'unmatched', method: 'GET', status_class: '4xx' }) >= 1, text);
    const latencyLines = text.split('\n').filter((l) => l.startsWith('signoff_http_request_duration_seconds'));
    assert.ok(latencyLines.length > 0);
    assert.ok(!latencyLines.some((l) => l.includes(interactionId) || l.includes('?')), 'no raw URL in a label');
  });
});
