/**
 * Third-party cookies and the browser logout mechanisms (issue 4 "Third-party cookies"; Session
 * Management 1.0 §3.2 and §5.1, Front-Channel Logout 1.0 §3 and §4.1, both "User Agents Blocking
 * Access to Third-Party Content"), proven in headless Chromium:
 *
 *  - cross-site: provider `http://localhost:P`, application `http://127.0.0.1:Q` (different sites),
 *    once with third-party cookies allowed and once blocked;
 *  - same-site: provider and application both on 127.0.0.1, third-party cookies blocked.
 *
 * For each, the application signs in (top-level, first-party for the provider) and then tries:
 *  (a) Front-Channel Logout: the provider's logged-out page frames the application's
 *      frontchannel_logout_uri with iss and sid — and whether the application's own cookie
 *      (`SameSite=None; Secure`) reaches it, which an application needs to clear its session
 *      by cookie rather than by sid;
 *  (b) Session Management: the application's page frames check_session_iframe and posts
 *      "client_id session_state": "unchanged" while signed in needs the iframe to read the
 *      browser-state cookie; "changed" after the sign-out;
 *  (c) a silent prompt=none authorization in a hidden iframe;
 *  (d) Back-Channel Logout is server to server and is not affected (not exercised here).
 *
 * Each mechanism's outcome per deployment is asserted exactly as observed, so a change in the
 * provider or in Chromium makes this fail, and the table is printed for the README.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppServer, type Callback, type Op, USERS, type WebRp, installWebRp, randomId, rpCookieName, sendHtml, startOp } from './helpers/apps.js';
import type { Page } from 'playwright-core';
import { type Chromium, type ThirdPartyCookies, fillSignIn, isLocal, launchChromium, waitUntil } from './helpers/chromium.js';

interface Observed {
  /** (a) the front-channel iframe was requested, as an iframe, with iss = issuer and sid = the ID token's sid. */
  frontChannel: 'called with iss+sid' | 'called, wrong iss/sid' | 'not called';
  /** (a') the application's own SameSite=None cookie was sent to its front-channel iframe. */
  frontChannelCookie: 'sent' | 'not sent' | 'n/a';
  /** control: the same cookie on the top-level post-logout redirect (proves the cookie exists). */
  topLevelCookie: 'sent' | 'not sent';
  /** (b) check_session answer for the current session_state while signed in. */
  checkWhileSignedIn: string;
  /** (b) check_session answer for that session_state after the sign-out. */
  checkAfterSignOut: string;
  /** (b) why: the OP iframe's document.cookie holds the browser-state cookie (while signed in). */
  iframeReadsStateCookie: 'yes' | 'no';
  /** (c) silent prompt=none authorization in a hidden iframe: "code" or the error. */
  silent: string;
}

interface Deployment {
  name: string;
  host: 'localhost' | '127.0.0.1';
  thirdPartyCookies: ThirdPartyCookies;
  /** What this deployment does, as observed with Debian's Chromium; the test asserts exactly this. */
  expected: Observed;
}

const DEPLOYMENTS: Deployment[] = [
  {
    name: 'cross-site, third-party cookies allowed',
    host: 'localhost',
    thirdPartyCookies: 'allowed',
    expected: {
      frontChannel: 'called with iss+sid',
      frontChannelCookie: 'sent',
      topLevelCookie: 'sent',
      checkWhileSignedIn: 'unchanged',
      checkAfterSignOut: 'changed',
      iframeReadsStateCookie: 'yes',
      // The provider's session cookie is SameSite=Lax: never sent in a cross-site iframe.
      silent: 'login_required',
    },
  },
  {
    name: 'cross-site, third-party cookies blocked',
    host: 'localhost',
    thirdPartyCookies: 'blocked',
    expected: {
      frontChannel: 'called with iss+sid',
      frontChannelCookie: 'not sent',
      topLevelCookie: 'sent',
      // The iframe cannot read the browser-state cookie: it reports "changed" although nothing did.
      checkWhileSignedIn: 'changed',
      checkAfterSignOut: 'changed',
      iframeReadsStateCookie: 'no',
      silent: 'login_required',
    },
  },
  {
    name: 'same-site, third-party cookies blocked',
    host: '127.0.0.1',
    thirdPartyCookies: 'blocked',
    expected: {
      frontChannel: 'called with iss+sid',
      frontChannelCookie: 'sent',
      topLevelCookie: 'sent',
      checkWhileSignedIn: 'unchanged',
      checkAfterSignOut: 'changed',
      iframeReadsStateCookie: 'yes',
      silent: 'code',
    },
  },
];

