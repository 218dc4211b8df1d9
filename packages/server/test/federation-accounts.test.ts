/**
 * Issue 15 §1, accounts: an upstream identity (issuer, sub — OIDC Core §2: unique only together)
 * is one local account; claims reach the downstream client through the configured mapping; an
 * existing account is linked only by a claim the upstream says it verified (OIDC Core §5.1
 * `email_verified`), never ambiguously; a just-in-time account has no password; hostile upstream
 * names never break account creation. Driven against the real upstreams of helpers/federation.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { NO_PASSWORD } from '../src/accounts/passwords.js';
import { CORP_USER, type FederationWorld, OP_USER, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';
import { CLIENTS, USERS } from './helpers/provider.js';
import { type Started, assertErrorResponse, callbackOf, startAuthorization } from './helpers/rp.js';
import type { Hop, TestBrowser } from './helpers/browser.js';
import { isLoginPage, parseForm } from './helpers/browser.js';
import type { UpstreamUser } from './helpers/upstream-op.js';

const TWINS = [
  { username: 'twin-one', password: 'twin-one-battery-staple-horse', claims: { name: 'Twin One', email: 'twin@example.test', email_verified: true } },
  { username: 'twin-two', password: 'twin-two-battery-staple-horse', claims: { name: 'Twin Two', email: 'TWIN@example.test', email_verified: true } },
];

let serial = 0;
/** A user of the upstream `op`, added to its live user list (findAccount reads the same array). */
const opUser = (w: FederationWorld, fields: Partial<UpstreamUser>): UpstreamUser => {
  serial += 1;
  const user: UpstreamUser = { sub: `op-user-${serial}`, login: `user${serial}`, password: `pass-${serial}`, email: `user${serial}@op.example`, email_verified: true, name: `User ${serial}`, ...fields };
  w.op.users.push(user);
  return user;
};

/** Signs in to `web` with upstream=op as `user` in `browser`; the hop that leaves for the client. */
const throughOp = async (w: FederationWorld, browser: TestBrowser, user: UpstreamUser, extra: Record<string, string> = {}): Promise<{ started: Started; hop: Hop }> => {
  const started = await startAuthorization(w.web, 'web', { upstream: 'op', ...extra });
  let hop = await browser.navigate(started.url.toString());
  if (!hop.location?.startsWith(CLIENTS.web.redirect_uri)) hop = await w.op.signIn(browser, user, hop, { follow: [w.downstream.issuer] });
  return { started, hop };
};

