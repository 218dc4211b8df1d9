/**
 * Interoperability (issue 5): a real express-openid-connect application with `backchannelLogout`
 * enabled, signed in through Signoff by a browser-like client. Once its session is ended at the
 * provider (as an administrator would), the application's own session is gone: it validated our
 * logout token with its own library (Back-Channel Logout 1.0 §2.6) and acted on it.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, describe, it } from 'node:test';
import express from 'express';
import eoc from 'express-openid-connect';
import { endSessions } from '../src/sessions/end.js';
import { TestBrowser } from './helpers/browser.js';
import { type TestProvider, USERS, defaultClients, freePort, startProvider } from './helpers/provider.js';
import { eventually } from './helpers/receiver.js';

/** express-openid-connect's logout store: any express-session style store; a Map will do. */
const memoryStore = () => {
  const data = new Map<string, unknown>();
  return {
    // `never`: the library's payload type is not exported; the store only hands back what it was given.
    get: (key: string, callback: (err: null, value?: never) => void) => callback(null, data.get(key) as never),
    set: (key: string, value: unknown, callback: (err: null) => void) => (data.set(key, value), callback(null)),
    destroy: (key: string, callback: (err: null) => void) => (data.delete(key), callback(null)),
  };
};

const SECRET = 'express-app-secret-0123456789-0123456789';
// A CommonJS package whose named exports Node cannot detect statically.
const { auth, requiresAuth } = eoc;

describe('express-openid-connect (backchannelLogout: true) against Signoff', () => {
  let op: TestProvider;
  let server: Server;
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await op?.close();
  });

  it('after the SSO session is ended at the provider, the application\'s own session is gone (Back-Channel Logout 1.0 §2.5, §2.6)', async () => {
    const appPort = await freePort();
    const appBase = `http://127.0.0.1:${appPort}`;
    const client = {
      client_id: 'express-app',
      client_secret: SECRET,
      redirect_uris: [`${appBase}/callback`],
      backchannel_logout_uri: `${appBase}/backchannel-logout`,
      backchannel_logout_session_required: true,
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    op = await startProvider({ clients: [...defaultClients(), client] }, { deliveries: true });

    const app = express();
    app.use(
      auth({
        issuerBaseURL: op.issuer,
        baseURL: appBase,
        clientID: client.client_id,
        clientSecret: SECRET,
        secret: 'the-application-cookie-secret-0123456789',
        authRequired: false,
        idpLogout: false,
        authorizationParams: { response_type: 'code', scope: 'openid profile' },
        backchannelLogout: { store: memoryStore() },
      }),
    );
    app.get('/profile', requiresAuth(), (req, res) => {
      res.json({ sub: req.oidc.user?.sub, sid: req.oidc.idTokenClaims?.sid });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(appPort, '127.0.0.1', () => resolve(s));
    });

    // Sign in through the application, as a browser would (one cookie jar for both origins).
    const browser = new TestBrowser(op.issuer);
    const login = await browser.request(`${appBase}/login?returnTo=/profile`);
    assert.equal(login.status, 302);
    assert.ok(login.location?.startsWith(`${op.issuer}/authorize`), login.location);
    const back = await browser.signIn(login.location as string, USERS.alice);
    assert.ok(back.location?.startsWith(`${appBase}/callback`), `${back.status} ${back.location ?? back.body.slice(0, 300)}`);
    const callback = await browser.request(back.location as string);
    assert.equal(callback.status, 302, callback.body.slice(0, 300));
    const profile = await browser.request(`${appBase}/profile`);
    assert.equal(profile.status, 200);
    const { sid } = JSON.parse(profile.body) as { sid: string };
    assert.ok(sid, 'the application got a sid in its ID token');

    // The session is ended elsewhere (an administrator); the application is told by back-channel.
    const participant = await op.provider.store.participantBySid(sid);
    assert.ok(participant);
    const p = op.provider;
    await endSessions({ sessions: p.store, clock: p.clock, wake: p.outbox.wake }, { sessionId: participant.sessionId }, 'admin', 'admin:test');
    const [row] = await eventually(async () => {
      const rows = await p.store.listDeliveries({ sessionId: participant.sessionId, limit: 10 });
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 'the application to accept the logout token');
    assert.equal(row?.clientId, client.client_id);

    const after = await browser.request(`${appBase}/profile`);
    assert.notEqual(after.status, 200, 'the application no longer serves the profile');
    assert.equal(after.status, 302);
    assert.ok(after.location?.startsWith(`${op.issuer}/authorize`), `redirected to sign in again: ${after.location ?? ''}`);
  });
});
