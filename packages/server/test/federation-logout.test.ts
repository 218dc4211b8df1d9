/**
 * Issue 15 §2, outbound: federated logout across the boundary — an RP-initiated logout at Signoff
 * with `federated` (Auth0's parameter) or at an upstream configured `always` ends Signoff's session
 * (every application told as usual), then signs the browser out at the upstream's
 * end_session_endpoint (RP-Initiated Logout 1.0 §2) and back at ISSUER/upstreams/ID/signed-out,
 * and finishes at the application's post_logout_redirect_uri with its state (§3). The upstreams are
 * real: panva's oidc-provider and a second Signoff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { type Hop, type TestBrowser, parseForm } from './helpers/browser.js';
import { type FederationWorld, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';
import { eventually, verifiedLogoutTokens } from './helpers/receiver.js';
import { CLIENTS } from './helpers/provider.js';
import { upstreamUris } from '../src/upstreams/paths.js';

const APP_AFTER_LOGOUT = 'http://127.0.0.1:5001/';

/** The downstream's end-session URL for the client `web` (RP-Initiated Logout §2). */
const logoutUrl = (w: FederationWorld, idToken: string, extra: Record<string, string> = {}): string => {
  const url = new URL(w.web.serverMetadata().end_session_endpoint as string);
  for (const [k, v] of Object.entries({ id_token_hint: idToken, post_logout_redirect_uri: APP_AFTER_LOGOUT, state: 'app-state-1', ...extra })) url.searchParams.set(k, v);
  return url.toString();
};

/**
 * OIDC Core §3.1.2.6: whether the upstream still has a session for this browser — a prompt=none
 * authorization for Signoff's client there answers with a code, or with login_required.
 */
