/**
 * Step-up semantics (issue 14 §3) over HTTP, every answer taken by openid-client: what
 * `acr_values` (voluntary, OIDC Core §3.1.2.1), an essential `acr` claim request (§5.5.1.1),
 * `prompt=none` (§3.1.2.6) and the client's `require_acr`, `default_acr_values` and
 * `max_factor_age` make of a session's factors; the admin API's view of them and the audit event.
 * Alice has an authenticator app (enrolled on the security page); Bob has no second factor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ManualClock, nowSeconds } from '../src/clock.js';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { basicAuth, postForm } from './helpers/rp.js';
import { type TestClient, WEB, accountIdOf, clientsWith, extraClient, signInFresh } from './helpers/session-flows.js';
import { MFA_ACR, PHR_ACR, PWD_ACR, enrolTotpOnPage, isSecondFactorPage, redeem, redirectError, rpFor, startFlow, submitCode, totpAt } from './helpers/step-up.js';

const secretOf = (id: string): string => `${id}-secret-`.padEnd(40, '0123456789');
const client = (id: string, port: number): TestClient => ({ client_id: id, client_secret: secretOf(id), redirect_uri: `http://127.0.0.1:${port}/cb` });
/** require_acr mfa: a floor no request lowers. */
const FLOOR = client('floor', 5101);
/** default_acr_values mfa: asked when a request names no acr. */
const DFLT = client('dflt-acr', 5102);
/** max_factor_age 60 s with default_acr_values mfa: a second factor older than a minute does not count. */
const FRESH = client('fresh', 5103);
/** require_consent: consent is asked after the second factor, and the code carries the stepped-up acr. */
/** max_factor_age 60 s and no acr asked: its ID tokens name only the factors that still count for it. */
const AGED = client('aged', 5104);
const CONSENT: TestClient = CLIENTS.consent;
const ADMIN = { client_id: 'admin', client_secret: secretOf('admin') };

// Fifteen minutes behind the wall clock: moving it on never puts an `iat` in openid-client's future.
const clock = new ManualClock(Date.now() - 15 * 60_000);
let op: TestProvider;
let secret: string;
const rps = new Map<string, oidc.Configuration>();
const rp = (c: TestClient): oidc.Configuration => rps.get(c.client_id) as oidc.Configuration;

before(async () => {
  op = await startProvider(
    {
      clients: clientsWith(
        extraClient(FLOOR, { require_acr: MFA_ACR }),
        extraClient(DFLT, { default_acr_values: [MFA_ACR] }),
        extraClient(FRESH, { default_acr_values: [MFA_ACR], max_factor_age: 60 }),
        extraClient(AGED, { max_factor_age: 60 }),
        { ...ADMIN, grant_types: ['client_credentials'], scope: 'signoff.sessions.read signoff.events.read' },
      ),
    },
    { clock },
  );
  for (const c of [WEB, FLOOR, DFLT, FRESH, AGED, CONSENT]) rps.set(c.client_id, await rpFor(op.issuer, c));
  ({ secret } = await enrolTotpOnPage(op.issuer, (await signInFresh(op.issuer, WEB, USERS.alice)).browser, clock));
});
after(() => op?.close());

/** A TOTP code of a step no other test used (each step's code is good once, RFC 6238 §5.2). */
const freshCode = (): string => {
  clock.advance(30);
  return totpAt(secret, clock);
};

/** Opens a request on `browser`, signing in with `user` if the sign-in page shows. */
const open = async (browser: TestBrowser, c: TestClient, extra: Record<string, string>, user?: { username: string; password: string }) => {
  const flow = await startFlow(rp(c), c, extra);
  return { flow, hop: await browser.signIn(flow.url.toString(), user) };
};

const essentialAcr = (...values: string[]) => ({ claims: JSON.stringify({ id_token: { acr: { essential: true, values } } }) });

const adminGet = async (path: string): Promise<Record<string, unknown>> => {
  const token = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(ADMIN.client_id, ADMIN.client_secret) });
  assert.equal(token.status, 200);
  const { access_token } = (await token.json()) as { access_token: string };
  const res = await fetch(`${op.issuer}/admin/v1${path}`, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
};

