/**
 * Issue 15 §2 "Inbound": an upstream ends its session, and Signoff ends the SSO sessions signed in
 * through it and notifies every application — Back-Channel Logout 1.0 §2.5-§2.8 and Front-Channel
 * Logout 1.0 §2-§3 as the relying party of two real upstreams (oidc-provider `op`, Signoff `corp`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { IDToken } from 'openid-client';
import { upstreamUris } from '../src/upstreams/paths.js';
import type { TestBrowser } from './helpers/browser.js';
import { CORP_USER, type FederationWorld, OP_USER, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';
import { CLIENTS } from './helpers/provider.js';
import { eventually, verifiedLogoutTokens } from './helpers/receiver.js';
import { startAuthorization } from './helpers/rp.js';
import { frontChannelFrames } from './helpers/upstream-signoff.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const WEB_FRONT_CHANNEL = 'http://127.0.0.1:5001/frontchannel';

interface Signed {
  browser: TestBrowser;
  claims: IDToken;
  /** The downstream SSO session. */
  sessionId: string;
  /** The upstream session's sid, as the downstream recorded it. */
  upstreamSid: string;
}

const signedIn = async (w: FederationWorld, upstream: 'op' | 'corp', browser: TestBrowser = federationBrowser(w)): Promise<Signed> => {
  const { tokens } = await signInThrough(w, browser, upstream);
  const claims = tokens.claims();
  assert.ok(claims?.sid, 'the downstream ID token names its sid');
  const store = w.downstream.provider.store;
  const participant = await store.participantBySid(claims.sid as string);
  assert.ok(participant);
  const through = await store.upstreamSessionOf(participant.sessionId);
  assert.equal(through?.upstreamId, upstream);
  assert.ok(through?.sid, 'the upstream ID token had a sid');
  return { browser, claims, sessionId: participant.sessionId, upstreamSid: through.sid };
};

const isLive = async (w: FederationWorld, sessionId: string): Promise<boolean> => (await w.downstream.provider.store.sessionById(sessionId))?.endedAt === undefined;

/** prompt=none at the downstream, for `web`: where the browser is sent back to. */
const promptNone = async (w: FederationWorld, browser: TestBrowser): Promise<URL> => {
  const started = await startAuthorization(w.web, 'web', { prompt: 'none' });
  const hop = await browser.navigate(started.url.toString());
  assert.ok(hop.location?.startsWith(CLIENTS.web.redirect_uri), `back at the client: ${hop.status} ${hop.location ?? ''}`);
  return new URL(hop.location as string);
};

/** The session ended with reason upstream_logout, SSO is gone, and `web` got a verified logout token naming its sid. */
const assertEndedByUpstream = async (w: FederationWorld, s: Signed, receivedBefore: number): Promise<void> => {
  const ended = await eventually(async () => {
    const session = await w.downstream.provider.store.sessionById(s.sessionId);
    return session?.endedAt !== undefined ? session : undefined;
  }, 'the downstream session to end');
  assert.equal(ended.endReason, 'upstream_logout');
  assert.equal(ended.endedBy, `upstream:${(await w.downstream.provider.store.upstreamSessionOf(s.sessionId))?.upstreamId}`);
  const [token] = await verifiedLogoutTokens(w.receiver, w.downstream.issuer, 'web', receivedBefore, 1);
  assert.equal(token?.sid, s.claims.sid, 'the logout token names the downstream sid of that session');
  assert.equal((await promptNone(w, s.browser)).searchParams.get('error'), 'login_required');
};