/** The downstream `sub` of a complete sign-in through op as `user`, and its ID token claims. */
const subThroughOp = async (w: FederationWorld, user: UpstreamUser): Promise<{ sub: string; claims: oidc.IDToken }> => {
  const { started, hop } = await throughOp(w, federationBrowser(w), user);
  const tokens = await oidc.authorizationCodeGrant(w.web, callbackOf(hop, 'web'), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
  const claims = tokens.claims();
  assert.ok(claims);
  return { sub: claims.sub, claims };
};

describe('issue 15 §1: the local account of an upstream identity', () => {
  let w: FederationWorld;
  before(async () => {
    w = await startFederation(
      { users: [...Object.values(USERS), ...TWINS] },
      // op links by a verified email and maps only name ← nickname (email is dropped); corp keeps the defaults.
      { op: { link_by: 'email', claims: { name: 'nickname' } } },
    );
  });
  after(async () => {
    await w?.close();
  });

  const store = () => w.downstream.provider.store;
  const eventsOf = async (accountId: string) => (await store().listEvents({ accountId, limit: 100 })).map((e) => ({ type: e.type, actor: e.actor, reason: e.reason }));

  it('a first sign-in creates an account linked to (issuer, sub), a second sign-in gets the same sub, and account.created and account.linked are recorded with actor upstream:op', async () => {
    const first = await subThroughOp(w, OP_USER);
    const second = await subThroughOp(w, OP_USER);
    assert.equal(second.sub, first.sub);
    assert.equal(await store().linkedAccountId(w.op.issuer, OP_USER.sub), first.sub);
    const account = await store().accountById(first.sub);
    assert.ok(account);
    assert.equal(account.passwordHash, NO_PASSWORD);
    const events = await eventsOf(first.sub);
    assert.deepEqual(events.filter((e) => e.type === 'account.created'), [{ type: 'account.created', actor: 'upstream:op', reason: 'op' }]);
    assert.deepEqual(events.filter((e) => e.type === 'account.linked'), [{ type: 'account.linked', actor: 'upstream:op', reason: 'op' }]);
  });

  it('the claims mapping decides what the client sees: name ← nickname, and email (not mapped) never reaches the ID token or userinfo', async () => {
    const user = opUser(w, { name: 'Real Name', email: 'mapped@op.example', claims: { nickname: 'Nick' } });
    const { started, hop } = await throughOp(w, federationBrowser(w), user);
    const tokens = await oidc.authorizationCodeGrant(w.web, callbackOf(hop, 'web'), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.name, 'Nick');
    assert.equal(claims.email, undefined);
    const info = await oidc.fetchUserInfo(w.web, tokens.access_token, claims.sub);
    assert.equal(info.name, 'Nick');
    assert.equal(info.email, undefined);
  });

  it('the same email at the other upstream (corp, no link_by) is a different account', async () => {
    const twin = opUser(w, { email: CORP_USER.claims.email, email_verified: true });
    const viaOp = await subThroughOp(w, twin);
    const viaCorp = await signInThrough(w, federationBrowser(w), 'corp');
    assert.notEqual(viaCorp.tokens.claims()?.sub, viaOp.sub);
    assert.equal(await store().linkedAccountId(w.corp.issuer, (await w.corp.op.provider.store.accountByUsername(CORP_USER.username))?.id ?? ''), viaCorp.tokens.claims()?.sub);
  });

  it('link_by email: a verified email links the one local account with it (account.linked, no account.created)', async () => {
    const alice = await store().accountByUsername(USERS.alice.username);
    assert.ok(alice);
    const user = opUser(w, { email: USERS.alice.claims.email.toUpperCase(), email_verified: true });
    const { sub } = await subThroughOp(w, user);
    assert.equal(sub, alice.id);
    const events = await eventsOf(alice.id);
    assert.ok(events.some((e) => e.type === 'account.linked' && e.actor === 'upstream:op'), JSON.stringify(events));
    // (the seeded account has an account.created of its own; none came from the upstream)
    assert.ok(!events.some((e) => e.type === 'account.created' && e.actor === 'upstream:op'), JSON.stringify(events));
  });

  for (const [label, verified] of [['email_verified false', false], ['email_verified absent', undefined]] as const) {
    it(`link_by email: an email with ${label} never links the local account; a new op/<sub> account is made`, async () => {
      const alice = await store().accountByUsername(USERS.alice.username);
      const user = opUser(w, { email: USERS.alice.claims.email, ...(verified === undefined ? {} : { email_verified: verified }) });
      if (verified === undefined) delete user.email_verified;
      const { sub } = await subThroughOp(w, user);
      assert.notEqual(sub, alice?.id);
      assert.equal((await store().accountById(sub))?.username, `op/${user.sub}`);
    });
  }

  it('link_by email: two local accounts with the email (case aside) are ambiguous, and neither is linked', async () => {
    const user = opUser(w, { email: 'twin@example.test', email_verified: true });
    const { sub } = await subThroughOp(w, user);
    const twins = await Promise.all(TWINS.map((t) => store().accountByUsername(t.username)));
    for (const t of twins) assert.notEqual(sub, t?.id);
    assert.equal((await store().accountById(sub))?.username, `op/${user.email}`);
  });

  it('a disabled linked account: the client gets access_denied with a description, never a code', async () => {
    const user = opUser(w, {});
    const { sub } = await subThroughOp(w, user);
    assert.ok(await store().updateAccount(sub, { disabled: true }));
    const { started, hop } = await throughOp(w, federationBrowser(w), user);
    const callback = callbackOf(hop, 'web');
    assert.ok((callback.searchParams.get('error_description') ?? '').length > 0);
    await assertErrorResponse(w.web, callback, started, w.downstream.issuer, 'access_denied');
  });

  it('a just-in-time account has no usable password: its username with any password fails exactly like a wrong password', async () => {
    const { sub } = await subThroughOp(w, OP_USER);
    const account = await store().accountById(sub);
    assert.ok(account);
    const attempt = async (username: string, password: string) => {
      const browser = federationBrowser(w);
      const started = await startAuthorization(w.web, 'web');
      let hop = await browser.navigate(started.url.toString());
      assert.ok(isLoginPage(hop.body), hop.body.slice(0, 300));
      // The password form, not one of the upstream buttons' forms.
      const form = parseForm(`<form${hop.body.split('<form').find((f) => /name="password"/.test(f)) ?? ''}`);
      hop = await browser.navigate(new URL(form.action, hop.url).toString(), { form: { ...form.fields, username, password } });
      return { status: hop.status, alert: /role="alert"[^>]*>([^<]*)/.exec(hop.body)?.[1], location: hop.location };
    };
    const wrong = await attempt(USERS.bob.username, 'not-bobs-password-at-all');
    assert.equal(wrong.location, undefined);
    for (const password of [NO_PASSWORD, '', 'anything-at-all-123']) {
      const jit = await attempt(account.username, password);
      assert.deepEqual(jit, wrong, `password ${JSON.stringify(password)}`);
    }
  });

  const hostile: [string, Partial<UpstreamUser>][] = [
    ['a preferred_username with spaces', { email_verified: false, claims: { preferred_username: 'carol smith' } }],
    ['a 300-character preferred_username', { email_verified: false, claims: { preferred_username: 'x'.repeat(300) } }],
    ['an email with spaces, verified', { email: 'a b@op.example', email_verified: true }],
    ['a 300-character email, verified', { email: `${'e'.repeat(290)}@op.example`, email_verified: true }],
  ];
  for (const [label, fields] of hostile) {
    it(`${label}: the account is still created, named op/<sub>`, async () => {
      const user = opUser(w, fields);
      const { sub } = await subThroughOp(w, user);
      assert.equal((await store().accountById(sub))?.username, `op/${user.sub}`);
    });
  }
  for (const name of ['__proto__', '../', '../../admin', 'ünïcødé-名前', 'constructor']) {
    it(`a preferred_username ${JSON.stringify(name)} never breaks account creation, and a second identity with it gets op/<sub>`, async () => {
      const one = opUser(w, { email_verified: false, claims: { preferred_username: name } });
      const two = opUser(w, { email_verified: false, claims: { preferred_username: name } });
      const first = await subThroughOp(w, one);
      const second = await subThroughOp(w, two);
      assert.notEqual(first.sub, second.sub);
      const a = await store().accountById(first.sub);
      const b = await store().accountById(second.sub);
      assert.ok(a?.username === `op/${name}` || a?.username === `op/${one.sub}`, a?.username);
      assert.equal(b?.username, `op/${two.sub}`);
    });
  }
});