const SECRET = 'tpc-app-secret-0123456789-0123456789-abc';

/** The application's page that frames the OP iframe and posts "client_id session_state" to it. */
const MONITOR_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>monitor</title></head><body>
<script>
  const p = new URLSearchParams(location.search);
  const op = new URL(p.get('op')).origin;
  window.answers = [];
  addEventListener('message', (e) => { if (e.origin === op) window.answers.push(e.data); });
  const f = document.createElement('iframe');
  f.addEventListener('load', () => f.contentWindow.postMessage(p.get('client_id') + ' ' + p.get('session_state'), op));
  f.src = p.get('op') + '/check-session';
  document.body.appendChild(f);
</script></body></html>`;

/** The application's page that runs a prompt=none authorization in a hidden iframe. */
const SILENT_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>silent</title></head><body>
<script>
  const f = document.createElement('iframe');
  f.hidden = true;
  f.src = new URLSearchParams(location.search).get('u');
  document.body.appendChild(f);
</script></body></html>`;

const checkSession = async (page: Page, app: AppServer, op: Op, clientId: string, sessionState: string): Promise<{ answer: string; readsCookie: 'yes' | 'no' }> => {
  const url = new URL(`${app.origin}/monitor`);
  url.search = new URLSearchParams({ op: op.issuer, client_id: clientId, session_state: sessionState }).toString();
  await page.goto(url.toString());
  let answer = 'no answer';
  try {
    await page.waitForFunction(() => (window as unknown as { answers: string[] }).answers.length > 0, null, { timeout: 5000 });
    answer = await page.evaluate(() => (window as unknown as { answers: string[] }).answers[0] as string);
  } catch {
    // no answer within 5 s
  }
  const frame = page.frames().find((f) => f.url().startsWith(`${op.issuer}/check-session`));
  const cookies = frame ? await frame.evaluate(() => document.cookie) : '';
  return { answer, readsCookie: /(^|; )signoff-state=/.test(cookies) ? 'yes' : 'no' };
};