const upstreamAnswers = async (browser: TestBrowser, upstreamIssuer: string, downstreamIssuer: string, upstreamId: string): Promise<URLSearchParams> => {
  const meta = (await (await fetch(`${upstreamIssuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
  const redirect = upstreamUris(downstreamIssuer, upstreamId).redirect_uri;
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(meta.authorization_endpoint);
  const params = {
    client_id: 'signoff-downstream', redirect_uri: redirect, response_type: 'code', scope: 'openid', prompt: 'none', state: 'probe', nonce: 'probe-nonce',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let hop = await browser.request(url.toString());
  for (let i = 0; i < 5 && hop.location !== undefined && !hop.location.startsWith(redirect); i++) hop = await browser.request(hop.location as string);
  assert.ok(hop.location?.startsWith(redirect), `the upstream did not answer the probe: ${hop.status} ${hop.location ?? hop.body.slice(0, 200)}`);
  return new URL(hop.location as string).searchParams;
};

/** oidc-provider asks before it signs out (RP-Initiated Logout §2 lets it); "yes" ends its whole session. */
const confirmAtOp = async (browser: TestBrowser, hop: Hop): Promise<Hop> => {
  assert.equal(hop.status, 200, `expected oidc-provider's logout confirmation, got ${hop.status} ${hop.location ?? ''}`);
  const form = parseForm(hop.body);
  return browser.navigate(new URL(form.action, hop.url).toString(), { form: { ...form.fields, logout: 'yes' } });
};

/** A signed-out page with front-channel iframes is left by its "continue" link (what its script does). */
const continueFrom = async (browser: TestBrowser, hop: Hop): Promise<Hop> => {
  const next = /<a id="next" href="([^"]+)"/.exec(hop.body)?.[1];
  assert.ok(next, `no way on from the page: ${hop.status} ${hop.body.slice(0, 300)}`);
  return browser.navigate(new URL(next.replace(/&amp;/g, '&'), hop.url).toString());
};

const finishedAtApp = (hop: Hop): URL => {
  assert.ok(hop.location?.startsWith(APP_AFTER_LOGOUT), `expected the application's post_logout_redirect_uri, got ${hop.status} ${hop.location ?? hop.body.slice(0, 300)}`);
  return new URL(hop.location as string);
};

describe('issue 15 §2: federated logout through the upstream and back (RP-Initiated Logout 1.0 §2-3)', () => {
  let w: FederationWorld;
  before(async () => {
    w = await startFederation();
  });
  after(async () => {
    await w?.close();
  });

  it('with federated, oidc-provider: Signoff ends its session and notifies the app, the upstream session ends (prompt=none there answers login_required), and the browser finishes at the app with its state', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    const sid = tokens.claims()?.sid as string;
    assert.equal((await upstreamAnswers(browser, w.op.issuer, w.downstream.issuer, 'op')).get('error'), null, 'the upstream session is live before');
    const before = w.receiver.received.length;
    let hop = await browser.navigate(logoutUrl(w, tokens.id_token as string, { federated: '' }));
    assert.ok(hop.url.startsWith(w.op.issuer), `the browser is at the upstream: ${hop.url}`);
    hop = await confirmAtOp(browser, hop);
    const done = finishedAtApp(hop);
    assert.equal(done.searchParams.get('state'), 'app-state-1');
    const [token] = await verifiedLogoutTokens(w.receiver, w.downstream.issuer, CLIENTS.web.client_id, before, 1);
    assert.equal(token?.sid, sid);
    assert.equal((await upstreamAnswers(browser, w.op.issuer, w.downstream.issuer, 'op')).get('error'), 'login_required');
  });

  it('with federated, a second Signoff: its own signed-out page (with its front-channel frames) leads back to Signoff, which finishes at the app; the upstream session ended', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'corp');
    let hop = await browser.navigate(logoutUrl(w, tokens.id_token as string, { federated: '1', state: 'corp-state' }));
    // The upstream Signoff ends its session at once (a valid hint) and shows its front-channel frames, or redirects.
    if (!hop.location) hop = await continueFrom(browser, hop);
    const done = finishedAtApp(hop);
    assert.equal(done.searchParams.get('state'), 'corp-state');
    assert.equal((await upstreamAnswers(browser, w.corp.issuer, w.downstream.issuer, 'corp')).get('error'), 'login_required');
  });

  it('without federated, an on_request upstream is left alone: the app is reached directly and the upstream session lives on', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    const hop = await browser.navigate(logoutUrl(w, tokens.id_token as string));
    finishedAtApp(hop);
    assert.ok((await upstreamAnswers(browser, w.op.issuer, w.downstream.issuer, 'op')).get('code'), 'the upstream session is still live');
  });

  it('the signed-out URI refuses to redirect on a state it did not send: no state, a forged one, or one replayed after use only say "signed out"', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    let hop = await browser.navigate(logoutUrl(w, tokens.id_token as string, { federated: '' }));
    const returnTo = new URL(/post_logout_redirect_uri=([^&"]+)/.exec(decodeURIComponent(hop.url))?.[1] ?? upstreamUris(w.downstream.issuer, 'op').post_logout_redirect_uri);
    const upstreamState = new URL(hop.url).searchParams.get('state') ?? '';
    assert.match(upstreamState, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    for (const state of ['', 'x', `${upstreamState.slice(0, 37)}${'A'.repeat(43)}`, `${upstreamState}&state=${upstreamState}`]) {
      const probe = await browser.request(`${returnTo.origin}${returnTo.pathname}?state=${state}`);
      assert.equal(probe.status, 200, `state ${state}: ${probe.status}`);
      assert.equal(probe.location, undefined);
    }
    // The same state at the other upstream's signed-out URI is not its hop either.
    const other = await browser.request(`${upstreamUris(w.downstream.issuer, 'corp').post_logout_redirect_uri}?state=${encodeURIComponent(upstreamState)}`);
    assert.equal(other.location, undefined);
    hop = await confirmAtOp(browser, hop);
    finishedAtApp(hop);
    const replay = await browser.request(`${upstreamUris(w.downstream.issuer, 'op').post_logout_redirect_uri}?state=${encodeURIComponent(upstreamState)}`);
    assert.equal(replay.status, 200);
    assert.equal(replay.location, undefined, 'a replayed state redirects nowhere');
  });
});

describe('issue 15 §2: an upstream configured `always`, and one without an end-session endpoint', () => {
  let w: FederationWorld;
  before(async () => {
    // op has no end_session_endpoint at all; corp signs out on every logout.
    w = await startFederation({}, { op: { logout: { federated: 'always' } }, corp: { logout: { federated: 'always' } } }, { rpInitiatedLogout: false });
  });
  after(async () => {
    await w?.close();
  });

  it('always: a logout without federated still signs out at the upstream and comes back', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'corp');
    let hop = await browser.navigate(logoutUrl(w, tokens.id_token as string, { state: 'always-state' }));
    if (!hop.location) hop = await continueFrom(browser, hop);
    assert.equal(finishedAtApp(hop).searchParams.get('state'), 'always-state');
    assert.equal((await upstreamAnswers(browser, w.corp.issuer, w.downstream.issuer, 'corp')).get('error'), 'login_required');
  });

  it('no end_session_endpoint: the local logout completes (the app is told), and the page says the upstream session may remain, with the way on to the app', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    const sid = tokens.claims()?.sid as string;
    const before = w.receiver.received.length;
    const hop = await browser.navigate(logoutUrl(w, tokens.id_token as string, { state: 'no-endpoint' }));
    assert.equal(hop.status, 200);
    assert.equal(hop.location, undefined, 'the page is shown, not skipped');
    assert.match(hop.body, /id="upstream-remains"/);
    assert.match(hop.body, /OP Upstream/);
    assert.match(hop.body, /<a id="next" href="http:\/\/127\.0\.0\.1:5001\/\?state=no-endpoint"/);
    const [token] = await verifiedLogoutTokens(w.receiver, w.downstream.issuer, CLIENTS.web.client_id, before, 1);
    assert.equal(token?.sid, sid);
    await eventually(async () => ((await upstreamAnswers(browser, w.op.issuer, w.downstream.issuer, 'op')).get('code') ? true : undefined), 'the upstream session remains');
  });
});
