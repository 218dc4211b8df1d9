/**
 * Single logout in a real browser (issue 4, "Tests that must exist"): headless Chromium, two
 * server-side applications signed in through SSO, RP-Initiated Logout from one of them, and the
 * Front-Channel Logout iframes the provider's logged-out page loads for both.
 *
 * Deployment: provider and applications all on 127.0.0.1 (same site), third-party cookies
 * allowed (Chromium's default outside incognito).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppServer, type Callback, type Op, USERS, type WebRp, installWebRp, startOp } from './helpers/apps.js';
import { type Chromium, fillSignIn, isLocal, launchChromium } from './helpers/chromium.js';

const SECRET_A = 'app-a-secret-0123456789-0123456789-abc';
const SECRET_B = 'app-b-secret-0123456789-0123456789-abc';

describe('two applications, SSO, and single logout in headless Chromium (RP-Initiated Logout 1.0, Front-Channel Logout 1.0)', () => {
  let a: AppServer;
  let b: AppServer;
  let op: Op;
  let rpA: WebRp;
  let rpB: WebRp;
  let browser: Chromium;
  let signedInA: Callback;
  let signedInB: Callback;
  let logoutHitIndexA = 0;
  let logoutHitIndexB = 0;

  before(async () => {
    [a, b] = await Promise.all([AppServer.start(), AppServer.start()]);
    op = await startOp({
      host: '127.0.0.1',
      clients: [
        {
          client_id: 'app-a',
          client_secret: SECRET_A,
          client_name: 'App A',
          redirect_uris: [`${a.origin}/callback`],
          post_logout_redirect_uris: [`${a.origin}/logged-out`],
          // A query the URI already has must be kept (Front-Channel Logout §2).
          frontchannel_logout_uri: `${a.origin}/fcl?app=a`,
          frontchannel_logout_session_required: true,
        },
        {
          client_id: 'app-b',
          client_secret: SECRET_B,
          client_name: 'App B',
          redirect_uris: [`${b.origin}/callback`],
          post_logout_redirect_uris: [`${b.origin}/logged-out`],
          frontchannel_logout_uri: `${b.origin}/fcl`,
          frontchannel_logout_session_required: true,
        },
      ],
    });
    [rpA, rpB] = await Promise.all([
      installWebRp(a, { issuer: op.issuer, clientId: 'app-a', clientSecret: SECRET_A }),
      installWebRp(b, { issuer: op.issuer, clientId: 'app-b', clientSecret: SECRET_B }),
    ]);
    browser = await launchChromium({ thirdPartyCookies: 'allowed' });
  });

  after(async () => {
    await browser?.close();
    await Promise.all([op?.close(), a?.close(), b?.close()]);
  });

  it('SSO: the user signs in at app A on the real sign-in page, then app B gets in without a password; both ID tokens carry a sid (OIDC Core §3.1.2; Front-Channel Logout §3)', async () => {
    const { page } = browser;
    await page.goto(`${a.origin}/login`);
    assert.equal(new URL(page.url()).origin, op.issuer, `A sent the browser to the provider's sign-in page, got ${page.url()}`);
    await fillSignIn(page, USERS.alice);
    await page.waitForURL(`${a.origin}/callback?**`);
    assert.match((await page.locator('#status').textContent()) ?? '', /^signed in as /);
    signedInA = rpA.callbacks.at(-1) as Callback;
    assert.ok(signedInA?.claims, `A redeemed its code: ${signedInA?.error ?? 'no callback'}`);
    assert.equal(typeof signedInA.claims.sid, 'string', 'A\'s ID token has a sid');

    const postsBefore = browser.requests.filter((r) => r.method() === 'POST').length;
    await page.goto(`${b.origin}/login`);
    await page.waitForURL(`${b.origin}/callback?**`);
    assert.equal(browser.requests.filter((r) => r.method() === 'POST').length, postsBefore, 'no form was posted: no password asked at B');
    signedInB = rpB.callbacks.at(-1) as Callback;
    assert.ok(signedInB?.claims, `B redeemed its code: ${signedInB?.error ?? 'no callback'}`);
    assert.equal(signedInB.claims.sub, signedInA.claims.sub, 'the same user at B');
    assert.equal(typeof signedInB.claims.sid, 'string', 'B\'s ID token has a sid');
    assert.ok(signedInB.query.get('session_state'), 'the authorization response carries session_state (Session Management §2)');
  });

  it('RP-Initiated Logout §2-§3: A sends the browser to end_session_endpoint (openid-client buildEndSessionUrl, id_token_hint + post_logout_redirect_uri + state); a valid hint signs out without asking and the browser ends on A\'s post_logout_redirect_uri with the same state', async () => {
    assert.ok(signedInA && signedInB, 'the SSO test signed both applications in');
    const { page } = browser;
    logoutHitIndexA = a.hits.length;
    logoutHitIndexB = b.hits.length;
    const started = Date.now();
    await page.goto(`${a.origin}/logout`, { waitUntil: 'commit' });
    await page.waitForURL(`${a.origin}/logged-out?**`, { timeout: 10_000 });
    const elapsed = Date.now() - started;
    const endSession = browser.requests.find((r) => r.url().startsWith(`${op.issuer}/logout?`));
    assert.ok(endSession, 'the browser went to the end_session_endpoint');
    const sent = new URL(endSession.url()).searchParams;
    assert.equal(sent.get('id_token_hint'), signedInA.idToken);
    assert.equal(sent.get('client_id'), 'app-a');
    assert.equal(sent.get('post_logout_redirect_uri'), `${a.origin}/logged-out`);
    assert.equal(
      browser.requests.filter((r) => r.url().startsWith(`${op.issuer}/logout/`)).length,
      0,
      'no confirmation was posted: a valid id_token_hint for the live session signs out at once',
    );
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, `${a.origin}/logged-out`);
    assert.equal(landed.searchParams.get('state'), rpA.logoutStates.at(-1), 'state returned unchanged (RP-Initiated Logout §3)');
    assert.deepEqual([...landed.searchParams.keys()], ['state'], 'nothing but state on the post-logout redirect');
    // Front-Channel Logout §3 via the logged-out page: on to the redirect once the iframes were loaded.
    const landedAt = (a.hitsOn('/logged-out').at(-1) as { at: number }).at;
    for (const [name, app] of [['A', a], ['B', b]] as const) {
      const fcl = app.hitsOn('/fcl').at(-1);
      assert.ok(fcl && fcl.at <= landedAt, `${name}'s front-channel iframe was requested before the browser left the logged-out page (${elapsed} ms in all)`);
    }
  });

  it('Front-Channel Logout §2-§3: the browser requested B\'s frontchannel_logout_uri in an iframe with iss = the issuer and sid = the sid in B\'s ID token', async () => {
    const hit = await b.waitForHit('/fcl', { since: logoutHitIndexB, timeoutMs: 5000 });
    assert.equal(hit.headers['sec-fetch-dest'], 'iframe', 'loaded as an iframe by the browser');
    assert.equal(hit.query.get('iss'), op.issuer);
    assert.equal(hit.query.get('sid'), signedInB.claims?.sid);
    assert.equal(hit.query.getAll('iss').length, 1);
    assert.equal(b.hitsOn('/fcl').length, 1, 'B notified once');
  });

  it('RP-Initiated Logout §2 (every RP of the session is notified, the initiator included) / Front-Channel Logout §2-§3: A\'s frontchannel_logout_uri was requested too, with A\'s sid, keeping the query it already had', async () => {
    const hit = await a.waitForHit('/fcl', { since: logoutHitIndexA, timeoutMs: 5000 });
    assert.equal(hit.headers['sec-fetch-dest'], 'iframe');
    assert.equal(hit.query.get('app'), 'a', 'the registered query is kept');
    assert.equal(hit.query.get('iss'), op.issuer);
    assert.equal(hit.query.get('sid'), signedInA.claims?.sid);
  });

  it('after the logout, prompt=none at B gets login_required (OIDC Core §3.1.2.6), with a session_state (Session Management §2): the SSO session is gone from this browser', async () => {
    const { page } = browser;
    await page.goto(`${b.origin}/login?prompt=none`);
    await page.waitForURL(`${b.origin}/callback?**`);
    const last = rpB.callbacks.at(-1);
    assert.equal(last?.error, 'login_required', `got ${last?.query.toString()}`);
    assert.ok(last?.query.get('session_state'), 'error responses carry session_state too (Session Management §2)');
  });

  it('the browser only talked to loopback', () => {
    const foreign = browser.requests.map((r) => r.url()).filter((u) => !isLocal(u));
    assert.deepEqual(foreign, []);
  });
});
