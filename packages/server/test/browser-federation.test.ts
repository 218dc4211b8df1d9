/**
 * Issue 15 §1 in real headless Chromium: a person signs in to the client `web` through the `corp`
 * upstream (a second Signoff on localhost) by pressing its button on Signoff's sign-in page — a
 * form whose redirect to the upstream the page's CSP form-action must allow (CSP 3 §6.3.1; Chromium
 * enforces it on the redirect too) — signing in on the upstream's page and landing at the client's
 * redirect_uri with a code. Each provider keeps its cookie on its own host (RFC 6265 §8.5).
 * The client's port is not served: its request is read from the context's request log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { browserCookieName } from '../src/sessions/browser-cookie.js';
import { type Chromium, fillSignIn, isLocal, launchChromium, waitUntil } from './helpers/chromium.js';
import { CORP_USER, type FederationWorld, startFederation } from './helpers/federation.js';
import { CLIENTS } from './helpers/provider.js';
import { startAuthorization } from './helpers/rp.js';

describe('issue 15 §1 in Chromium: signing in through an upstream Signoff', () => {
  let w: FederationWorld;
  let chromium: Chromium;
  before(async () => {
    w = await startFederation();
    chromium = await launchChromium({ thirdPartyCookies: 'allowed' });
  });
  after(async () => {
    await chromium?.close();
    await w?.close();
  });

  // CSP 3 form-action governs every redirect after corp's sign-in form is posted: corp lists
  // Signoff's origin, not the application's, so Signoff answers its callback with a page that
  // moves on (http/pages/continue.ts) instead of a redirect, which Chromium aborted.
  it("pressing Corp's button, signing in at corp, lands at the client's redirect_uri with a code; both providers' cookies are set, each on its own host", async () => {
    const { page, requests, context } = chromium;
    const started = await startAuthorization(w.web, 'web');
    await page.goto(started.url.toString());
    await page.locator('button[name="upstream"][value="corp"]').click();
    await page.waitForURL((u) => u.origin === w.corp.issuer);
    await fillSignIn(page, CORP_USER);
    const landed = await waitUntil('the request to the client', () => requests.map((r) => r.url()).find((u) => u.startsWith(CLIENTS.web.redirect_uri))).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; requests:\n${requests.map((r) => `${r.method()} ${r.url().slice(0, 90)} ${r.failure()?.errorText ?? ""}`).join('\n')}\npage ${page.url()}:\n${(await page.content()).replace(/<style>[^]*?<\/style>/, '').slice(0, 1500)}`);
    });
    const callback = new URL(landed);
    assert.ok(callback.searchParams.get('code'), landed);
    const tokens = await oidc.authorizationCodeGrant(w.web, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
    assert.ok((tokens.claims()?.amr as string[]).includes('fed'));
    // The walk went through corp's authorization endpoint and Signoff's callback for corp.
    const urls = requests.map((r) => r.url());
    assert.ok(urls.some((u) => u.startsWith(`${w.corp.issuer}/authorize`) || (u.startsWith(w.corp.issuer) && u.includes('state='))), urls.join('\n'));
    assert.ok(urls.some((u) => u.startsWith(`${w.downstream.issuer}/upstreams/corp/callback?`)), urls.join('\n'));
    assert.ok(urls.every(isLocal));
    const cookies = await context.cookies();
    const downstream = cookies.find((c) => c.name === browserCookieName(w.downstream.issuer) && c.domain === '127.0.0.1');
    const upstream = cookies.find((c) => c.name === browserCookieName(w.corp.issuer) && c.domain === 'localhost');
    assert.ok(downstream, JSON.stringify(cookies.map((c) => [c.name, c.domain])));
    assert.ok(upstream, JSON.stringify(cookies.map((c) => [c.name, c.domain])));
  });
});
