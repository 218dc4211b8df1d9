/**
 * An upstream that is down when Signoff starts (issue 15 §1: discovery in the background, with
 * backoff; "an upstream that cannot be reached is a clear page, never a 500"). A real
 * `signoff start` process federates to a loopback port nobody listens on: it starts and keeps
 * running (no crash loop) and logs that discovery failed and will be retried; the sign-in page's
 * button for that upstream answers the provider's error page with 503 and no stack trace; once
 * an upstream provider comes up on that port, the next press of the button reaches it (discovery
 * tried again on demand) and the sign-in completes through it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { upstreamUris } from '../src/upstreams/paths.js';
import { OP_USER, pressUpstreamButton } from './helpers/federation.js';
import { CLIENTS, defaultClients, freePort } from './helpers/provider.js';
import { callbackOf, discover, startAuthorization, TestBrowser } from './helpers/rp.js';
import { type RunningSignoff, STACK, startSignoff } from './helpers/signoff-process.js';
import { type UpstreamOp, startUpstreamOp } from './helpers/upstream-op.js';

const SECRET = 'down-secret-0123456789-0123456789-0123';

/** Resolves once `signoff`'s log holds a line matching `pattern`; bounded. */
const logged = async (s: RunningSignoff, pattern: RegExp, ms = 10_000): Promise<string> => {
  const until = Date.now() + ms;
  for (;;) {
    const line = s.stdout().split('\n').find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > until) throw new Error(`no log line matching ${pattern}:\n${s.stdout()}\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('an upstream that is down at start-up (issue 15 §1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-upstream-down-'));
  let signoff: RunningSignoff;
  let upstreamPort: number;
  let issuer: string;
  let op: UpstreamOp | undefined;

  before(async () => {
    upstreamPort = await freePort(); // free, and nobody listens on it until the last test
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const cfg = join(dir, 'signoff.json');
    writeFileSync(cfg, JSON.stringify({
      issuer,
      store: { sqlite: join(dir, 'signoff.sqlite') },
      logging: { level: 'info' },
      clients: defaultClients(),
      upstreams: [
        { id: 'down', issuer: `http://127.0.0.1:${upstreamPort}`, client_id: 'signoff-downstream', client_secret: SECRET, display_name: 'Sleepy IdP' },
        { id: 'other', issuer: `http://localhost:${await freePort()}`, client_id: 'signoff-downstream', display_name: 'Other IdP' },
      ],
    }));
    signoff = await startSignoff(cfg, port, dir);
  });
  after(async () => {
    signoff?.child.kill('SIGTERM');
    await signoff?.exited;
    await op?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, keeps serving and logs that discovery failed and will be retried', async () => {
    const line = await logged(signoff, /upstream discovery failed; retrying/);
    const entry = JSON.parse(line) as { upstream: string; issuer: string; retryInMs: number; error: string };
    assert.ok(['down', 'other'].includes(entry.upstream));
    assert.equal(typeof entry.retryInMs, 'number');
    await logged(signoff, /"upstream":"down".*discovery failed; retrying|discovery failed; retrying.*"upstream":"down"/);
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200, 'the provider serves while its upstream is down');
    assert.equal(signoff.child.exitCode, null, 'still running: no crash loop');
  });

  let browser: TestBrowser;
  let loginPage: Awaited<ReturnType<TestBrowser['navigate']>>;
  let started: Awaited<ReturnType<typeof startAuthorization>>;
  let web: oidc.Configuration;

  it('its button on the sign-in page answers the error page with 503 (temporarily_unavailable), not a 500 or a stack trace', async () => {
    web = await discover(issuer, 'web');
    started = await startAuthorization(web, 'web');
    browser = new TestBrowser(issuer, {}, { follow: [`http://127.0.0.1:${upstreamPort}`] });
    loginPage = await browser.navigate(started.url.toString());
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.body, /Sleepy IdP/);
    const pressed = await pressUpstreamButton(browser, loginPage, 'down');
    assert.equal(pressed.status, 503, pressed.body.slice(0, 400));
    assert.match(pressed.headers.get('content-type') ?? '', /text\/html/);
    assert.match(pressed.body, /Sleepy IdP cannot be reached right now/);
    assert.doesNotMatch(pressed.body, STACK);
    assert.doesNotMatch(pressed.body, /ECONNREFUSED|fetch failed|openid-client/i, 'no internals on the page');
    assert.equal(signoff.child.exitCode, null);
  });

  it('once an upstream listens on that port, the next press reaches it and the sign-in completes through it', async () => {
    const uris = upstreamUris(issuer, 'down');
    op = await startUpstreamOp({
      port: upstreamPort,
      client: {
        client_id: 'signoff-downstream',
        client_secret: SECRET,
        redirect_uris: [uris.redirect_uri],
        post_logout_redirect_uris: [uris.post_logout_redirect_uri],
        backchannel_logout_uri: uris.backchannel_logout_uri,
      },
      users: [OP_USER],
    });
    assert.equal(op.issuer, `http://127.0.0.1:${upstreamPort}`);
    // The same sign-in page, pressed again at once: not waiting for the background retry.
    const pressed = await pressUpstreamButton(browser, loginPage, 'down');
    assert.equal(pressed.status, 303, `${pressed.status} ${pressed.body.slice(0, 300)}`);
    const to = new URL(pressed.location ?? '');
    assert.equal(to.origin, op.issuer, 'sent to the upstream that just came up');
    assert.equal(to.searchParams.get('redirect_uri'), uris.redirect_uri);
    let hop = await op.signIn(browser, OP_USER, pressed.location ?? '', { follow: [issuer] });
    if (hop.location && !hop.location.startsWith(CLIENTS.web.redirect_uri)) hop = await browser.navigate(hop.location);
    const tokens = await oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
      pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true,
    });
    const amr = tokens.claims()?.amr;
    assert.ok(Array.isArray(amr) && amr.includes('fed'), 'signed in through the upstream');
    await logged(signoff, /upstream discovered/);
  });
});