describe('step-up semantics (issue 14 §3)', () => {
  it('discovery lists acr_values_supported, lowest first, and claims_parameter_supported true (OIDC Discovery §3)', () => {
    const meta = rp(WEB).serverMetadata();
    assert.deepEqual(meta.acr_values_supported, [PWD_ACR, MFA_ACR, PHR_ACR]);
    assert.equal(meta.claims_parameter_supported, true);
  });

  it('prompt=none with an acr the session does not meet answers interaction_required, for acr_values and an essential acr claim (OIDC Core §3.1.2.6)', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    for (const extra of [{ acr_values: MFA_ACR }, essentialAcr(MFA_ACR)]) {
      const flow = await startFlow(rp(WEB), WEB, { prompt: 'none', ...extra });
      const { error } = await redirectError(rp(WEB), WEB, flow, await browser.request(flow.url.toString()));
      assert.equal(error, 'interaction_required', JSON.stringify(extra));
    }
  });

  it('a voluntary acr_values the account cannot reach is answered with the acr it has, without a second-factor page (OIDC Core §3.1.2.1 "voluntary")', async () => {
    const browser = new TestBrowser(op.issuer);
    const fresh = await open(browser, WEB, { acr_values: MFA_ACR }, USERS.bob);
    const { claims } = await redeem(rp(WEB), WEB, fresh.flow, fresh.hop);
    assert.equal(claims.acr, PWD_ACR);
    assert.deepEqual(claims.amr, ['pwd']);
    const again = await open(browser, WEB, { acr_values: PHR_ACR });
    assert.equal((await redeem(rp(WEB), WEB, again.flow, again.hop)).claims.acr, PWD_ACR, 'an SSO session too');
  });

  it('an essential acr that cannot be met answers access_denied with an error_description, never a lower acr (OIDC Core §5.5.1.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    const atSignIn = await open(browser, WEB, essentialAcr(MFA_ACR), USERS.bob);
    const first = await redirectError(rp(WEB), WEB, atSignIn.flow, atSignIn.hop);
    assert.equal(first.error, 'access_denied');
    assert.match(first.description ?? '', /mfa|level/);
    // A denied request signs nobody in; signed in for another request, the SSO session is refused the same way.
    assert.ok(isLoginPage((await open(browser, WEB, {})).hop.body), 'the denied sign-in left no session');
    const plain = await open(browser, WEB, {}, USERS.bob);
    assert.equal((await redeem(rp(WEB), WEB, plain.flow, plain.hop)).claims.acr, PWD_ACR);
    const sso = await open(browser, WEB, essentialAcr(PHR_ACR, MFA_ACR));
    const second = await redirectError(rp(WEB), WEB, sso.flow, sso.hop);
    assert.equal(second.error, 'access_denied');
    assert.ok(second.description);
    // Values this provider does not know cannot be met by anyone, not even Alice.
    const unknown = await open(new TestBrowser(op.issuer), WEB, essentialAcr('urn:example:gold'), USERS.alice);
    const third = await redirectError(rp(WEB), WEB, unknown.flow, unknown.hop);
    assert.equal(third.error, 'access_denied');
    assert.match(third.description ?? '', /essential/);
  });

  it('require_acr is a floor: acr_values naming the password level does not lower it; an account without a factor is denied', async () => {
    const browser = new TestBrowser(op.issuer);
    const alice = await open(browser, FLOOR, { acr_values: PWD_ACR }, USERS.alice);
    assert.ok(isSecondFactorPage(alice.hop.body), 'the second factor is asked');
    const { claims } = await redeem(rp(FLOOR), FLOOR, alice.flow, await submitCode(browser, alice.hop, 'totp', freshCode()));
    assert.equal(claims.acr, MFA_ACR);
    const bob = await open(new TestBrowser(op.issuer), FLOOR, { acr_values: PWD_ACR }, USERS.bob);
    assert.equal((await redirectError(rp(FLOOR), FLOOR, bob.flow, bob.hop)).error, 'access_denied');
  });

  it('default_acr_values applies when a request names no acr, and not when it names one (OIDC Dynamic Client Registration §2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const named = await open(browser, DFLT, { acr_values: PWD_ACR }, USERS.alice);
    assert.equal((await redeem(rp(DFLT), DFLT, named.flow, named.hop)).claims.acr, PWD_ACR, 'acr_values replaces the default');
    const none = await open(browser, DFLT, {});
    assert.ok(isSecondFactorPage(none.hop.body) && !isLoginPage(none.hop.body), 'the default asks the second factor only');
    assert.equal((await redeem(rp(DFLT), DFLT, none.flow, await submitCode(browser, none.hop, 'totp', freshCode()))).claims.acr, MFA_ACR);
  });

  it('max_factor_age: once the clock passes it, that client asks the second factor again (not the password) while a client without it keeps SSO at mfa; the step-up keeps the sid', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await open(browser, FRESH, {}, USERS.alice);
    const signedIn = await redeem(rp(FRESH), FRESH, first.flow, await submitCode(browser, first.hop, 'totp', freshCode()));
    assert.equal(signedIn.claims.acr, MFA_ACR);
    const within = await open(browser, FRESH, { prompt: 'none' });
    assert.equal((await redeem(rp(FRESH), FRESH, within.flow, within.hop)).claims.acr, MFA_ACR, 'within a minute: SSO');

    clock.advance(61);
    const silent = await open(browser, FRESH, { prompt: 'none' });
    assert.equal((await redirectError(rp(FRESH), FRESH, silent.flow, silent.hop)).error, 'interaction_required');
    const other = await open(browser, WEB, { prompt: 'none', acr_values: MFA_ACR });
    const sso = await redeem(rp(WEB), WEB, other.flow, other.hop);
    assert.equal(sso.claims.acr, MFA_ACR, 'the other client still counts the factor');

    const again = await open(browser, FRESH, {});
    assert.ok(isSecondFactorPage(again.hop.body) && !isLoginPage(again.hop.body), 'the second factor again, not the password');
    const stepped = await redeem(rp(FRESH), FRESH, again.flow, await submitCode(browser, again.hop, 'totp', freshCode()));
    assert.equal(stepped.claims.acr, MFA_ACR);
    assert.equal(stepped.claims.sid, signedIn.claims.sid, 'the same session');
    assert.ok((stepped.claims.auth_time ?? 0) > (signedIn.claims.auth_time ?? 0));
  });

  it('max_factor_age without an acr request: once the second factor is older, that client\'s ID token names only what still counts for it (pwd, the password level), while another client still sees mfa', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await open(browser, WEB, { acr_values: MFA_ACR }, USERS.alice);
    await redeem(rp(WEB), WEB, first.flow, await submitCode(browser, first.hop, 'totp', freshCode()));
    const within = await open(browser, AGED, { prompt: 'none' });
    const recent = await redeem(rp(AGED), AGED, within.flow, within.hop);
    assert.equal(recent.claims.acr, MFA_ACR);
    clock.advance(61);
    const later = await open(browser, AGED, { prompt: 'none' });
    const aged = await redeem(rp(AGED), AGED, later.flow, later.hop);
    assert.equal(aged.claims.acr, PWD_ACR, 'never a level whose factor has aged out for this client');
    assert.deepEqual(aged.claims.amr, ['pwd']);
    const other = await open(browser, WEB, { prompt: 'none' });
    assert.equal((await redeem(rp(WEB), WEB, other.flow, other.hop)).claims.acr, MFA_ACR, 'a client without max_factor_age still counts it');
  });

  it('with two accounts on the browser, the chooser leads to the second factor of the chosen account\'s session, which keeps its sid (OIDC Core §3.1.2.1 select_account)', async () => {
    const browser = new TestBrowser(op.issuer);
    const bob = await open(browser, WEB, {}, USERS.bob);
    await redeem(rp(WEB), WEB, bob.flow, bob.hop);
    const alice = await open(browser, WEB, { prompt: 'login', login_hint: USERS.alice.username }, USERS.alice);
    const prior = await redeem(rp(WEB), WEB, alice.flow, alice.hop);
    const flow = await startFlow(rp(WEB), WEB, { acr_values: MFA_ACR });
    const chooser = await browser.navigate(flow.url.toString());
    assert.match(chooser.body, /name="account" value="/, 'the chooser');
    const form = parseForm(chooser.body);
    const page = await browser.navigate(new URL(form.action, chooser.url).toString(), { form: { ...form.fields, account: prior.claims.sub } });
    assert.ok(isSecondFactorPage(page.body) && !isLoginPage(page.body), 'the second factor of Alice, not her password');
    const stepped = await redeem(rp(WEB), WEB, flow, await submitCode(browser, page, 'totp', freshCode()));
    assert.deepEqual([stepped.claims.sub, stepped.claims.sid, stepped.claims.acr], [prior.claims.sub, prior.claims.sid, MFA_ACR]);
  });

  it('a client that asks consent gets it after the second factor, and its code carries acr mfa', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await open(browser, CONSENT, { acr_values: MFA_ACR }, USERS.alice);
    const consent = await submitCode(browser, first.hop, 'totp', freshCode());
    assert.match(consent.body, /name="decision"/, 'the consent page');
    const form = parseForm(consent.body);
    const answered = await browser.navigate(new URL(form.action, consent.url).toString(), { form: { ...form.fields, decision: 'allow' } });
    assert.equal((await redeem(rp(CONSENT), CONSENT, first.flow, answered)).claims.acr, MFA_ACR);
  });

  it('the admin API\'s session view shows each factor with when it was verified, and the audit log has session.stepped_up (issue 12 §3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await open(browser, WEB, {}, USERS.alice);
    await redeem(rp(WEB), WEB, first.flow, first.hop);
    const passwordAt = nowSeconds(clock);
    const code = freshCode();
    const totpTime = nowSeconds(clock);
    const up = await open(browser, WEB, { acr_values: MFA_ACR });
    await redeem(rp(WEB), WEB, up.flow, await submitCode(browser, up.hop, 'totp', code));

    const userId = await accountIdOf(op, USERS.alice.username);
    const { sessions } = (await adminGet(`/sessions?user_id=${userId}&active=true`)) as { sessions: { id: string; last_active_at: string }[] };
    const newest = [...sessions].sort((a, b) => b.last_active_at.localeCompare(a.last_active_at))[0];
    assert.ok(newest);
    const view = (await adminGet(`/sessions/${newest.id}`)) as { acr: string; amr: string[]; factors: { method: string; verified_at: string }[] };
    assert.equal(view.acr, MFA_ACR);
    assert.ok(view.amr.includes('mfa'));
    const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    const norm = (t: string) => t.replace('.000Z', 'Z');
    assert.deepEqual(view.factors.map((f) => [f.method, norm(f.verified_at)]), [['password', iso(passwordAt)], ['totp', iso(totpTime)]]);
    const { events } = (await adminGet(`/events?type=session.stepped_up&session_id=${newest.id}`)) as { events: { type: string; user_id: string }[] };
    assert.equal(events.length, 1);
    assert.equal(events[0]?.user_id, userId);
  });
});
