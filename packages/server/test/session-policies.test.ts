/**
 * Session policies: per-client maximum authentication age and maximum idle time (privileged
 * applications get a fresh sign-in while others keep their SSO), OIDC Registration's
 * default_max_age, and the per-account concurrent-session limit (DESIGN.md "One way to end a
 * session": a concurrent-session limit; OIDC Core §3.1.2.1 max_age, §3.1.2.6 login_required).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock, nowSeconds } from '../src/clock.js';
import { TestBrowser, isLoginPage } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import {
  EXTRA, PKCE_S256, WEB, accountIdOf, authorizeUrl, clientsWith, codeOf, exchange, extraClient, idClaims, refresh, signInFresh, silent, submitLogin,
} from './helpers/session-flows.js';

describe('per-client maximum authentication age and idle time (DESIGN.md "Domain model": Participant; OIDC Core §3.1.2.6; OIDC Registration §2)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider(
      {
        clients: clientsWith(
          extraClient(EXTRA.privileged, { max_auth_age: '60s' }),
          extraClient(EXTRA.idle, { max_idle: '5m' }),
          extraClient(EXTRA.dflt, { default_max_age: 60 }),
        ),
      },
      { clock },
    );
  });
  after(() => op?.close());

  it('max_auth_age: once the sign-in is older, that client gets login_required (prompt=none) or the sign-in page, while another client keeps its SSO', async () => {
    const signedInAt = nowSeconds(clock);
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const fresh = await silent(browser, op.issuer, EXTRA.privileged);
    assert.ok(fresh.code, `within max_auth_age the privileged client gets SSO: ${fresh.error}`);
    clock.advance(61);
    assert.equal((await silent(browser, op.issuer, EXTRA.privileged)).error, 'login_required', 'privileged client, prompt=none, 61 s after sign-in');
    const web = await silent(browser, op.issuer, WEB);
    assert.ok(web.code, `the plain client keeps its SSO: ${web.error}`);
    const webSid = idClaims(await exchange(op.issuer, WEB, web.code)).sid;
    const page = await browser.navigate(authorizeUrl(op.issuer, EXTRA.privileged));
    assert.ok(isLoginPage(page.body), `the privileged client gets the sign-in page, got ${page.status} ${page.location ?? ''}`);
    const claims = idClaims(await exchange(op.issuer, EXTRA.privileged, codeOf(await submitLogin(browser, page, USERS.alice), EXTRA.privileged)));
    assert.equal(claims.auth_time, signedInAt + 61, 'auth_time is the fresh sign-in');
    const after1 = await silent(browser, op.issuer, WEB);
    assert.ok(after1.code);
    assert.equal(idClaims(await exchange(op.issuer, WEB, after1.code)).sid, webSid, 'the SSO session was not ended or replaced');
    assert.ok((await silent(browser, op.issuer, EXTRA.privileged)).code, 'after the fresh sign-in the privileged client has SSO again');
  });

  it('max_auth_age is not loosened by a larger max_age in the request', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    clock.advance(61);
    assert.equal((await silent(browser, op.issuer, EXTRA.privileged, { max_age: '3600' })).error, 'login_required');
  });

  it('default_max_age applies when the request has no max_age, and a max_age in the request overrides it (OIDC Registration §2 default_max_age)', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    assert.ok((await silent(browser, op.issuer, EXTRA.dflt)).code, 'within default_max_age');
    clock.advance(61);
    assert.equal((await silent(browser, op.issuer, EXTRA.dflt)).error, 'login_required', 'past default_max_age');
    assert.ok((await silent(browser, op.issuer, EXTRA.dflt, { max_age: '3600' })).code, 'a request max_age overrides default_max_age');
    assert.ok((await silent(browser, op.issuer, WEB)).code, 'other clients keep their SSO');
  });

  it('max_idle: after that long without an authorization or refresh by the client, its refresh grant gets invalid_grant and it needs a fresh sign-in, while another client keeps its SSO', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const first = await silent(browser, op.issuer, EXTRA.idle);
    assert.ok(first.code, `${first.error}`);
    let rt = (await exchange(op.issuer, EXTRA.idle, first.code)).refresh_token ?? '';
    assert.ok(rt, 'a refresh token');
    for (const minute of [4, 8]) {
      clock.advance(4 * 60);
      const r = await refresh(op.issuer, EXTRA.idle, rt);
      assert.equal(r.status, 200, `refresh at minute ${minute} (each refresh counts as activity): ${JSON.stringify(r.body)}`);
      rt = r.body.refresh_token as string;
    }
    clock.advance(5 * 60 + 1);
    const refused = await refresh(op.issuer, EXTRA.idle, rt);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.equal((await silent(browser, op.issuer, EXTRA.idle)).error, 'login_required', 'the idle client, prompt=none');
    assert.ok((await silent(browser, op.issuer, WEB)).code, 'the plain client keeps its SSO');
    const page = await browser.navigate(authorizeUrl(op.issuer, EXTRA.idle));
    const tokens = await exchange(op.issuer, EXTRA.idle, codeOf(await submitLogin(browser, page, USERS.alice), EXTRA.idle));
    assert.equal((await refresh(op.issuer, EXTRA.idle, tokens.refresh_token ?? '')).status, 200, 'after a fresh sign-in the client refreshes again');
  });

  it('max_idle counts only that client\'s own activity: other clients using the session do not keep it alive', async () => {
    const browser = new TestBrowser(op.issuer);
    codeOf(await browser.signIn(authorizeUrl(op.issuer, EXTRA.idle), USERS.alice), EXTRA.idle);
    for (let i = 0; i < 3; i++) {
      clock.advance(2 * 60);
      assert.ok((await silent(browser, op.issuer, WEB)).code, 'the plain client uses the session');
    }
    assert.equal((await silent(browser, op.issuer, EXTRA.idle)).error, 'login_required', '6 minutes without the idle client\'s own activity');
  });

  it('an authorization writes its participant\'s last authentication and last-seen only when due: at most once a minute, always for a client new to the session (issue 18, P1)', async () => {
    const { browser, code } = await signInFresh(op.issuer, WEB, USERS.alice);
    const sid = idClaims(await exchange(op.issuer, WEB, code)).sid as string;
    const start = nowSeconds(clock);
    const seen = async () => {
      const p = await op.provider.store.participantBySid(sid);
      assert.ok(p, 'the participant of the sign-in');
      return [p.lastAuthAt, p.lastSeenAt];
    };
    assert.deepEqual(await seen(), [start, start]);
    clock.advance(59);
    assert.ok((await silent(browser, op.issuer, WEB)).code);
    assert.deepEqual(await seen(), [start, start], 'within the minute: the code is the only write');
    clock.advance(1);
    const due = await silent(browser, op.issuer, WEB);
    assert.ok(due.code);
    assert.deepEqual(await seen(), [start + 60, start + 60], 'a minute on: written');
    assert.equal(idClaims(await exchange(op.issuer, WEB, due.code)).sid, sid, 'the same sid either way');
    const spa = await silent(browser, op.issuer, { client_id: 'spa', redirect_uri: 'http://127.0.0.1:5002/cb' }, PKCE_S256);
    assert.ok(spa.code, `${spa.error}`);
    const session = (await op.provider.store.participantBySid(sid))?.sessionId ?? '';
    assert.ok((await op.provider.store.participantsOf(session)).some((p) => p.clientId === 'spa' && p.lastSeenAt === start + 60), 'a client new to the session is recorded at once');
  });

  it('max_idle counts from the client\'s last written activity, which an authorization writes once a tenth of max_idle has passed: the limit stays exact to that tenth (issue 18, P1)', async () => {
    const browser = new TestBrowser(op.issuer);
    codeOf(await browser.signIn(authorizeUrl(op.issuer, EXTRA.idle), USERS.alice), EXTRA.idle);
    clock.advance(30);
    assert.ok((await silent(browser, op.issuer, EXTRA.idle)).code, '30 s on (a tenth of max_idle): due, written');
    clock.advance(29);
    assert.ok((await silent(browser, op.issuer, EXTRA.idle)).code, '29 s later: not due, not written');
    clock.advance(5 * 60 - 29);
    assert.ok((await silent(browser, op.issuer, EXTRA.idle)).code, 'max_idle after the last written activity: still within it (and written)');
    clock.advance(5 * 60 + 1);
    assert.equal((await silent(browser, op.issuer, EXTRA.idle)).error, 'login_required', 'past max_idle since then');
  });
});

/** Accounts for the same-second rounds, one per round. */
const TIES = Array.from({ length: 6 }, (_, i) => ({ username: `tie-${i}`, password: 'tie-battery-staple-horse', claims: {} }));

