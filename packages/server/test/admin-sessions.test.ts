/**
 * The admin API's session routes through the real HTTP server, with tokens from the real token
 * endpoint (issue 12 §2, §3): who may call them (RFC 6750 §3), what a session looks like, paging,
 * ending one session or every session of a user and the back-channel notifications that follow
 * (OIDC Back-Channel Logout §2.4-2.6), problem details for bad input (RFC 9457).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Session } from '../src/sessions/store.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { basicAuth, postForm } from './helpers/rp.js';
import { type Tokens, WEB, accountIdOf, exchange, signInFresh, silent } from './helpers/session-flows.js';

const OPS = { client_id: 'ops', client_secret: 'ops-secret-0123456789-0123456789-abcd' } as const;
const READER = { client_id: 'reader', client_secret: 'reader-secret-0123456789-0123456789-ab' } as const;

let op: TestProvider;
let rx: Receiver;
let api: string;

before(async () => {
  rx = await startReceiver();
  op = await startProvider(
    {
      clients: [
        ...defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c)),
        { ...OPS, grant_types: ['client_credentials'], scope: 'signoff.sessions.read signoff.sessions.manage' },
        { ...READER, grant_types: ['client_credentials'], scope: 'signoff.sessions.read' },
      ],
    },
    { deliveries: true },
  );
  api = `${op.issuer}/admin/v1`;
});
after(async () => {
  await op.close();
  await rx.close();
});

const tokenFor = async (client: { client_id: string; client_secret: string }, scope?: string): Promise<string> => {
  const res = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.client_id, client.client_secret) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
};

const call = async (token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> => {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
};

const problem = (r: { status: number; headers: Headers; json: any }, status: number, title: string) => {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual([r.json.status, r.json.title, typeof r.json.type], [status, title, 'string']);
};

describe('who may call the admin API (issue 12 §2, RFC 6750 §3)', () => {
  it('no token: 401 with a bare Bearer challenge; a forged or user access token: 401 invalid_token; a token without the scope: 403 insufficient_scope naming it', async () => {
    const none = await call(undefined, 'GET', '/sessions');
    problem(none, 401, 'unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="signoff-admin"');
    const forged = await call('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'GET', '/sessions');
    problem(forged, 401, 'invalid_token');
    assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    // A user's access token is for the issuer's own resources, not for this audience.
    const { code } = await signInFresh(op.issuer, WEB, USERS.bob);
    const userToken = (await exchange(op.issuer, WEB, code)).access_token;
    problem(await call(userToken, 'GET', '/sessions'), 401, 'invalid_token');
    const reader = await tokenFor(READER);
    assert.equal((await call(reader, 'GET', '/sessions')).status, 200);
    const denied = await call(reader, 'DELETE', '/sessions/anything');
    problem(denied, 403, 'insufficient_scope');
    assert.match(denied.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="signoff\.sessions\.manage"/);
  });

  it('answers no CORS request: nothing here is meant for a browser (issue 12 §2)', async () => {
    const res = await fetch(`${api}/sessions`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('sessions over HTTP (issue 12 §3)', () => {
  it('lists a user\'s session with the fields of the session object; the clients carry the sid of their ID tokens; times are RFC 3339', async () => {
    const token = await tokenFor(OPS);
    const { browser, code } = await signInFresh(op.issuer, WEB, USERS.alice);
    const tokens: Tokens = await exchange(op.issuer, WEB, code);
    const sub = await accountIdOf(op, 'alice');
    const r = await call(token, 'GET', `/users/${sub}/sessions?active=true`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const session = r.json.sessions.find((s: { clients: { sid: string }[] }) => s.clients.some((c) => c.sid === decodeJwt(tokens.id_token).sid));
    assert.ok(session, 'the session the ID token names');
    assert.equal(session.user_id, sub);
    assert.equal(session.username, 'alice');
    assert.equal(session.active, true);
    for (const f of ['created_at', 'authenticated_at', 'last_active_at', 'idle_expires_at', 'expires_at']) assert.match(session[f], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, f);
    assert.deepEqual(Object.keys(session.device).sort(), ['browser', 'device_type', 'initial_ip', 'initial_user_agent', 'last_ip', 'last_user_agent', 'os']);
    assert.equal(session.device.initial_ip, '127.0.0.1');
    assert.deepEqual(session.clients.map((c: { client_id: string }) => c.client_id), ['web']);
    assert.notEqual(session.id, decodeJwt(tokens.id_token).sid, 'the session id is never a sid');
    assert.ok(!(browser.cookies.get('signoff') ?? '').includes(session.id), 'nor the cookie value');
    const one = await call(token, 'GET', `/sessions/${session.id}`);
    assert.deepEqual(one.json, session);
    problem(await call(token, 'GET', '/sessions/no-such-session'), 404, 'not_found');
  });

  it('pages through 250 sessions 100 at a time: 100, 100, 50, then next_cursor null, each once (issue 12 §3)', async () => {
    const token = await tokenFor(OPS);
    const store = op.provider.store;
    const account = (await store.accountByUsername('bob'))!;
    const t = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 250; i++) {
      await store.insertBrowser({ id: `page-browser-${i}`, secretHash: 'x', createdAt: t });
      const s: Session = {
        id: `page-session-${String(i).padStart(3, '0')}`, browserId: `page-browser-${i}`, accountId: account.id, createdAt: t - 1000 - Math.floor(i / 3), authTime: t, lastSeen: t,
        idleExpiresAt: t + 3600, absoluteExpiresAt: t + 7200, amr: ['pwd'], acr: '0', rememberMe: false, createdIp: '127.0.0.1', createdUserAgent: 'seed', lastIp: '127.0.0.1', lastUserAgent: 'seed',
      };
      await store.insertSession(s);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; json: any } = await call(token, 'GET', `/users/${account.id}/sessions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      sizes.push(r.json.sessions.length);
      seen.push(...r.json.sessions.map((s: { id: string }) => s.id).filter((id: string) => id.startsWith('page-')));
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.equal(new Set(seen).size, 250, 'every seeded session once');
    assert.equal(seen.length, 250);
    assert.ok(sizes[0] === 100 && sizes[1] === 100 && (sizes[2] as number) >= 50, `pages of ${sizes.join(', ')}`);
    problem(await call(token, 'GET', '/sessions?limit=201'), 400, 'invalid_request');
    problem(await call(token, 'GET', '/sessions?cursor=not-a-cursor'), 400, 'invalid_request');
    problem(await call(token, 'GET', '/sessions?limit=1&limit=2'), 400, 'invalid_request');
  });

  it('DELETE /sessions/{id} ends that session only: its application gets a verified logout token, that browser is signed out, another stays signed in; 204 again for an ended one, 404 for an unknown one', async () => {
    const token = await tokenFor(OPS);
    const a = await signInFresh(op.issuer, WEB, USERS.alice);
    const b = await signInFresh(op.issuer, WEB, USERS.alice);
    const sidA = decodeJwt((await exchange(op.issuer, WEB, a.code)).id_token).sid as string;
    const sessions = (await call(token, 'GET', `/users/${await accountIdOf(op, 'alice')}/sessions?active=true`)).json.sessions as { id: string; clients: { sid: string }[] }[];
    const target = sessions.find((s) => s.clients.some((c) => c.sid === sidA));
    assert.ok(target);
    const before = rx.received.length;
    assert.equal((await call(token, 'DELETE', `/sessions/${target.id}`)).status, 204);
    const [received] = (await rx.waitFor(before + 1, 5000)).slice(before);
    const jwks = createLocalJWKSet((await (await fetch(`${op.issuer}/jwks`)).json()) as never);
    const { payload } = await jwtVerify(received!.logoutToken, jwks, { issuer: op.issuer, audience: 'web' });
    assert.equal(payload.sid, sidA);
    assert.equal((await silent(a.browser, op.issuer, WEB)).error, 'login_required', 'that browser is signed out');
    assert.ok((await silent(b.browser, op.issuer, WEB)).code, 'the other browser is still signed in');
    const ended = (await call(token, 'GET', `/sessions/${target.id}`)).json;
    assert.deepEqual([ended.active, ended.end_reason, ended.ended_by], [false, 'admin', 'client:ops']);
    assert.equal((await call(token, 'DELETE', `/sessions/${target.id}`)).status, 204, 'already ended');
    problem(await call(token, 'DELETE', '/sessions/no-such-session'), 404, 'not_found');
  });

  it('POST /users/{id}/logout ends every session of that user and says how many; other users keep theirs; a bad body is a 400 problem, an unknown user a 404', async () => {
    const token = await tokenFor(OPS);
    const bobs = await signInFresh(op.issuer, WEB, USERS.bob);
    await signInFresh(op.issuer, WEB, USERS.alice);
    await signInFresh(op.issuer, WEB, USERS.alice);
    const alice = await accountIdOf(op, 'alice');
    const open = (await call(token, 'GET', `/users/${alice}/sessions?active=true&limit=200`)).json.sessions.length as number;
    const r = await call(token, 'POST', `/users/${alice}/logout`, { revoke_offline_tokens: false });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.ended, open);
    assert.equal((await call(token, 'GET', `/users/${alice}/sessions?active=true`)).json.sessions.length, 0);
    assert.ok((await silent(bobs.browser, op.issuer, WEB)).code, 'bob is still signed in');
    problem(await call(token, 'POST', `/users/${alice}/logout`, { revoke_offline_tokens: 'yes' }), 400, 'invalid_request');
    problem(await call(token, 'POST', `/users/${alice}/logout`, { extra: true }), 400, 'invalid_request');
    problem(await call(token, 'POST', `/users/${alice}/logout`, '{"__proto__":{"revoke_offline_tokens":true}}'), 400, 'invalid_request');
    problem(await call(token, 'POST', `/users/${alice}/logout`, '{"revoke_offline_tokens":'), 400, 'invalid_request');
    problem(await call(token, 'POST', `/users/${alice}/logout`, `{"x":"${'a'.repeat(20_000)}"}`), 413, 'invalid_request');
    problem(await call(token, 'POST', '/users/no-such-user/logout', {}), 404, 'not_found');
  });

  it('GET /openapi.json is an OpenAPI 3.1 document of these routes, generated from their schemas (issue 12 §3)', async () => {
    const doc = (await call(undefined, 'GET', '/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.servers, [{ url: `${op.issuer}/admin/v1` }]);
    for (const path of ['/sessions', '/sessions/{session_id}', '/users/{user_id}/sessions', '/users/{user_id}/logout']) assert.ok(doc.paths[path], path);
    assert.ok(doc.paths['/sessions/{session_id}'].delete);
    assert.ok(doc.components.schemas.Session.properties.device);
    assert.equal(doc.paths['/openapi.json'], undefined);
  });
});
