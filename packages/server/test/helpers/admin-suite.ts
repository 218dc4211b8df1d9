/**
 * The admin API's session routes through the real HTTP server, with tokens from the real token
 * endpoint (issue 12 §2, §3), run by test/admin-api.test.ts (SQLite) and
 * test/admin-api-postgres.test.ts (PostgreSQL): who may call them (RFC 6750 §3), what a session
 * looks like, paging, ending one session or every session of a user and the back-channel
 * notifications that follow (OIDC Back-Channel Logout §2.4-2.6), the offline_access rules of a
 * user's logout (issue 12 §1, OIDC Core §11), problem details for bad input (RFC 9457).
 *
 * Every call goes through a client typed by the API's own OpenAPI document (openapi-fetch over
 * test/generated/admin-api.ts, issue 12 §4): a path, parameter, body or response field the
 * document does not list is a compile error here. A raw `fetch` is kept only for what the types
 * forbid on purpose (bad input), each saying so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import createClient, { type Client } from 'openapi-fetch';
import type { Session } from '../../src/sessions/store.js';
import type { components, paths } from '../generated/admin-api.js';
import { type Receiver, startReceiver } from './receiver.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './provider.js';
import { basicAuth, postForm } from './rp.js';
import { type Tokens, WEB, accountIdOf, exchange, refresh, signInFresh, silent } from './session-flows.js';

type Problem = components['schemas']['Problem'];

const OPS = { client_id: 'ops', client_secret: 'ops-secret-0123456789-0123456789-abcd' } as const;
const READER = { client_id: 'reader', client_secret: 'reader-secret-0123456789-0123456789-ab' } as const;

/** The store a suite runs on: its configuration (`store` of the config; none: startProvider's SQLite file) and what removes it. */
export interface AdminSuiteStore {
  config?: Record<string, unknown>;
  drop?: () => Promise<void>;
}