const observe = async (page: Page, app: AppServer, op: Op, rp: WebRp): Promise<Observed> => {
  // Sign in at the application: a top-level visit to the provider, where its cookies are first-party.
  await page.goto(`${app.origin}/login`);
  await fillSignIn(page, USERS.alice);
  await page.waitForURL(`${app.origin}/callback?**`);
  const signedIn = rp.callbacks.at(-1) as Callback;
  assert.ok(signedIn?.claims, `signed in at the application: ${signedIn?.error ?? 'no callback'}`);
  const sessionState = signedIn.query.get('session_state');
  assert.ok(sessionState, 'session_state in the authorization response');

  // (b) while signed in
  const whileSignedIn = await checkSession(page, app, op, rp.clientId, sessionState);

  // (c) silent authorization in a hidden iframe
  const since = rp.callbacks.length;
  const authUrl = await rp.authorizationUrl({ prompt: 'none' });
  await page.goto(`${app.origin}/silent?u=${encodeURIComponent(authUrl.toString())}`);
  const silentResult = await waitUntil('the silent callback', () => rp.callbacks[since], 5000).catch(() => undefined);
  const silent = silentResult === undefined ? 'no response' : silentResult.claims ? 'code' : (silentResult.error ?? 'unknown');

  // (a) RP-Initiated Logout from the application, then the front-channel iframe
  const hitsBefore = app.hits.length;
  await page.goto(`${app.origin}/logout`, { waitUntil: 'commit' });
  await page.waitForURL(`${app.origin}/logged-out?**`, { timeout: 10_000 });
  const cookie = rpCookieName(rp.clientId);
  const fcl = await app.waitForHit('/fcl', { since: hitsBefore, timeoutMs: 3000 }).catch(() => undefined);
  const loggedOut = app.hitsOn('/logged-out').at(-1);
  let frontChannel: Observed['frontChannel'] = 'not called';
  if (fcl) {
    const right = fcl.headers['sec-fetch-dest'] === 'iframe' && fcl.query.get('iss') === op.issuer && fcl.query.get('sid') === signedIn.claims.sid;
    frontChannel = right ? 'called with iss+sid' : 'called, wrong iss/sid';
  }

  // (b) after the sign-out, with the session_state the application still holds
  const afterSignOut = await checkSession(page, app, op, rp.clientId, sessionState);

  return {
    frontChannel,
    frontChannelCookie: fcl ? (fcl.cookies[cookie] ? 'sent' : 'not sent') : 'n/a',
    topLevelCookie: loggedOut?.cookies[cookie] ? 'sent' : 'not sent',
    checkWhileSignedIn: whileSignedIn.answer,
    checkAfterSignOut: afterSignOut.answer,
    iframeReadsStateCookie: whileSignedIn.readsCookie,
    silent,
  };
};

const results = new Map<string, Observed>();