describe('concurrent-session limit (DESIGN.md "One way to end a session": a concurrent-session limit; config session.maxSessionsPerAccount)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ session: { maxSessionsPerAccount: 2 }, users: [...Object.values(USERS), ...TIES] }, { clock });
  });
  after(() => op?.close());

  /** A browser signed in as `user` through the web client, with its refresh token and session id. */
  const device = async (user: { username: string; password: string }) => {
    clock.advance(1); // "oldest" is by creation time: one second apart
    const { browser, code } = await signInFresh(op.issuer, WEB, user);
    const tokens = await exchange(op.issuer, WEB, code);
    const participant = await op.provider.store.participantBySid(idClaims(tokens).sid);
    assert.ok(participant);
    return { browser, rt: tokens.refresh_token ?? '', sessionId: participant.sessionId };
  };

  it('a third session of an account ends the oldest with reason limit: prompt=none there gets login_required and its refresh token invalid_grant, while the two newer ones work', async () => {
    const bob = await device(USERS.bob);
    const first = await device(USERS.alice);
    const second = await device(USERS.alice);
    assert.ok((await silent(first.browser, op.issuer, WEB)).code, 'two sessions are within the limit');
    const third = await device(USERS.alice);

    const ended = await op.provider.store.sessionById(first.sessionId);
    assert.equal(ended?.endReason, 'limit');
    assert.equal(ended?.endedBy, 'system');
    assert.equal((await silent(first.browser, op.issuer, WEB)).error, 'login_required');
    const r = await refresh(op.issuer, WEB, first.rt);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    const events = await op.provider.store.listEvents({ sessionId: first.sessionId, limit: 10 });
    assert.deepEqual(events.filter((e) => e.type === 'session.ended').map((e) => [e.reason, e.actor]), [['limit', 'system']]);

    for (const [name, d] of [['second', second], ['third', third], ['bob', bob]] as const) {
      assert.ok((await silent(d.browser, op.issuer, WEB)).code, `${name} still signed in`);
      assert.equal((await refresh(op.issuer, WEB, d.rt)).status, 200, `${name}'s refresh token works`);
    }
    const open = await op.provider.store.listSessions({ accountId: await accountIdOf(op, 'alice'), limit: 10 });
    assert.deepEqual(open.map((s) => s.id).sort(), [second.sessionId, third.sessionId].sort(), 'alice has exactly two open sessions');
  });

  it('re-authenticating an existing session (prompt=login) is not a new session and ends nothing', async () => {
    const a = await device(USERS.bob);
    const b = await device(USERS.bob);
    clock.advance(1);
    codeOf(await a.browser.signIn(authorizeUrl(op.issuer, WEB, { prompt: 'login' }), USERS.bob), WEB);
    for (const d of [a, b]) {
      const s = await op.provider.store.sessionById(d.sessionId);
      assert.equal(s?.endedAt, undefined, `session ${d.sessionId} still open (ended: ${s?.endReason})`);
      assert.ok((await silent(d.browser, op.issuer, WEB)).code);
    }
  });

  it('the oldest session is the one ended even when the sign-ins fall within the same second (not whichever has the smallest random id)', async () => {
    const wrong: string[] = [];
    for (const user of TIES) {
      const accountId = await accountIdOf(op, user.username);
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        await signInFresh(op.issuer, WEB, user); // no clock.advance: the same second
        const all = await op.provider.store.listSessions({ accountId, includeEnded: true, limit: 10 });
        made.push(all.map((x) => x.id).find((id) => !made.includes(id)) ?? '');
      }
      const reasons = await Promise.all(made.map(async (id) => (await op.provider.store.sessionById(id))?.endReason ?? 'open'));
      if (reasons.join(',') !== 'limit,open,open') wrong.push(`${user.username}: ${reasons.join(',')}`);
    }
    assert.deepEqual(wrong, [], 'sessions in the order they were made, expected limit,open,open');
  });
});
