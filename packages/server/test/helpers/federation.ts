/**
 * The federation world of issue 15's tests: a downstream Signoff (on 127.0.0.1) federating to two
 * real upstreams on loopback — panva's oidc-provider (upstream `op`, on 127.0.0.1) and a second
 * Signoff (upstream `corp`, on localhost) — each with Signoff registered at its fixed URIs, and a
 * back-channel receiver for the downstream client `web`.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { upstreamUris } from '../../src/upstreams/paths.js';
import { type Hop, TestBrowser, parseForm } from './browser.js';
import { CLIENTS, type TestProvider, defaultClients, reservePort, startProvider } from './provider.js';
import { type Receiver, startReceiver } from './receiver.js';
import { type Started, type Tokens, callbackOf, discover, startAuthorization } from './rp.js';
import { type UpstreamOp, type UpstreamUser, startUpstreamOp } from './upstream-op.js';
import { type UpstreamSignoff, type UpstreamSignoffUser, startUpstreamSignoff } from './upstream-signoff.js';

export const OP_USER: UpstreamUser = { sub: 'op-carol-7', login: 'carol', password: 'carol-upstream-pass', email: 'carol@op.example', email_verified: true, name: 'Carol Upstream', amr: ['pwd', 'otp', 'mfa'] };
export const CORP_USER: UpstreamSignoffUser = { username: 'dave', password: 'dave-battery-staple-horse', claims: { name: 'Dave Corp', email: 'dave@corp.example', email_verified: true } };

export interface FederationWorld {
  downstream: TestProvider;
  op: UpstreamOp;
  corp: UpstreamSignoff;
  /** The downstream client `web`'s back-channel logout receiver. */
  receiver: Receiver;
  web: oidc.Configuration;
  close(): Promise<void>;
}

/** Starts both upstreams with Signoff registered at them, then the downstream federating to both. */
export const startFederation = async (
  downstreamOverrides: Record<string, unknown> = {},
  upstreamOverrides: { op?: Record<string, unknown>; corp?: Record<string, unknown> } = {},
  /**
   * `webFrontChannelUri`: the downstream client `web`'s frontchannel_logout_uri; `corpBackChannel: false`: corp notifies Signoff on
   * the front channel only; `rpInitiatedLogout: false`: oidc-provider has no end_session_endpoint; `opUser`: OP_USER as another
   * identity states it (keep its login and password: signInThrough signs in with them).
   */
  opts: { webFrontChannelUri?: string; corpBackChannel?: boolean; rpInitiatedLogout?: boolean; opUser?: UpstreamUser } = {},
): Promise<FederationWorld> => {
  // Held until the downstream starts: the receiver and both upstreams start on port 0 first.
  const { port, release } = await reservePort();
  const issuer = `http://127.0.0.1:${port}`;
  const opUris = upstreamUris(issuer, 'op');
  const corpUris = upstreamUris(issuer, 'corp');
  const receiver = await startReceiver();
  const op = await startUpstreamOp({
    client: {
      client_id: 'signoff-downstream',
      client_secret: 'op-secret-0123456789-0123456789-0123',
      redirect_uris: [opUris.redirect_uri],
      post_logout_redirect_uris: [opUris.post_logout_redirect_uri],
      backchannel_logout_uri: opUris.backchannel_logout_uri,
    },
    users: [opts.opUser ?? OP_USER],
    ...(opts.rpInitiatedLogout === undefined ? {} : { rpInitiatedLogout: opts.rpInitiatedLogout }),
  });
  const corp = await startUpstreamSignoff({
    client: {
      client_id: 'signoff-downstream',
      client_secret: 'corp-secret-0123456789-0123456789-01',
      redirect_uris: [corpUris.redirect_uri],
      post_logout_redirect_uris: [corpUris.post_logout_redirect_uri],
      ...(opts.corpBackChannel === false ? {} : { backchannel_logout_uri: corpUris.backchannel_logout_uri }),
      frontchannel_logout_uri: corpUris.frontchannel_logout_uri,
    },
    users: [CORP_USER],
  });
  await release();
  const downstream = await startProvider(
    {
      clients: defaultClients().map((c) => (c.client_id === CLIENTS.web.client_id ? { ...c, backchannel_logout_uri: receiver.url, backchannel_logout_session_required: true, ...(opts.webFrontChannelUri ? { frontchannel_logout_uri: opts.webFrontChannelUri } : {}) } : c)),
      upstreams: [
        { id: 'op', issuer: op.issuer, client_id: 'signoff-downstream', client_secret: 'op-secret-0123456789-0123456789-0123', display_name: 'OP Upstream', ...upstreamOverrides.op },
        { id: 'corp', issuer: corp.issuer, client_id: 'signoff-downstream', client_secret: 'corp-secret-0123456789-0123456789-01', display_name: 'Corp', domains: ['corp.example'], ...upstreamOverrides.corp },
      ],
      outbound: { allowPrivateNetworks: true },
      ...downstreamOverrides,
    },
    { port, deliveries: { backoff: () => 50 } },
  );
  const web = await discover(downstream.issuer, 'web');
  return {
    downstream, op, corp, receiver, web,
    close: async () => {
      await downstream.close();
      await op.close();
      await corp.close();
      await receiver.close();
    },
  };
};

/** A browser that walks the downstream and both upstreams. */
export const federationBrowser = (w: FederationWorld): TestBrowser => new TestBrowser(w.downstream.issuer, {}, { follow: [w.op.issuer, w.corp.issuer] });

/** Presses the sign-in page's button for `upstreamId` (a form posting `upstream`), following to the upstream's sign-in page. */
export const pressUpstreamButton = async (browser: TestBrowser, page: Hop, upstreamId: string): Promise<Hop> => {
  const match = new RegExp(`<form method="post" action="([^"]+)"><input type="hidden" name="csrf_token" value="([^"]+)"><button type="submit" name="upstream" value="${upstreamId}"`).exec(page.body);
  assert.ok(match, `no button for upstream ${upstreamId} on the page:\n${page.body.slice(0, 400)}`);
  return browser.request(new URL((match[1] as string).replace(/&amp;/g, '&'), page.url).toString(), { form: { csrf_token: match[2] as string, upstream: upstreamId } });
};

/** Signs in to the downstream client `web` through upstream `op` or `corp`; redeems the code with openid-client. */
export const signInThrough = async (
  w: FederationWorld,
  browser: TestBrowser,
  upstreamId: 'op' | 'corp',
  extra: Record<string, string> = {},
): Promise<{ tokens: Tokens; started: Started; callback: URL }> => {
  const started = await startAuthorization(w.web, 'web', extra);
  let hop = await browser.navigate(started.url.toString());
  if (/name="upstream"/.test(hop.body)) hop = await pressUpstreamButton(browser, hop, upstreamId);
  const atClient = (h: Hop) => h.location?.startsWith(CLIENTS.web.redirect_uri) === true;
  if (hop.location && !atClient(hop)) hop = await browser.navigate(hop.location);
  // At the upstream's sign-in page (or straight back, when the upstream has a session).
  if (!atClient(hop)) {
    hop = upstreamId === 'op' ? await w.op.signIn(browser, OP_USER, hop) : await w.corp.signIn(browser, CORP_USER, hop);
    if (hop.location && !atClient(hop)) hop = await browser.navigate(hop.location);
  }
  const callback = callbackOf(hop, 'web');
  const tokens = await oidc.authorizationCodeGrant(w.web, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
  return { tokens, started, callback };
};

export { parseForm };
