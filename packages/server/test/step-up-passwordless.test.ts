/**
 * Step-up of a passwordless session (issue 14 §3): Alice has a passkey (a software authenticator,
 * test/helpers/authenticator.ts) and an authenticator app, on an http://localhost issuer. Signed
 * in with the passkey alone, her session is phishing-resistant; a client's max_factor_age ages the
 * passkey out, and what the second-factor page then offers must be able to reach the level asked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ManualClock } from '../src/clock.js';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { type Hop, TestBrowser, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { type TestClient, WEB, clientsWith, extraClient, signInFresh } from './helpers/session-flows.js';
import { MFA_ACR, PHR_ACR, addPasskeyOnPage, enrolTotpOnPage, isSecondFactorPage, redeem, rpFor, startFlow, totpAt } from './helpers/step-up.js';

const FRESH: TestClient = { client_id: 'fresh', client_secret: 'fresh-secret-'.padEnd(40, '0123456789'), redirect_uri: 'http://127.0.0.1:5103/cb' };
const clock = new ManualClock(Date.now() - 15 * 60_000);
let op: TestProvider;
let secret: string;
let key: SoftAuthenticator;
let rp: oidc.Configuration;
let rpWeb: oidc.Configuration;

before(async () => {
  op = await startProvider({ clients: clientsWith(extraClient(FRESH, { default_acr_values: [MFA_ACR], max_factor_age: 60 })) }, { clock, host: 'localhost' });
  rp = await rpFor(op.issuer, FRESH);
  rpWeb = await rpFor(op.issuer, WEB);
  const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
  ({ secret } = await enrolTotpOnPage(op.issuer, browser, clock));
  const origin = new URL(op.issuer);
  key = new SoftAuthenticator(origin.origin, origin.hostname);
  await addPasskeyOnPage(op.issuer, browser, key);
});
after(() => op?.close());

/** Signs in on the sign-in page a hop shows with the passkey alone (the discoverable-credential form). */
const passkeySignIn = async (browser: TestBrowser, hop: Hop): Promise<Hop> => {
  const form = /<form[^>]*id="passkey"[\s\S]*?<\/form>/.exec(hop.body)?.[0] ?? '';
  const options = JSON.parse(/<script type="application\/json" id="passkey-options">([\s\S]*?)<\/script>/.exec(hop.body)?.[1] ?? '{}') as { challenge: string };
  const parsed = parseForm(form);
  return browser.navigate(new URL(parsed.action, hop.url).toString(), { form: { ...parsed.fields, response: JSON.stringify(key.get(options)) } });
};

/** Uses the passkey on the second-factor page a hop shows. */
const passkeySecondFactor = (browser: TestBrowser, hop: Hop): Promise<Hop> => passkeySignIn(browser, hop);

describe('step-up of a passwordless session (issue 14 §3)', () => {
  it('a passkey sign-in is phishing-resistant and meets mfa for every client while its factor is recent', async () => {
    const browser = new TestBrowser(op.issuer);
    const flow = await startFlow(rpWeb, WEB, { acr_values: PHR_ACR });
    const { claims } = await redeem(rpWeb, WEB, flow, await passkeySignIn(browser, await browser.navigate(flow.url.toString())));
    assert.equal(claims.acr, PHR_ACR);
    const fresh = await startFlow(rp, FRESH);
    assert.equal((await redeem(rp, FRESH, fresh, await browser.navigate(fresh.url.toString()))).claims.acr, PHR_ACR);
  });

  it('once max_factor_age ages the passkey out, the second-factor page offers only what can reach mfa — the passkey, not a code that would be the only factor — and the passkey finishes it in the same session', async () => {
    const browser = new TestBrowser(op.issuer);
    const flow = await startFlow(rpWeb, WEB);
    const first = await redeem(rpWeb, WEB, flow, await passkeySignIn(browser, await browser.navigate(flow.url.toString())));
    clock.advance(61);
    const fresh = await startFlow(rp, FRESH);
    const page = await browser.navigate(fresh.url.toString());
    assert.ok(isSecondFactorPage(page.body), 'the second factor is asked again');
    assert.match(page.body, /name="method" value="passkey"/);
    assert.doesNotMatch(page.body, /name="method" value="(totp|recovery_code)"/, 'a code alone is one factor: not offered');
    // A code posted all the same is refused: it cannot make the session multi-factor, so it is not a way round.
    const pk = parseForm(/<form[^>]*id="passkey"[\s\S]*?<\/form>/.exec(page.body)?.[0] ?? '');
    const posted = await browser.navigate(new URL(pk.action, page.url).toString(), { form: { csrf_token: pk.fields.csrf_token ?? '', method: 'totp', code: totpAt(secret, clock) } });
    assert.ok(isSecondFactorPage(posted.body), 'the page again');
    assert.equal(posted.location?.startsWith(FRESH.redirect_uri) ?? false, false, 'no answer to the client from a code alone');
    const again = await browser.request(page.url);
    const stepped = await redeem(rp, FRESH, fresh, await passkeySecondFactor(browser, again));
    assert.equal(stepped.claims.acr, PHR_ACR);
    assert.equal(stepped.claims.sub, first.claims.sub);
  });
});
