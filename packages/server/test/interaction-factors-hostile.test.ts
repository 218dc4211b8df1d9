/**
 * The sign-in steps' new endpoints under hostile input (issue 14 §1-2), over real HTTP on an
 * http://localhost issuer (so passkeys are offered): POST /interaction/{id}/passkey and
 * /interaction/{id}/second-factor with malformed or huge credential JSON, `__proto__` members,
 * unknown methods, the challenge of another ceremony or one already used, another account's
 * passkey, no CSRF token, and posts at the wrong step. Never a 500; each gets its refusal and
 * signs nobody in. Software authenticators (test/helpers/authenticator.ts) hold the passkeys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { type Hop, TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl, callback, codeOf, exchange, signInFresh } from './helpers/session-flows.js';
import { MFA_ACR, PHR_ACR, addPasskeyOnPage, factorForm, isSecondFactorPage } from './helpers/step-up.js';

let op: TestProvider;
let aliceKey: SoftAuthenticator;
let bobKey: SoftAuthenticator;

/** Adds a passkey for the signed-in user of `browser` on the security page, with a software authenticator; returns the registration challenge's id (used). */
const addPasskey = async (browser: TestBrowser, key: SoftAuthenticator): Promise<string> => {
  const { challengeId, page } = await addPasskeyOnPage(op.issuer, browser, key);
  recoveryCodes.push(...[...page.body.matchAll(/<li><code>([0-9a-z-]{19})<\/code><\/li>/g)].map((m) => m[1] as string));
  return challengeId;
};

let usedRegistration: string;
/** Alice's, then Bob's recovery codes, as the security page showed them. */
const recoveryCodes: string[] = [];

before(async () => {
  op = await startProvider({}, { host: 'localhost' });
  const origin = new URL(op.issuer);
  aliceKey = new SoftAuthenticator(origin.origin, origin.hostname);
  bobKey = new SoftAuthenticator(origin.origin, origin.hostname);
  usedRegistration = await addPasskey((await signInFresh(op.issuer, WEB, USERS.alice)).browser, aliceKey);
  await addPasskey((await signInFresh(op.issuer, WEB, USERS.bob)).browser, bobKey);
});
after(() => op?.close());

/** The passkey form of a page: where it posts, its hidden fields, and the options of its ceremony. */
const passkeyFormOf = (hop: Hop) => {
  const form = /<form[^>]*id="passkey"[\s\S]*?<\/form>/.exec(hop.body)?.[0];
  assert.ok(form, `no passkey form:\n${hop.body.slice(0, 500)}`);
  const options = JSON.parse(/<script type="application\/json" id="passkey-options">([\s\S]*?)<\/script>/.exec(hop.body)?.[1] ?? '{}') as { challenge: string };
  const parsed = parseForm(form);
  return { url: new URL(parsed.action, hop.url).toString(), fields: parsed.fields, options };
};

/** A fresh browser on the sign-in page of a request of WEB. */
const loginPage = async (extra: Record<string, string> = {}) => {
  const browser = new TestBrowser(op.issuer);
  const hop = await browser.navigate(authorizeUrl(op.issuer, WEB, extra));
  assert.ok(isLoginPage(hop.body));
  return { browser, hop, passkey: passkeyFormOf(hop) };
};

/** A fresh browser past Alice's password, on the second-factor page of a request for phishing resistance. */
const factorPage = async (acr = PHR_ACR) => {
  const browser = new TestBrowser(op.issuer);
  const hop = await browser.signIn(authorizeUrl(op.issuer, WEB, { acr_values: acr }), USERS.alice);
  assert.ok(isSecondFactorPage(hop.body), hop.body.slice(0, 300));
  return { browser, hop, passkey: passkeyFormOf(hop) };
};

const noSession = (b: TestBrowser) => assert.equal(b.cookies.get('signoff'), undefined, 'nobody signed in');