const postLogout = (w: FederationWorld, upstream: string, body: string | URLSearchParams, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${w.downstream.issuer}/upstreams/${upstream}/backchannel-logout`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('issue 15 §2: an upstream\'s logout ends the SSO sessions signed in through it (Back-Channel Logout 1.0 §2.7)', () => {
  let w: FederationWorld;
  before(async () => {
    w = await startFederation();
  });
  after(async () => {
    await w?.close();
  });

  it('oidc-provider: RP-initiated logout at the upstream (with the browser) → its logout token ends the downstream session, web is notified, prompt=none answers login_required', async () => {
    const s = await signedIn(w, 'op');
    const before = w.receiver.received.length;
    await w.op.logout(s.browser, {});
    await assertEndedByUpstream(w, s, before);
  });

  it('oidc-provider: the session ended at the upstream without the browser (administrator) → the same', async () => {
    const s = await signedIn(w, 'op');
    const before = w.receiver.received.length;
    assert.ok((await w.op.endSession(s.browser)).length > 0, 'the upstream notified a sid');
    await assertEndedByUpstream(w, s, before);
  });

  it('Signoff upstream: RP-initiated logout at corp (with the browser) → the downstream session ends, web is notified', async () => {
    const s = await signedIn(w, 'corp');
    const before = w.receiver.received.length;
    await w.corp.logout(s.browser, { scope: 'session' });
    await assertEndedByUpstream(w, s, before);
  });

  it('Signoff upstream: every session of the account ended at corp without the browser → the same', async () => {
    const s = await signedIn(w, 'corp');
    const before = w.receiver.received.length;
    assert.ok((await w.corp.endSessionsOf(CORP_USER.username)) > 0);
    await assertEndedByUpstream(w, s, before);
  });

  it('§2.8: an upstream id that is not configured answers 404 JSON, never a 500', async () => {
    const res = await postLogout(w, 'nobody', new URLSearchParams({ logout_token: 'a.b.c' }));
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'not_found');
  });
});

describe('§2.6 logout token validation: each refused token answers 400 invalid_request and ends nothing', () => {
  let w: FederationWorld;
  let s: Signed;
  let kid: string;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: w.op.issuer, aud: 'signoff-downstream', iat: now(), exp: now() + 120, jti: crypto.randomUUID(), events: { [EVENT]: {} }, sid: s.upstreamSid, ...extra,
  });
  const drop = (c: Record<string, unknown>, ...names: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !names.includes(k)));

  before(async () => {
    w = await startFederation();
    s = await signedIn(w, 'op');
    kid = decodeProtectedHeader(await w.op.sign({})).kid as string;
  });
  after(async () => {
    await w?.close();
  });

  const refused = async (token: string | URLSearchParams | string, opts: { upstream?: string; contentType?: string } = {}) => {
    const body = token instanceof URLSearchParams ? token : typeof token === 'string' && opts.contentType ? token : new URLSearchParams({ logout_token: token });
    const res = await postLogout(w, opts.upstream ?? 'op', body, opts.contentType);
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal((JSON.parse(text) as { error: string }).error, 'invalid_request');
    assert.ok(await isLive(w, s.sessionId), 'the session is still live');
  };

  it('step 2: a token signed by a key not in the upstream\'s JWKS (same kid) is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refused(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid, typ: 'logout+jwt' }).sign(privateKey));
  });
  it('step 2: alg none is refused', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await refused(`${b64({ alg: 'none', typ: 'logout+jwt' })}.${b64(claims())}.`);
  });
  it('step 2: HS256 signed with the client secret is refused (the secret is not a logout key)', async () => {
    const secret = new TextEncoder().encode('op-secret-0123456789-0123456789-0123');
    await refused(await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' }).sign(secret));
  });
  it('step 3: a wrong aud is refused', async () => refused(await w.op.sign(claims({ aud: 'someone-else' }))));
  it('step 3: a wrong iss is refused', async () => refused(await w.op.sign(claims({ iss: w.corp.issuer }))));
  it('step 3: a missing iat is refused', async () => refused(await w.op.sign(drop(claims(), 'iat'))));
  it('step 3: an expired token is refused', async () => refused(await w.op.sign(claims({ iat: now() - 600, exp: now() - 300 }))));
  it('step 3: a token issued long ago (iat beyond the accepted age) is refused', async () => refused(await w.op.sign(drop(claims({ iat: now() - 3600 }), 'exp'))));
  it('§2.4: a typ other than logout+jwt or JWT is refused', async () => refused(await w.op.sign(claims(), { typ: 'at+jwt' })));
  it('step 4: neither sid nor sub is refused', async () => refused(await w.op.sign(drop(claims(), 'sid'))));
  it('step 5: events missing is refused', async () => refused(await w.op.sign(drop(claims(), 'events'))));
  it('step 5: events without the back-channel logout member is refused', async () => refused(await w.op.sign(claims({ events: { 'http://schemas.openid.net/event/other': {} } }))));
  it('step 5: the member with a non-object value is refused', async () => refused(await w.op.sign(claims({ events: { [EVENT]: 'yes' } }))));
  it('step 6: a nonce is refused', async () => refused(await w.op.sign(claims({ nonce: 'n-0' }))));
  it('step 7: a missing jti is refused', async () => refused(await w.op.sign(drop(claims(), 'jti'))));
  it('a huge token (over 16 KB) is refused before parsing', async () => refused(await w.op.sign(claims({ padding: 'x'.repeat(20_000) }))));
  it('a valid logout token of op sent to corp\'s endpoint is refused', async () => refused(await w.op.sign(claims()), { upstream: 'corp' }));
  it('§2.5: a form without logout_token, with it twice, or JSON instead of a form is refused', async () => {
    await refused(new URLSearchParams({ other: 'x' }));
    const token = await w.op.sign(claims());
    await refused(new URLSearchParams([['logout_token', token], ['logout_token', token]]));
    await refused(JSON.stringify({ logout_token: token }), { contentType: 'application/json' });
  });

  it('§2.6-§2.8: a valid token ends the session (200, no-store); its replay (step 8, same jti) ends nothing more and answers 400', async () => {
    const token = await w.op.sign(claims(), { typ: 'logout+jwt' });
    const res = await postLogout(w, 'op', new URLSearchParams({ logout_token: token }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal((await w.downstream.provider.store.sessionById(s.sessionId))?.endReason, 'upstream_logout');
    // Signed in again through the same upstream session (same upstream sid): the replay must not end it.
    const again = await signedIn(w, 'op', s.browser);
    assert.notEqual(again.sessionId, s.sessionId);
    assert.equal(again.upstreamSid, s.upstreamSid);
    s = again;
    await refused(token);
  });

  it('§2.7: a token with only sub ends every session of that sub through the upstream; §2.8: 200 also when nothing matched', async () => {
    const res = await postLogout(w, 'op', new URLSearchParams({ logout_token: await w.op.sign(drop(claims({ sub: OP_USER.sub }), 'sid')) }));
    assert.equal(res.status, 200);
    assert.equal((await w.downstream.provider.store.sessionById(s.sessionId))?.endReason, 'upstream_logout');
    const none = await postLogout(w, 'op', new URLSearchParams({ logout_token: await w.op.sign(drop(claims({ sub: 'nobody-here' }), 'sid')) }));
    assert.equal(none.status, 200);
  });
});

describe('Front-Channel Logout 1.0 §2-§3: corp frames Signoff\'s frontchannel-logout URI', () => {
  let w: FederationWorld;
  before(async () => {
    // corp notifies on the front channel only, so that what ends the session here is the iframe.
    w = await startFederation({}, {}, { webFrontChannelUri: WEB_FRONT_CHANNEL, corpBackChannel: false });
  });
  after(async () => {
    await w?.close();
  });

  it('the signed-out page at corp frames ISSUER/upstreams/corp/frontchannel-logout with iss and sid; loading it with the browser\'s cookies ends the session and frames web\'s own front-channel URI, framable by corp only', async () => {
    const s = await signedIn(w, 'corp');
    const before = w.receiver.received.length;
    const signedOut = await w.corp.logout(s.browser, { scope: 'session' });
    const frame = frontChannelFrames(signedOut).find((u) => u.toString().startsWith(upstreamUris(w.downstream.issuer, 'corp').frontchannel_logout_uri));
    assert.ok(frame, `corp frames Signoff: ${signedOut.body.slice(0, 300)}`);
    assert.equal(frame.searchParams.get('iss'), w.corp.issuer);
    assert.equal(frame.searchParams.get('sid'), s.upstreamSid);
    assert.ok(await isLive(w, s.sessionId), 'nothing ended before the iframe loads');

    const hop = await s.browser.request(frame.toString());
    assert.equal(hop.status, 200);
    assert.equal(hop.headers.get('cache-control'), 'no-store');
    assert.equal(hop.headers.get('x-frame-options'), null);
    const ancestors = (hop.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim()).filter((d) => d.startsWith('frame-ancestors'));
    assert.deepEqual(ancestors, [`frame-ancestors ${new URL(w.corp.issuer).origin}`]);
    const frames = frontChannelFrames(hop);
    assert.equal(frames.length, 1, hop.body);
    assert.equal(frames[0]?.origin + (frames[0]?.pathname ?? ''), WEB_FRONT_CHANNEL);
    assert.equal(frames[0]?.searchParams.get('sid'), s.claims.sid);
    assert.equal(frames[0]?.searchParams.get('iss'), w.downstream.issuer);
    await assertEndedByUpstream(w, s, before);
  });

  it('without sid: this browser\'s sessions through corp end (the cookie came with the iframe); a framed request without the cookie ends nothing', async () => {
    const s = await signedIn(w, 'corp');
    const uri = upstreamUris(w.downstream.issuer, 'corp').frontchannel_logout_uri;
    const cookieless = await fetch(uri);
    assert.equal(cookieless.status, 200);
    assert.ok(await isLive(w, s.sessionId), 'no cookie: nothing ends');
    const before = w.receiver.received.length;
    const hop = await s.browser.request(uri);
    assert.equal(hop.status, 200);
    await assertEndedByUpstream(w, s, before);
  });

  it('§2: iss other than the upstream\'s, or sid without iss, is refused and ends nothing', async () => {
    const s = await signedIn(w, 'corp');
    const uri = upstreamUris(w.downstream.issuer, 'corp').frontchannel_logout_uri;
    assert.equal((await s.browser.request(`${uri}?iss=${encodeURIComponent(w.op.issuer)}&sid=${s.upstreamSid}`)).status, 400);
    assert.equal((await s.browser.request(`${uri}?sid=${s.upstreamSid}`)).status, 400);
    assert.ok(await isLive(w, s.sessionId));
  });
});