const printTable = (): void => {
  const works = (ok: boolean, detail: string): string => `${ok ? 'works' : 'broken'} (${detail})`;
  const rows: [string, (o: Observed) => string][] = [
    ['(a) front-channel iframe called with iss+sid', (o) => works(o.frontChannel === 'called with iss+sid', o.frontChannel)],
    ['(a) RP cookie (SameSite=None) in that iframe', (o) => works(o.frontChannelCookie === 'sent', o.frontChannelCookie)],
    ['(b) OP iframe can read signoff-state cookie', (o) => works(o.iframeReadsStateCookie === 'yes', o.iframeReadsStateCookie)],
    ['(b) check_session "unchanged" while signed in', (o) => works(o.checkWhileSignedIn === 'unchanged', o.checkWhileSignedIn)],
    ['(b) check_session "changed" after sign-out', (o) => works(o.checkAfterSignOut === 'changed', o.checkAfterSignOut)],
    ['(c) silent prompt=none in a hidden iframe', (o) => works(o.silent === 'code', o.silent)],
    ['(d) back-channel (server to server)', () => 'unaffected (not a browser mechanism)'],
  ];
  const names = DEPLOYMENTS.map((d) => d.name);
  const header = ['mechanism', ...names];
  const lines = rows.map(([label, cell]) => [label, ...DEPLOYMENTS.map((d) => {
    const o = results.get(d.name);
    return o ? cell(o) : 'not run';
  })]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(['Third-party cookies × logout mechanisms (headless Chromium):', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n'));
};

/**
 * One Chromium per third-party-cookie setting (launching is the slow part): each deployment gets
 * a fresh page, its own provider on its own port and its own application and client, so their
 * cookies never meet (the deployments differ in host or port, and cookie names carry the client).
 */
const browsers = new Map<ThirdPartyCookies, Promise<Chromium>>();
const browserFor = (mode: ThirdPartyCookies): Promise<Chromium> => {
  let b = browsers.get(mode);
  if (!b) browsers.set(mode, (b = launchChromium({ thirdPartyCookies: mode })));
  return b;
};
const closeBrowser = async (mode: ThirdPartyCookies): Promise<void> => {
  const b = browsers.get(mode);
  browsers.delete(mode);
  await (await b?.catch(() => undefined))?.close();
};

describe('third-party cookies: which browser logout mechanisms work cross-site and same-site (Session Management 1.0 §5.1; Front-Channel Logout 1.0 §4.1)', () => {
  after(async () => {
    printTable();
    await Promise.all([...browsers.keys()].map(closeBrowser));
  });

  DEPLOYMENTS.forEach((d, index) => {
    const lastOfItsMode = !DEPLOYMENTS.slice(index + 1).some((later) => later.thirdPartyCookies === d.thirdPartyCookies);
    describe(`${d.name} (provider ${d.host}, application 127.0.0.1)`, () => {
      let app: AppServer;
      let op: Op;
      let rp: WebRp;
      let browser: Chromium;
      let page: Page;
      let requestsFrom = 0;
      let observed: Observed | undefined;
      let failure: unknown;

      before(async () => {
        app = await AppServer.start();
        const clientId = `tpc-${randomId().slice(0, 6)}`;
        op = await startOp({
          host: d.host,
          clients: [
            {
              client_id: clientId,
              client_secret: SECRET,
              redirect_uris: [`${app.origin}/callback`],
              post_logout_redirect_uris: [`${app.origin}/logged-out`],
              frontchannel_logout_uri: `${app.origin}/fcl`,
              frontchannel_logout_session_required: true,
            },
          ],
        });
        rp = await installWebRp(app, { issuer: op.issuer, clientId, clientSecret: SECRET });
        app.route('/monitor', (_req, _url, res) => sendHtml(res, MONITOR_PAGE));
        app.route('/silent', (_req, _url, res) => sendHtml(res, SILENT_PAGE));
        browser = await browserFor(d.thirdPartyCookies);
        requestsFrom = browser.requests.length;
        page = await browser.context.newPage();
        try {
          observed = await observe(page, app, op, rp);
          results.set(d.name, observed);
        } catch (err) {
          failure = err;
        }
      });

      after(async () => {
        await page?.close().catch(() => undefined);
        if (lastOfItsMode) await closeBrowser(d.thirdPartyCookies);
        await Promise.all([op?.close(), app?.close()]);
      });

      const got = (): Observed => {
        if (failure) throw failure;
        assert.ok(observed, 'the scenario ran');
        return observed;
      };

      it(`(a) Front-Channel Logout §3, §4.1: the logged-out page frames the application's frontchannel_logout_uri with iss and sid → ${d.expected.frontChannel}; the application's own SameSite=None cookie ${d.expected.frontChannelCookie} (top-level control: ${d.expected.topLevelCookie})`, () => {
        const o = got();
        assert.equal(o.frontChannel, d.expected.frontChannel);
        assert.equal(o.topLevelCookie, d.expected.topLevelCookie, 'control: the browser keeps the application cookie');
        assert.equal(o.frontChannelCookie, d.expected.frontChannelCookie);
      });

      it(`(b) Session Management §3.2, §5.1: check_session_iframe answers "${d.expected.checkWhileSignedIn}" for the current session_state while signed in and "${d.expected.checkAfterSignOut}" after the sign-out`, () => {
        const o = got();
        assert.equal(o.iframeReadsStateCookie, d.expected.iframeReadsStateCookie, 'the OP iframe reads the browser-state cookie');
        assert.equal(o.checkWhileSignedIn, d.expected.checkWhileSignedIn);
        assert.equal(o.checkAfterSignOut, d.expected.checkAfterSignOut);
      });

      it(`(c) a silent prompt=none authorization in a hidden iframe (OIDC Core §3.1.2.1) → ${d.expected.silent}`, () => {
        assert.equal(got().silent, d.expected.silent);
      });

      it('the browser only talked to loopback', () => {
        assert.deepEqual(browser.requests.slice(requestsFrom).map((r) => r.url()).filter((u) => !isLocal(u)), []);
      });
    });
  });
});