describe('hostile input to the sign-in steps (issue 14 §1-2)', () => {
  it('/passkey: malformed, non-object, huge or __proto__-laden credential JSON is refused like a wrong password (401), the prototype untouched', async () => {
    const { browser, passkey } = await loginPage();
    const bodies = ['', '{', 'null', '[]', '"x"', '1e999', '{"id":1,"response":{}}', '{"id":"x","response":"y"}', `{"id":"${'a'.repeat(4000)}","response":{}}`,
      '{"__proto__":{"id":"x","response":{},"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
      JSON.stringify({ id: aliceKey.id, rawId: aliceKey.id, type: 'public-key', response: { __proto__: { userHandle: 'x' }, clientDataJSON: '!', authenticatorData: '', signature: '' } })];
    for (const response of bodies) {
      const res = await browser.request(passkey.url, { form: { ...passkey.fields, response } });
      assert.equal(res.status, 401, `${response.slice(0, 60)}: ${res.status}`);
      assert.ok(isLoginPage(res.body), 'the sign-in page again');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
    // Longer than any parameter may be (oauth/params.ts): the request itself is invalid; over the body limit, 413.
    const long = await browser.request(passkey.url, { form: { ...passkey.fields, response: `{"id":"${'a'.repeat(17_000)}"}` } });
    assert.equal(long.status, 400);
    const huge = await browser.request(passkey.url, { form: { ...passkey.fields, response: 'x'.repeat(70 * 1024) } });
    assert.equal(huge.status, 413, 'over the body limit');
    noSession(browser);
  });

  it('/passkey: a challenge is taken once; the registration challenge and an unknown one are not a sign-in\'s (WebAuthn §13.4.3)', async () => {
    const first = await loginPage();
    const assertion = (bend = {}) => JSON.stringify(aliceKey.get(first.passkey.options, bend));
    const good = await first.browser.request(first.passkey.url, { form: { ...first.passkey.fields, response: assertion() } });
    assert.equal(callback(good, WEB).get('code') !== null, true, 'the genuine assertion signs in');

    const second = await loginPage();
    const again = await second.browser.request(second.passkey.url, { form: { ...second.passkey.fields, response: assertion() } });
    assert.equal(again.status, 401, 'the first page\'s challenge is used up');
    for (const challengeId of [usedRegistration, '00000000-0000-0000-0000-000000000000', 'x'.repeat(1000), '../../etc']) {
      const res = await second.browser.request(second.passkey.url, { form: { ...second.passkey.fields, challenge_id: challengeId, response: assertion() } });
      assert.equal(res.status, 401, challengeId.slice(0, 40));
    }
    // The genuine challenge with an assertion signed for another origin (a phishing site relaying it).
    const phished = await second.browser.request(second.passkey.url, { form: { ...second.passkey.fields, response: JSON.stringify(aliceKey.get(second.passkey.options, { origin: 'https://login.example.evil' })) } });
    assert.equal(phished.status, 401);
    noSession(second.browser);
  });

  it('/second-factor: an unknown method is 400 and counts for nothing; an absurd code is refused; the page stays', async () => {
    const { browser, hop } = await factorPage(MFA_ACR);
    const form = factorForm(hop.body, 'recovery_code');
    const url = new URL(form.action, hop.url).toString();
    for (const method of ['', 'sms', '__proto__', 'constructor', 'toString', 'TOTP', 'password']) {
      const res = await browser.request(url, { form: { ...form.fields, method, code: '123456' } });
      assert.equal(res.status, 400, method);
      assert.ok(isSecondFactorPage(res.body));
    }
    // Seven unknown methods and still no access_denied: only a verified-wrong factor counts toward the five.
    const absurd = await browser.request(url, { form: { ...form.fields, code: `${'9'.repeat(1000)}\u0000<script>` } });
    assert.equal(absurd.status, 401);
    assert.doesNotMatch(absurd.body, /<script>\u0000|9{100}/, 'not echoed');
    const tooLong = await browser.request(url, { form: { ...form.fields, code: '9'.repeat(10_000) } });
    assert.equal(tooLong.status, 400, 'a parameter longer than any may be');
    const body = `${new URLSearchParams({ ...form.fields, code: 'a' })}&code=b`;
    const repeated = await fetch(url, { method: 'POST', body, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(repeated.status, 400, 'a repeated code (RFC 6749 §3.1)');
    await repeated.arrayBuffer();
    noSession(browser);
  });

  it('/second-factor with a passkey: another account\'s key, the sign-in page\'s (passwordless) challenge, a used challenge and malformed JSON are refused; Alice\'s own key passes', async () => {
    const { browser, hop, passkey } = await factorPage();
    const post = (fields: Record<string, string>) => browser.request(passkey.url, { form: { ...passkey.fields, ...fields } });
    assert.equal((await post({ response: JSON.stringify(bobKey.get(passkey.options)) })).status, 401, 'Bob\'s passkey for Alice');
    const other = await loginPage();
    const passwordless = await post({ challenge_id: other.passkey.fields.challenge_id ?? '', response: JSON.stringify(aliceKey.get(other.passkey.options)) });
    assert.equal(passwordless.status, 401, 'a challenge issued for no account is not this one\'s');
    assert.equal((await post({ response: '{"__proto__":{"id":"x"}}' })).status, 401);
    // The first challenge was taken by Bob's attempt: Alice's own key over it is refused.
    assert.equal((await post({ response: JSON.stringify(aliceKey.get(passkey.options)) })).status, 401, 'the used challenge');
    // The page shown again holds a new challenge (in the interaction's one challenge row).
    const fresh = passkeyFormOf(await browser.request(hop.url));
    assert.notEqual(JSON.stringify(fresh.options), JSON.stringify(passkey.options), 'a new challenge');
    const ok = await browser.request(fresh.url, { form: { ...fresh.fields, response: JSON.stringify(aliceKey.get(fresh.options)) } });
    assert.ok(callback(ok, WEB).get('code'), 'after four refusals, the fifth try is Alice\'s own key');
  });

  it('a missing or foreign CSRF token is 403 on /login, /passkey and /second-factor, and changes nothing', async () => {
    const a = await factorPage(MFA_ACR);
    const b = await loginPage();
    const factor = factorForm(a.hop.body, 'recovery_code');
    const factorUrl = new URL(factor.action, a.hop.url).toString();
    const tokenOfA = factor.fields.csrf_token ?? '';
    const tokenOfB = b.passkey.fields.csrf_token ?? '';
    for (const csrf of [undefined, '', 'x', 'foreign']) {
      // `foreign`: the token of the other browser's interaction.
      const fields = (f: Record<string, string>, other: string) => {
        const { csrf_token: _drop, ...rest } = f;
        return csrf === undefined ? rest : { ...rest, csrf_token: csrf === 'foreign' ? other : csrf };
      };
      assert.equal((await a.browser.request(factorUrl, { form: fields({ ...factor.fields, code: 'x' }, tokenOfB) })).status, 403, `second-factor ${csrf}`);
      const login = parseForm(b.hop.body);
      assert.equal((await b.browser.request(new URL(login.action, b.hop.url).toString(), { form: fields({ ...login.fields, username: USERS.alice.username, password: USERS.alice.password }, tokenOfA) })).status, 403, `login ${csrf}`);
      assert.equal((await b.browser.request(b.passkey.url, { form: fields({ ...b.passkey.fields, response: '{}' }, tokenOfA) })).status, 403, `passkey ${csrf}`);
    }
    // Another browser (no binding cookie) with the right token: still refused.
    assert.equal((await new TestBrowser(op.issuer).request(factorUrl, { form: { ...factor.fields, code: 'x' } })).status, 403);
    noSession(b.browser);
    assert.ok(isSecondFactorPage((await a.browser.request(a.hop.url)).body), 'the interaction still waits');
  });

  it('a post to /second-factor while the interaction is at the sign-in step shows the sign-in page and signs nobody in; after the answer every post is 400', async () => {
    const { browser, hop } = await loginPage();
    const fields = parseForm(hop.body).fields;
    const id = new URL(hop.url).pathname.split('/').at(-1) ?? '';
    const early = await browser.request(`${op.issuer}/interaction/${id}/second-factor`, { form: { csrf_token: fields.csrf_token ?? '', method: 'recovery_code', code: 'aaaa-bbbb-cccc-dddd' } });
    assert.equal(early.status, 200);
    assert.ok(isLoginPage(early.body));
    noSession(browser);

    const done = await browser.navigate(new URL(parseForm(hop.body).action, hop.url).toString(), { form: { ...fields, username: USERS.bob.username, password: USERS.bob.password } });
    assert.ok(callback(done, WEB).get('code'));
    for (const step of ['second-factor', 'passkey', 'login']) {
      const late = await browser.request(`${op.issuer}/interaction/${id}/${step}`, { form: { csrf_token: fields.csrf_token ?? '', method: 'totp', code: '123456', response: '{}' } });
      assert.equal(late.status, 400, step);
    }
    for (const bad of ['not-a-uuid', 'x'.repeat(5000), '%2e%2e%2fadmin']) {
      const res = await browser.request(`${op.issuer}/interaction/${bad}/second-factor`, { form: { csrf_token: 'x', method: 'totp', code: '1' } });
      assert.ok(res.status >= 400 && res.status < 500, `${bad.slice(0, 20)}: ${res.status}`);
    }
  });

  it('a method the page does not offer does not reach the level asked: Alice\'s recovery code posted to a phishing-resistant step-up is not phishing-resistant, and the page asks for the passkey again', async () => {
    const { browser, hop, passkey } = await factorPage(PHR_ACR);
    assert.doesNotMatch(hop.body, /value="recovery_code"/, 'not offered');
    const [code] = recoveryCodes as [string];
    const res = await browser.navigate(passkey.url, { form: { csrf_token: passkey.fields.csrf_token ?? '', method: 'recovery_code', code } });
    assert.equal(res.location, undefined, `no answer to the client: ${res.location ?? ''}`);
    assert.ok(isSecondFactorPage(res.body) && /value="passkey"/.test(res.body), 'the passkey is still asked for');
  });

  it('with an id_token_hint naming Bob, Alice\'s passkey on the sign-in page is refused (403) and signs nobody in (OIDC Core §3.1.2.1)', async () => {
    const bob = new TestBrowser(op.issuer);
    const { id_token } = await exchange(op.issuer, WEB, codeOf(await bob.signIn(authorizeUrl(op.issuer, WEB), USERS.bob), WEB));
    const { browser, passkey } = await loginPage({ id_token_hint: id_token });
    const res = await browser.request(passkey.url, { form: { ...passkey.fields, response: JSON.stringify(aliceKey.get(passkey.options)) } });
    assert.equal(res.status, 403);
    assert.equal(res.location, undefined);
    noSession(browser);
  });
});
