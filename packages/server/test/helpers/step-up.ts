/**
 * Shared steps of the step-up tests (issue 14 §2-3): a TOTP app enrolled through the security
 * page's own forms, codes computed here at the provider's clock, the second-factor page's forms,
 * and openid-client for any registered client.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../../src/clock.js';
import { DEFAULT_ACR_VALUES } from '../../src/oauth/authorize/acr.js';
import { type Hop, TestBrowser, parseForm } from './browser.js';
import type { SoftAuthenticator } from './authenticator.js';
import type { TestClient } from './session-flows.js';

export const [PWD_ACR, MFA_ACR, PHR_ACR] = DEFAULT_ACR_VALUES.map((v) => v.value) as [string, string, string];

/** openid-client for a confidential client (client_secret_basic) or a public one. */
export const rpFor = (issuer: string, c: TestClient): Promise<oidc.Configuration> =>
  oidc.discovery(new URL(issuer), c.client_id, c.client_secret ? { client_secret: c.client_secret } : {}, c.client_secret ? oidc.ClientSecretBasic(c.client_secret) : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });

export interface Flow {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization request with fresh state, nonce and PKCE. */
export const startFlow = async (config: oidc.Configuration, c: TestClient, extra: Record<string, string> = {}): Promise<Flow> => {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: c.redirect_uri,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
};

/** The redirect back to the client, redeemed by openid-client (state, nonce, PKCE, ID token signature and claims checked). */
export const redeem = async (config: oidc.Configuration, c: TestClient, flow: Flow, hop: Hop) => {
  assert.ok(hop.location?.startsWith(c.redirect_uri), `expected a redirect to ${c.client_id}, got ${hop.status} ${hop.location ?? hop.body.replace(/\s+/g, ' ').slice(0, 400)}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(hop.location ?? ''), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.ok(claims);
  return { tokens, claims: claims as oidc.IDToken & { acr?: string; amr?: string[]; sid?: string; auth_time?: number } };
};

/** The error redirect of a request, checked by openid-client (iss, state) before it surfaces the error. */
export const redirectError = async (config: oidc.Configuration, c: TestClient, flow: Flow, hop: Hop): Promise<{ error: string; description: string | undefined }> => {
  assert.ok(hop.location?.startsWith(c.redirect_uri), `expected a redirect to ${c.client_id}, got ${hop.status} ${hop.location ?? hop.body.replace(/\s+/g, ' ').slice(0, 400)}`);
  const callback = new URL(hop.location ?? '');
  assert.equal(callback.searchParams.get('code'), null, 'no code with an error');
  try {
    await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
  } catch (err) {
    if (err instanceof oidc.AuthorizationResponseError) return { error: err.error, description: err.error_description };
    throw err;
  }
  assert.fail('the callback was accepted as a code');
};

export const isSecondFactorPage = (html: string): boolean => /name="method" value="/.test(html);

/** The form of the second-factor page for one method: its action and hidden fields. */
export const factorForm = (html: string, method: 'totp' | 'recovery_code' | 'passkey'): { action: string; fields: Record<string, string> } => {
  const form = [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes(`name="method" value="${method}"`));
  assert.ok(form, `no ${method} form on the page:\n${html.replace(/\s+/g, ' ').slice(0, 600)}`);
  return parseForm(form);
};

/** Posts a code to the second-factor page a hop shows, following redirects on the issuer. */
export const submitCode = (browser: TestBrowser, hop: Hop, method: 'totp' | 'recovery_code', code: string): Promise<Hop> => {
  const form = factorForm(hop.body, method);
  return browser.navigate(new URL(form.action, hop.url).toString(), { form: { ...form.fields, code } });
};

/** The TOTP code of `secret` at the provider's clock (RFC 6238, the page's parameters: SHA-1, 6 digits, 30 s). */
export const totpAt = (secret: string, clock: Clock, offsetSteps = 0): string =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: clock.nowMs() + offsetSteps * 30_000 });

/** Posts the first form of a page with its hidden fields, `extra` on top (no redirect following). */
const submitFirst = (browser: TestBrowser, hop: Hop, extra: Record<string, string>): Promise<Hop> => {
  const form = parseForm(hop.body);
  return browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, ...extra } });
};

/**
 * Enrols an authenticator app on ISSUER/account/security with a browser signed in as the
 * account: "Set up an authenticator app", the key the page shows, a first code. Returns the key
 * and the recovery codes the page shows once.
 */
export const enrolTotpOnPage = async (issuer: string, browser: TestBrowser, clock: Clock): Promise<{ secret: string; recoveryCodes: string[] }> => {
  const first = await browser.request(`${issuer}/account/security`);
  assert.equal(first.status, 200, first.body.slice(0, 300));
  const started = await submitFirst(browser, first, { totp_start: '1', label: 'Phone' });
  const secret = (/<code>([A-Z2-7 ]+)<\/code>/.exec(started.body)?.[1] ?? '').replaceAll(' ', '');
  assert.equal(secret.length, 32, 'the page shows the key');
  const factorId = /name="totp_confirm" value="([^"]+)"/.exec(started.body)?.[1] ?? '';
  const done = await submitFirst(browser, started, { totp_confirm: factorId, code: totpAt(secret, clock) });
  assert.match(done.body, /Your authenticator app is set up/);
  const recoveryCodes = [...done.body.matchAll(/<li><code>([0-9a-z-]{19})<\/code><\/li>/g)].map((m) => m[1] as string);
  assert.equal(recoveryCodes.length, 10);
  return { secret, recoveryCodes };
};

export { TestBrowser };

/**
 * Adds a passkey for the user signed in on `browser` through the security page, as its script
 * does (the options it fetches, the credential it posts), with a software authenticator standing
 * in for the browser's. Returns the registration challenge's id (now used) and the page after.
 */
export const addPasskeyOnPage = async (issuer: string, browser: TestBrowser, key: SoftAuthenticator): Promise<{ challengeId: string; page: Hop }> => {
  const hop = await browser.request(`${issuer}/account/security`);
  const form = parseForm(hop.body);
  const res = await browser.request(`${issuer}/account/security/passkey-options`, { form: { csrf_token: form.fields.csrf_token ?? '', account: form.fields.account ?? '' } });
  const { challengeId, options } = JSON.parse(res.body) as { challengeId: string; options: { challenge: string; user: { id: string } } };
  const page = await browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, challenge_id: challengeId, credential: JSON.stringify(key.create(options)), label: 'Key' } });
  assert.match(page.body, /Your passkey is added/);
  return { challengeId, page };
};