/** The admin API's tests on the store `store()` makes (called once, before the first test). */
export const adminSuite = (storeName: string, store: () => Promise<AdminSuiteStore>): void => {
  describe(`admin API over HTTP on ${storeName} (issue 12 §2, §3, §4)`, () => {
    let op: TestProvider;
    let rx: Receiver;
    let api: string;
    let dropStore: (() => Promise<void>) | undefined;

    before(async () => {
      const s = await store();
      dropStore = s.drop;
      rx = await startReceiver();
      op = await startProvider(
        {
          ...(s.config ? { store: s.config } : {}),
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
      await op?.close();
      await rx?.close();
      await dropStore?.();
    });

    const tokenFor = async (client: { client_id: string; client_secret: string }, scope?: string): Promise<string> => {
      const res = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.client_id, client.client_secret) });
      assert.equal(res.status, 200);
      return ((await res.json()) as { access_token: string }).access_token;
    };

    /** The typed client of the admin API, sending `token` (none: no Authorization header). */
    const admin = (token?: string): Client<paths> => createClient<paths>({ baseUrl: api, headers: token ? { authorization: `Bearer ${token}` } : {} });

    /**
     * A request the typed client cannot send: a body or query the document's types forbid. Its
     * answer is read as the document says errors are (Problem), which `problem()` checks.
     */
    const raw = async (token: string, method: 'GET' | 'POST', path: string, body?: string): Promise<{ response: Response; error?: Problem }> => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      return { response, ...(text ? { error: JSON.parse(text) as Problem } : {}) };
    };

    /** An RFC 9457 problem with that status and title. */
    const problem = (r: { response: Response; error?: Problem }, status: number, title: string) => {
      assert.equal(r.response.status, status, JSON.stringify(r.error));
      assert.match(r.response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(r.error, 'a problem body');
      assert.deepEqual([r.error.status, r.error.title, typeof r.error.type], [status, title, 'string']);
    };

    /** The body of a successful answer (`status`, default 200). */
    const ok = <T>(r: { data?: T; error?: unknown; response: Response }, status = 200): T => {
      assert.equal(r.response.status, status, JSON.stringify(r.error));
      assert.ok(r.data !== undefined, 'a body');
      return r.data;
    };

    const activeSessionsOf = async (token: string, userId: string) =>
      ok(await admin(token).GET('/users/{user_id}/sessions', { params: { path: { user_id: userId }, query: { active: true, limit: 200 } } })).sessions;

    describe('who may call the admin API (issue 12 §2, RFC 6750 §3)', () => {
      it('no token: 401 with a bare Bearer challenge; a forged or user access token: 401 invalid_token; a token without the scope: 403 insufficient_scope naming it', async () => {
        const none = await admin().GET('/sessions');
        problem(none, 401, 'unauthorized');
        assert.equal(none.response.headers.get('www-authenticate'), 'Bearer realm="signoff-admin"');
        const forged = await admin('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.').GET('/sessions');
        problem(forged, 401, 'invalid_token');
        assert.match(forged.response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        // A user's access token is for the issuer's own resources, not for this audience.
        const { code } = await signInFresh(op.issuer, WEB, USERS.bob);
        const userToken = (await exchange(op.issuer, WEB, code)).access_token;
        problem(await admin(userToken).GET('/sessions'), 401, 'invalid_token');
        const reader = admin(await tokenFor(READER));
        ok(await reader.GET('/sessions'));
        const denied = await reader.DELETE('/sessions/{session_id}', { params: { path: { session_id: 'anything' } } });
        problem(denied, 403, 'insufficient_scope');
        assert.match(denied.response.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="signoff\.sessions\.manage"/);
      });

      it('answers no CORS request: nothing here is meant for a browser (issue 12 §2)', async () => {
        // Raw: a CORS preflight is no operation of the document.
        const res = await fetch(`${api}/sessions`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        assert.equal(res.headers.get('access-control-allow-origin'), null);
      });
    });

    describe('sessions over HTTP (issue 12 §3)', () => {
      it("lists a user's session with the fields of the session object; the clients carry the sid of their ID tokens; times are RFC 3339", async () => {
        const client = admin(await tokenFor(OPS));
        const { browser, code } = await signInFresh(op.issuer, WEB, USERS.alice);
        const tokens: Tokens = await exchange(op.issuer, WEB, code);
        const sub = await accountIdOf(op, 'alice');
        const page = ok(await client.GET('/users/{user_id}/sessions', { params: { path: { user_id: sub }, query: { active: true } } }));
        const session = page.sessions.find((s) => s.clients.some((c) => c.sid === decodeJwt(tokens.id_token).sid));
        assert.ok(session, 'the session the ID token names');
        assert.equal(session.user_id, sub);
        assert.equal(session.username, 'alice');
        assert.equal(session.active, true);
        for (const f of ['created_at', 'authenticated_at', 'last_active_at', 'idle_expires_at', 'expires_at'] as const) assert.match(session[f], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, f);
        assert.deepEqual(Object.keys(session.device).sort(), ['browser', 'device_type', 'initial_ip', 'initial_user_agent', 'last_ip', 'last_user_agent', 'os']);
        assert.equal(session.device.initial_ip, '127.0.0.1');
        assert.deepEqual(session.clients.map((c) => c.client_id), ['web']);
        assert.notEqual(session.id, decodeJwt(tokens.id_token).sid, 'the session id is never a sid');
        assert.ok(!(browser.cookies.get('signoff') ?? '').includes(session.id), 'nor the cookie value');
        const one = ok(await client.GET('/sessions/{session_id}', { params: { path: { session_id: session.id } } }));
        assert.deepEqual(one, session);
        problem(await client.GET('/sessions/{session_id}', { params: { path: { session_id: 'no-such-session' } } }), 404, 'not_found');
      });

      it('pages through 250 sessions 100 at a time: 100, 100, 50, then next_cursor null, each once (issue 12 §3)', async () => {
        const token = await tokenFor(OPS);
        const client = admin(token);
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
          const query: { limit: number; cursor?: string } = { limit: 100, ...(cursor ? { cursor } : {}) };
          const page = ok(await client.GET('/users/{user_id}/sessions', { params: { path: { user_id: account.id }, query } }));
          sizes.push(page.sessions.length);
          seen.push(...page.sessions.map((s) => s.id).filter((id) => id.startsWith('page-')));
          cursor = page.next_cursor;
        } while (cursor);
        assert.equal(new Set(seen).size, 250, 'every seeded session once');
        assert.equal(seen.length, 250);
        assert.ok(sizes[0] === 100 && sizes[1] === 100 && (sizes[2] as number) >= 50, `pages of ${sizes.join(', ')}`);
        problem(await client.GET('/sessions', { params: { query: { limit: 201 } } }), 400, 'invalid_request');
        problem(await client.GET('/sessions', { params: { query: { cursor: 'not-a-cursor' } } }), 400, 'invalid_request');
        // Raw: the types allow one `limit`, not two.
        problem(await raw(token, 'GET', '/sessions?limit=1&limit=2'), 400, 'invalid_request');
      });

      it('DELETE /sessions/{id} ends that session only: its application gets a verified logout token, that browser is signed out, another stays signed in; 204 again for an ended one, 404 for an unknown one', async () => {
        const token = await tokenFor(OPS);
        const client = admin(token);
        const a = await signInFresh(op.issuer, WEB, USERS.alice);
        const b = await signInFresh(op.issuer, WEB, USERS.alice);
        const sidA = decodeJwt((await exchange(op.issuer, WEB, a.code)).id_token).sid as string;
        const target = (await activeSessionsOf(token, await accountIdOf(op, 'alice'))).find((s) => s.clients.some((c) => c.sid === sidA));
        assert.ok(target);
        const before = rx.received.length;
        assert.equal((await client.DELETE('/sessions/{session_id}', { params: { path: { session_id: target.id } } })).response.status, 204);
        const [received] = (await rx.waitFor(before + 1, 5000)).slice(before);
        const jwks = createLocalJWKSet((await (await fetch(`${op.issuer}/jwks`)).json()) as never);
        const { payload } = await jwtVerify(received!.logoutToken, jwks, { issuer: op.issuer, audience: 'web' });
        assert.equal(payload.sid, sidA);
        assert.equal((await silent(a.browser, op.issuer, WEB)).error, 'login_required', 'that browser is signed out');
        assert.ok((await silent(b.browser, op.issuer, WEB)).code, 'the other browser is still signed in');
        const ended = ok(await client.GET('/sessions/{session_id}', { params: { path: { session_id: target.id } } }));
        assert.deepEqual([ended.active, ended.end_reason, ended.ended_by], [false, 'admin', 'client:ops']);
        assert.equal((await client.DELETE('/sessions/{session_id}', { params: { path: { session_id: target.id } } })).response.status, 204, 'already ended');
        problem(await client.DELETE('/sessions/{session_id}', { params: { path: { session_id: 'no-such-session' } } }), 404, 'not_found');
      });

      it('POST /users/{id}/logout ends every session of that user and says how many; other users keep theirs; a bad body is a 400 problem, an unknown user a 404', async () => {
        const token = await tokenFor(OPS);
        const client = admin(token);
        const bobs = await signInFresh(op.issuer, WEB, USERS.bob);
        await signInFresh(op.issuer, WEB, USERS.alice);
        await signInFresh(op.issuer, WEB, USERS.alice);
        const alice = await accountIdOf(op, 'alice');
        const open = (await activeSessionsOf(token, alice)).length;
        const r = ok(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: alice } }, body: { revoke_offline_tokens: false } }));
        assert.equal(r.ended, open);
        assert.equal((await activeSessionsOf(token, alice)).length, 0);
        assert.ok((await silent(bobs.browser, op.issuer, WEB)).code, 'bob is still signed in');
        const logout = `/users/${encodeURIComponent(alice)}/logout`;
        // Raw, each: what the document's body type forbids — a string for a boolean, an unknown
        // field, a hostile name (__proto__), malformed JSON, a body past the 16 KiB limit.
        problem(await raw(token, 'POST', logout, JSON.stringify({ revoke_offline_tokens: 'yes' })), 400, 'invalid_request');
        problem(await raw(token, 'POST', logout, JSON.stringify({ extra: true })), 400, 'invalid_request');
        problem(await raw(token, 'POST', logout, '{"__proto__":{"revoke_offline_tokens":true}}'), 400, 'invalid_request');
        problem(await raw(token, 'POST', logout, '{"revoke_offline_tokens":'), 400, 'invalid_request');
        problem(await raw(token, 'POST', logout, `{"x":"${'a'.repeat(20_000)}"}`), 413, 'invalid_request');
        problem(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: 'no-such-user' } }, body: {} }), 404, 'not_found');
      });

      it('POST /users/{id}/logout keeps the offline_access refresh tokens unless revoke_offline_tokens is true, then refuses them with invalid_grant (issue 12 §1, OIDC Core §11)', async () => {
        const client = admin(await tokenFor(OPS));
        const alice = await accountIdOf(op, 'alice');
        const offlineToken = async (): Promise<string> => {
          const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
          const off = await silent(browser, op.issuer, WEB, { scope: 'openid offline_access' });
          assert.ok(off.code, `${off.error}`);
          const tokens = await exchange(op.issuer, WEB, off.code);
          assert.ok(tokens.scope.split(' ').includes('offline_access') && tokens.refresh_token, `offline_access granted: ${tokens.scope}`);
          return tokens.refresh_token as string;
        };
        const kept = await offlineToken();
        assert.ok(ok(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: alice } }, body: {} })).ended >= 1);
        const survived = await refresh(op.issuer, WEB, kept);
        assert.equal(survived.status, 200, `revoke_offline_tokens defaults to false: ${JSON.stringify(survived.body)}`);
        const revoked = await offlineToken();
        ok(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: alice } }, body: { revoke_offline_tokens: true } }));
        for (const rt of [revoked, survived.body.refresh_token as string]) {
          const refused = await refresh(op.issuer, WEB, rt);
          assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant'], 'revoke_offline_tokens: true');
        }
      });

      it('GET /openapi.json is an OpenAPI 3.1 document of these routes, generated from their schemas (issue 12 §3)', async () => {
        // Raw: the document does not describe itself (its route is hidden); test/admin-openapi.test.ts checks the rest.
        const doc = (await (await fetch(`${api}/openapi.json`)).json()) as {
          openapi: string;
          servers: unknown;
          paths: Record<string, Record<string, unknown> | undefined>;
          components: { schemas: { Session: { properties: Record<string, unknown> } } };
        };
        assert.equal(doc.openapi, '3.1.0');
        assert.deepEqual(doc.servers, [{ url: `${op.issuer}/admin/v1` }]);
        for (const path of ['/sessions', '/sessions/{session_id}', '/users/{user_id}/sessions', '/users/{user_id}/logout']) assert.ok(doc.paths[path], path);
        assert.ok(doc.paths['/sessions/{session_id}']?.delete);
        assert.ok(doc.components.schemas.Session.properties.device);
        assert.equal(doc.paths['/openapi.json'], undefined);
      });
    });
  });
};
