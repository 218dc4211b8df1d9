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
import { createHash } from 'node:crypto';
import { ADMIN_SCOPES } from '../../src/admin/scopes.js';
import type { Session } from '../../src/sessions/store.js';
import type { components, paths } from '../generated/admin-api.js';
import { type Receiver, eventually, startReceiver } from './receiver.js';
import { type TestProvider, USERS, defaultClients, freePort, startProvider } from './provider.js';
import { basicAuth, postForm } from './rp.js';
import { type TestClient, type Tokens, WEB, accountIdOf, exchange, refresh, signInFresh, silent } from './session-flows.js';

type Problem = components['schemas']['Problem'];

const OPS = { client_id: 'ops', client_secret: 'ops-secret-0123456789-0123456789-abcd' } as const;
const READER = { client_id: 'reader', client_secret: 'reader-secret-0123456789-0123456789-ab' } as const;
/** A client with all nine signoff.* scopes (issue 12 §2), for the users, clients, events and deliveries routes. */
const ADMIN = { client_id: 'admin', client_secret: 'admin-secret-0123456789-0123456789-abc' } as const;
type User = components['schemas']['User'];
type AuditEvent = components['schemas']['Event'];
type Delivery = components['schemas']['Delivery'];

/** A secret's SHA-256 in every encoding a store might keep it in. */
const sha256 = (value: string) => {
  const d = createHash('sha256').update(value).digest();
  return { base64url: d.toString('base64url'), hex: d.toString('hex'), base64: d.toString('base64') };
};

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
            { ...ADMIN, grant_types: ['client_credentials'], scope: ADMIN_SCOPES.join(' ') },
          ],
          // A notification nobody takes is marked failed after 2 s, so that a test can retry it.
          backchannel: { giveUpAfter: '2s' },
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
    const raw = async (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: string): Promise<{ response: Response; error?: Problem }> => {
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
            idleExpiresAt: t + 3600, absoluteExpiresAt: t + 7200, amr: ['pwd'], acr: '0', factors: [{ method: 'password', at: t }], rememberMe: false, createdIp: '127.0.0.1', createdUserAgent: 'seed', lastIp: '127.0.0.1', lastUserAgent: 'seed',
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

    /** A fresh username on this store (each suite run has a database of its own). */
    let serial = 0;
    const fresh = (stem: string): string => `${stem}-${++serial}`;

    /** Creates a user over the API; its record and password. */
    const createUser = async (client: Client<paths>, stem: string, claims: Record<string, unknown> = {}): Promise<{ user: User; password: string }> => {
      const password = `${stem}-battery-staple-horse-${serial}`;
      const user = ok(await client.POST('/users', { body: { username: fresh(stem), password, claims } }), 201);
      return { user, password };
    };

    /** Every event after `after` that `query` selects, following next_cursor `limit` at a time until an empty page. */
    const collect = async (client: Client<paths>, query: { user_id?: string; session_id?: string; type?: AuditEvent['type'] }, limit = 2, after?: string) => {
      const events: AuditEvent[] = [];
      let cursor = after;
      const pages: number[] = [];
      for (;;) {
        const page = ok(await client.GET('/events', { params: { query: { ...query, limit, ...(cursor === undefined ? {} : { after: cursor }) } } }));
        pages.push(page.events.length);
        assert.ok(page.events.length <= limit, `a page of at most ${limit}`);
        assert.equal(typeof page.next_cursor, 'string', 'next_cursor is never null');
        if (page.events.length === 0) {
          if (cursor !== undefined) assert.equal(page.next_cursor, cursor, 'an empty page keeps the cursor');
          return { events, cursor: page.next_cursor, pages };
        }
        events.push(...page.events);
        cursor = page.next_cursor;
      }
    };

    /** The JWKS of the provider, for verifying logout tokens. */
    const jwks = async () => createLocalJWKSet((await (await fetch(`${op.issuer}/jwks`)).json()) as never);

    /** A client_credentials client's token request: the status and body (no assertion). */
    const clientToken = async (client: { client_id: string; client_secret: string }, scope: string) => {
      const res = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials', scope }, { authorization: basicAuth(client.client_id, client.client_secret) });
      return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string; scope?: string } };
    };

    describe('who may call the users, clients, events and deliveries routes (issue 12 §2, §4; RFC 6750 §3.1)', () => {
      type Call = (c: Client<paths>) => Promise<{ response: Response; error?: Problem }>;
      const routes: [string, string, Call][] = [
        ['GET /users', 'signoff.users.read', (c) => c.GET('/users')],
        ['POST /users', 'signoff.users.manage', (c) => c.POST('/users', { body: { username: 'never-made', password: 'x' } })],
        ['GET /users/{id}', 'signoff.users.read', (c) => c.GET('/users/{user_id}', { params: { path: { user_id: 'x' } } })],
        ['PATCH /users/{id}', 'signoff.users.manage', (c) => c.PATCH('/users/{user_id}', { params: { path: { user_id: 'x' } }, body: { disabled: true } })],
        ['DELETE /users/{id}', 'signoff.users.manage', (c) => c.DELETE('/users/{user_id}', { params: { path: { user_id: 'x' } } })],
        ['GET /clients', 'signoff.clients.read', (c) => c.GET('/clients')],
        ['POST /clients', 'signoff.clients.manage', (c) => c.POST('/clients', { body: { client_id: 'never-made', grant_types: ['client_credentials'], scope: 'signoff.events.read' } })],
        ['GET /clients/{id}', 'signoff.clients.read', (c) => c.GET('/clients/{client_id}', { params: { path: { client_id: 'web' } } })],
        ['PUT /clients/{id}', 'signoff.clients.manage', (c) => c.PUT('/clients/{client_id}', { params: { path: { client_id: 'web' } }, body: {} })],
        ['DELETE /clients/{id}', 'signoff.clients.manage', (c) => c.DELETE('/clients/{client_id}', { params: { path: { client_id: 'web' } } })],
        ['GET /events', 'signoff.events.read', (c) => c.GET('/events')],
        ['GET /deliveries', 'signoff.deliveries.read', (c) => c.GET('/deliveries')],
        ['POST /deliveries/{id}/retry', 'signoff.deliveries.manage', (c) => c.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: 'x' } } })],
      ];

      it('every route: no token is 401 with a bare Bearer challenge, a forged token 401 invalid_token (RFC 6750 §3.1)', async () => {
        for (const [name, , call] of routes) {
          const none = await call(admin());
          problem(none, 401, 'unauthorized');
          assert.equal(none.response.headers.get('www-authenticate'), 'Bearer realm="signoff-admin"', name);
          const forged = await call(admin('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'));
          problem(forged, 401, 'invalid_token');
        }
      });

      it("every route: a token whose client lacks the route's scope, or holds only the area's other scope, is 403 insufficient_scope naming it (RFC 6750 §3.1, issue 12 §2)", async () => {
        const reader = admin(await tokenFor(READER));
        for (const [name, scope, call] of routes) {
          // The area's other scope (read for manage, manage for read); signoff.events.read has none: signoff.sessions.read instead.
          const sibling = scope.endsWith('.read') ? scope.replace(/read$/, 'manage') : scope.replace(/manage$/, 'read');
          for (const client of [reader, admin(await tokenFor(ADMIN, ADMIN_SCOPES.includes(sibling) ? sibling : 'signoff.sessions.read'))]) {
            const denied = await call(client);
            problem(denied, 403, 'insufficient_scope');
            assert.equal(denied.response.headers.get('www-authenticate'), `Bearer realm="signoff-admin", error="insufficient_scope", scope="${scope}"`, name);
          }
        }
        // Nothing was made by the refused calls.
        const full = admin(await tokenFor(ADMIN));
        assert.deepEqual(ok(await full.GET('/users', { params: { query: { username: 'never-made' } } })).users, []);
        problem(await full.GET('/clients/{client_id}', { params: { path: { client_id: 'never-made' } } }), 404, 'not_found');
      });
    });

    describe('users over HTTP (issue 12 §3)', () => {
      it('POST /users: 201 with a Location and the user without its password hash; GET /users/{id} returns it; GET /users?username= finds it; a taken username is 409; an unknown or empty id 404', async () => {
        const client = admin(await tokenFor(ADMIN));
        const username = fresh('carla');
        const created = await client.POST('/users', { body: { username, password: 'carla-battery-staple-horse', claims: { name: 'Carla', email: 'carla@example.test' } } });
        const user = ok(created, 201);
        assert.equal(created.response.headers.get('location'), `users/${user.id}`);
        assert.deepEqual(Object.keys(user).sort(), ['claims', 'created_at', 'disabled', 'id', 'updated_at', 'username']);
        assert.deepEqual([user.username, user.claims, user.disabled], [username, { name: 'Carla', email: 'carla@example.test' }, false]);
        assert.match(user.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        assert.deepEqual(ok(await client.GET('/users/{user_id}', { params: { path: { user_id: user.id } } })), user);
        assert.deepEqual(ok(await client.GET('/users', { params: { query: { username } } })), { users: [user], next_cursor: null });
        assert.deepEqual(ok(await client.GET('/users', { params: { query: { username: 'nobody-by-this-name' } } })).users, []);
        // The new user signs in with the password given.
        assert.ok((await signInFresh(op.issuer, WEB, { username, password: 'carla-battery-staple-horse' })).code);
        problem(await client.POST('/users', { body: { username, password: 'other-battery-staple-horse' } }), 409, 'conflict');
        problem(await client.POST('/users', { body: { username: 'alice', password: 'other-battery-staple-horse' } }), 409, 'conflict');
        problem(await client.GET('/users/{user_id}', { params: { path: { user_id: 'no-such-user' } } }), 404, 'not_found');
        problem(await client.PATCH('/users/{user_id}', { params: { path: { user_id: 'no-such-user' } }, body: { claims: {} } }), 404, 'not_found');
        problem(await client.DELETE('/users/{user_id}', { params: { path: { user_id: 'no-such-user' } } }), 404, 'not_found');
      });

      it('GET /users pages by username with an opaque cursor: each user once, in order; limit outside 1..200 and a forged cursor are 400 (issue 12 §3)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        for (let i = 0; i < 5; i++) await createUser(client, 'pager');
        const names: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: { limit: number; cursor?: string } = { limit: 2, ...(cursor ? { cursor } : {}) };
          const page = ok(await client.GET('/users', { params: { query } }));
          assert.ok(page.users.length <= 2);
          names.push(...page.users.map((u) => u.username));
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 1000);
        const all = ok(await client.GET('/users', { params: { query: { limit: 200 } } })).users.map((u) => u.username);
        assert.deepEqual(names, all, 'the pages hold what one page of 200 holds, in the same order');
        assert.deepEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), names, 'by username');
        assert.equal(new Set(names).size, names.length, 'each once');
        assert.ok(names.filter((n) => n.startsWith('pager-')).length === 5 && names.includes('alice'));
        assert.ok(pages >= 4, `${pages} pages`);
        problem(await client.GET('/users', { params: { query: { limit: 0 } } }), 400, 'invalid_request');
        problem(await client.GET('/users', { params: { query: { limit: 201 } } }), 400, 'invalid_request');
        problem(await client.GET('/users', { params: { query: { cursor: 'not-a-cursor' } } }), 400, 'invalid_request');
        // A cursor of the right encoding but not one the API issued (a number where a username goes).
        problem(await client.GET('/users', { params: { query: { cursor: Buffer.from('[42]').toString('base64url') } } }), 400, 'invalid_request');
        // Raw: the types forbid a limit that is not a number.
        problem(await raw(token, 'GET', '/users?limit=ten'), 400, 'invalid_request');
      });

      it('POST /users refuses bad usernames with 400: a space, a tab, a no-break space, empty, over 128 characters; keeps unicode ones as sent; 128 characters is the limit (issue 12 §3)', async () => {
        const client = admin(await tokenFor(ADMIN));
        for (const username of ['has space', 'has\ttab', 'no\u00a0break', '', ' lead', 'a'.repeat(129), `${fresh('x')}\n`]) {
          problem(await client.POST('/users', { body: { username, password: 'p' } }), 400, 'invalid_request');
          const found = await client.GET('/users', { params: { query: { username } } });
          // A control character names nobody: the lookup itself is refused.
          if (/[\u0000-\u001f\u007f]/.test(username)) problem(found, 400, 'invalid_request');
          else assert.deepEqual(ok(found).users, [], JSON.stringify(username));
        }
        problem(await client.POST('/users', { body: { username: fresh('empty-password'), password: '' } }), 400, 'invalid_request');
        for (const username of [fresh('zoë-用户-Ωμέγα'), `${fresh('l')}-`.padEnd(128, 'x')]) {
          const user = ok(await client.POST('/users', { body: { username, password: 'unicode-password' } }), 201);
          assert.equal(user.username, username);
          assert.deepEqual(ok(await client.GET('/users', { params: { query: { username } } })).users.map((u) => u.id), [user.id]);
          assert.ok((await signInFresh(op.issuer, WEB, { username, password: 'unicode-password' })).code, 'signs in by that name');
        }
      });

      it('POST /users takes 128 characters outside the BMP as the schema counts them (issue 12 §3: a username of 1-128 characters)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const username = '😀'.repeat(100);
        const user = ok(await client.POST('/users', { body: { username, password: 'emoji-battery-staple-horse' } }), 201);
        assert.equal(user.username, username);
      });

      it('claim names outside 1-100 characters are 400, as the User schema of the OpenAPI document says (issue 12 §3)', async () => {
        const client = admin(await tokenFor(ADMIN));
        for (const claims of [{ '': 'empty name' }, { ['n'.repeat(101)]: 'long name' }]) {
          const username = fresh('claim-name');
          problem(await client.POST('/users', { body: { username, password: 'claim-battery-staple-horse', claims } }), 400, 'invalid_request');
          assert.deepEqual(ok(await client.GET('/users', { params: { query: { username } } })).users, []);
        }
      });

      it('hostile bodies on POST and PATCH /users: __proto__ or constructor.prototype anywhere is 400, unknown fields 400, a body past 16 KiB 413, duplicate keys never split what is checked from what is stored; nothing is polluted or created (issue 12 §3, RFC 9457)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        const { user } = await createUser(client, 'target', { name: 'Target' });
        const path = `/users/${encodeURIComponent(user.id)}`;
        // Raw, each: JSON the document's body types forbid (a hostile or unknown key, a huge body, a repeated key).
        const name = fresh('hostile');
        for (const body of [
          `{"username":"${name}","password":"p","claims":{"__proto__":{"polluted":true}}}`,
          `{"__proto__":{"claims":{"admin":true}},"username":"${name}","password":"p"}`,
          `{"username":"${name}","password":"p","claims":{"constructor":{"prototype":{"polluted":true}}}}`,
          `{"username":"${name}","password":"p","is_admin":true}`,
          `{"username":"${name}","password":"p","claims":"not an object"}`,
          `{"username":"${name}","password":"p","claims":{${Array.from({ length: 101 }, (_, i) => `"c${i}":1`).join(',')}}}`,
        ]) problem(await raw(token, 'POST', '/users', body), 400, 'invalid_request');
        problem(await raw(token, 'POST', '/users', `{"username":"${name}","password":"${'a'.repeat(17 * 1024)}"}`), 413, 'invalid_request');
        assert.deepEqual(ok(await client.GET('/users', { params: { query: { username: name } } })).users, [], 'none of them created the user');
        for (const body of [
          '{"claims":{"__proto__":{"polluted":true}}}',
          '{"__proto__":{"disabled":true}}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"disabled":true,"role":"admin"}',
          '{}',
          '{"disabled":"yes"}',
          `{"claims":{"x":"${'a'.repeat(17 * 1024)}"}}`,
        ]) {
          const r = await raw(token, 'PATCH', path, body);
          problem(r, body.length > 16 * 1024 ? 413 : 400, 'invalid_request');
        }
        const after = ok(await client.GET('/users/{user_id}', { params: { path: { user_id: user.id } } }));
        assert.deepEqual([after.claims, after.disabled], [{ name: 'Target' }, false], 'no refused PATCH changed the user');
        assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
        // `constructor` as a plain claim name is a claim like any other: kept as data, read back as sent.
        const withCtor = await raw(token, 'PATCH', path, '{"claims":{"constructor":"c","toString":"t","name":"Target"}}');
        assert.equal(withCtor.response.status, 200, JSON.stringify(withCtor.error));
        assert.deepEqual(ok(await client.GET('/users/{user_id}', { params: { path: { user_id: user.id } } })).claims, { constructor: 'c', toString: 't', name: 'Target' });
        // Duplicate keys (RFC 8259 §4 leaves them to the parser): what the answer says is what is stored,
        // and a second `disabled` cannot slip past what was validated.
        const dup = await raw(token, 'PATCH', path, '{"disabled":false,"claims":{"name":"Dup"},"disabled":true}');
        if (dup.response.status === 200) {
          const stored = ok(await client.GET('/users/{user_id}', { params: { path: { user_id: user.id } } }));
          assert.deepEqual([stored.disabled, stored.claims], [(dup.error as unknown as { user: User }).user.disabled, { name: 'Dup' }]);
        } else problem(dup, 400, 'invalid_request');
        const dupName = fresh('dup');
        const dupCreate = await raw(token, 'POST', '/users', `{"username":"${dupName}-a","password":"dup-battery-staple-horse","username":"${dupName}-b"}`);
        if (dupCreate.response.status === 201) {
          const made = dupCreate.error as unknown as User;
          assert.deepEqual(ok(await client.GET('/users', { params: { query: { username: made.username } } })).users.map((u) => u.id), [made.id]);
          assert.deepEqual(ok(await client.GET('/users', { params: { query: { username: made.username === `${dupName}-a` ? `${dupName}-b` : `${dupName}-a` } } })).users, []);
        } else problem(dupCreate, 400, 'invalid_request');
      });

      it('claims named like the ID token\'s own (sub, iss, aud, nonce, sid) never replace them: the ID token and userinfo keep the provider\'s values (issue 12 §3, OIDC Core §2, §5.3.2)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const alice = await accountIdOf(op, 'alice');
        const { user, password } = await createUser(client, 'impostor', { sub: alice, iss: 'https://evil.example', aud: 'evil', nonce: 'n', sid: 'forged', auth_time: 1, name: 'Impostor' });
        const { code } = await signInFresh(op.issuer, WEB, { username: user.username, password });
        const tokens = await exchange(op.issuer, WEB, code);
        const { payload } = await jwtVerify(tokens.id_token, await jwks(), { issuer: op.issuer, audience: 'web' });
        assert.equal(payload.sub, user.id);
        assert.notEqual(payload.sid, 'forged');
        assert.ok(payload.auth_time !== 1);
        const info = (await (await fetch(`${op.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as Record<string, unknown>;
        assert.equal(info.sub, user.id, JSON.stringify(info));
        assert.ok(info.iss === undefined || info.iss === op.issuer, JSON.stringify(info));
      });

      it("PATCH /users/{id}: claims alone end no session; a new password ends every session of that user, its web client's back-channel receiver verifies a logout token for each, other users keep theirs (issue 12 §3, OIDC Back-Channel Logout §2.4)", async () => {
        const client = admin(await tokenFor(ADMIN));
        const { user, password } = await createUser(client, 'patched', { name: 'Before' });
        const { user: other, password: otherPassword } = await createUser(client, 'bystander');
        const a = await signInFresh(op.issuer, WEB, { username: user.username, password });
        const b = await signInFresh(op.issuer, WEB, { username: user.username, password });
        const sids = new Set<string>();
        for (const s of [a, b]) sids.add(decodeJwt((await exchange(op.issuer, WEB, s.code)).id_token).sid as string);
        const o = await signInFresh(op.issuer, WEB, { username: other.username, password: otherPassword });
        await exchange(op.issuer, WEB, o.code);
        const claimsOnly = ok(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { claims: { name: 'After' } } }));
        assert.deepEqual([claimsOnly.ended_sessions, claimsOnly.user.claims], [0, { name: 'After' }]);
        assert.ok((await silent(a.browser, op.issuer, WEB)).code, 'claims alone end no session');
        const before = rx.received.length;
        const changed = ok(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { password: 'a-new-battery-staple-horse' } }));
        assert.equal(changed.ended_sessions, 2);
        assert.deepEqual([changed.user.id, changed.user.claims, changed.user.disabled], [user.id, { name: 'After' }, false]);
        await rx.waitFor(before + 2, 5000);
        const keys = await jwks();
        const tokens = [];
        for (const r of rx.received.slice(before)) tokens.push((await jwtVerify(r.logoutToken, keys, { issuer: op.issuer, audience: 'web', typ: 'logout+jwt' })).payload);
        const mine = tokens.filter((t) => t.sub === user.id);
        assert.equal(mine.length, 2, 'one logout token per ended session');
        assert.deepEqual(new Set(mine.map((t) => t.sid)), sids);
        for (const t of mine) assert.ok(t.events && 'http://schemas.openid.net/event/backchannel-logout' in (t.events as object), 'the back-channel logout event');
        assert.equal(tokens.filter((t) => t.sub === other.id).length, 0, 'none for the other user');
        assert.equal((await silent(a.browser, op.issuer, WEB)).error, 'login_required');
        assert.equal((await silent(b.browser, op.issuer, WEB)).error, 'login_required');
        assert.ok((await silent(o.browser, op.issuer, WEB)).code, 'the other user is still signed in');
        assert.ok((await signInFresh(op.issuer, WEB, { username: user.username, password: 'a-new-battery-staple-horse' })).code, 'the new password signs in');
        const disabled = ok(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { disabled: true } }));
        assert.deepEqual([disabled.ended_sessions, disabled.user.disabled], [1, true]);
        const ended = ok(await client.GET('/sessions', { params: { query: { user_id: user.id, active: false, limit: 200 } } })).sessions;
        assert.deepEqual(ended.map((s) => s.end_reason).sort(), ['account_disabled', 'password_changed', 'password_changed']);
        assert.ok(ended.every((s) => s.ended_by === 'client:admin'), 'ended by the calling client');
      });

      it('DELETE /users/{id} is a tombstone: every session ends (account_deleted), the offline refresh token is refused, GET and the list answer 404 and nothing, the username is free again, a second DELETE is 404 (issue 12 §1, §3; OIDC Core §11)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const { user, password } = await createUser(client, 'doomed', { name: 'Doomed' });
        const creds = { username: user.username, password };
        const plain = await signInFresh(op.issuer, WEB, creds);
        const plainTokens = await exchange(op.issuer, WEB, plain.code);
        const { browser } = await signInFresh(op.issuer, WEB, creds);
        const off = await silent(browser, op.issuer, WEB, { scope: 'openid offline_access' });
        assert.ok(off.code, `${off.error}`);
        const offline = await exchange(op.issuer, WEB, off.code);
        assert.ok(offline.scope.split(' ').includes('offline_access') && offline.refresh_token, `offline_access granted: ${offline.scope}`);
        const open = (await activeSessionsOf(await tokenFor(ADMIN), user.id)).length;
        assert.ok(open >= 2, `${open} sessions`);
        const before = rx.received.length;
        assert.deepEqual(ok(await client.DELETE('/users/{user_id}', { params: { path: { user_id: user.id } } })), { ended: open });
        await rx.waitFor(before + open, 5000);
        const ended = ok(await client.GET('/sessions', { params: { query: { user_id: user.id, limit: 200 } } })).sessions;
        assert.equal(ended.length, open);
        assert.ok(ended.every((s) => !s.active && s.end_reason === 'account_deleted' && s.ended_by === 'client:admin'), JSON.stringify(ended.map((s) => [s.active, s.end_reason, s.ended_by])));
        for (const rt of [offline.refresh_token as string, plainTokens.refresh_token].filter(Boolean) as string[]) {
          const refused = await refresh(op.issuer, WEB, rt);
          assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant'], 'every refresh token, offline_access too, is revoked');
        }
        assert.equal((await silent(plain.browser, op.issuer, WEB)).error, 'login_required');
        problem(await client.GET('/users/{user_id}', { params: { path: { user_id: user.id } } }), 404, 'not_found');
        assert.deepEqual(ok(await client.GET('/users', { params: { query: { username: user.username } } })).users, []);
        assert.ok(!ok(await client.GET('/users', { params: { query: { limit: 200 } } })).users.some((u) => u.id === user.id), 'not in the list');
        problem(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { disabled: false } }), 404, 'not_found');
        problem(await client.DELETE('/users/{user_id}', { params: { path: { user_id: user.id } } }), 404, 'not_found');
        const again = ok(await client.POST('/users', { body: { username: user.username, password: 'reborn-password' } }), 201);
        assert.notEqual(again.id, user.id, 'a new user, not the old one back');
        assert.deepEqual(again.claims, {}, 'none of the old claims');
        const reborn = await signInFresh(op.issuer, WEB, { username: user.username, password: 'reborn-password' });
        assert.equal(decodeJwt((await exchange(op.issuer, WEB, reborn.code)).id_token).sub, again.id);
        const deleted = (await collect(client, { user_id: user.id, type: 'account.deleted' }, 50)).events;
        assert.deepEqual(deleted.map((e) => [e.type, e.actor]), [['account.deleted', 'client:admin']]);
      });
    });

    describe('clients over HTTP (issue 12 §3, RFC 7591, RFC 7592)', () => {
      it('POST /clients registers a confidential client_credentials client (RFC 7591 §3.2.1): a generated client_id, its secret once, usable at the token endpoint at once; GET never shows the secret or its hash; PUT keeps the secret (RFC 7592 §2.2); DELETE removes it and its secret stops working', async () => {
        const client = admin(await tokenFor(ADMIN));
        const registered = await client.POST('/clients', {
          body: { client_name: 'Collector', grant_types: ['client_credentials'], scope: 'signoff.events.read', token_endpoint_auth_method: 'client_secret_basic' },
        });
        const { client: made, client_secret } = ok(registered, 201);
        assert.match(made.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'generated');
        assert.equal(registered.response.headers.get('location'), `clients/${made.client_id}`);
        assert.deepEqual([made.client_name, made.source, made.token_endpoint_auth_method, made.grant_types], ['Collector', 'api', 'client_secret_basic', ['client_credentials']]);
        assert.ok(typeof client_secret === 'string' && client_secret.length >= 32, 'a secret');
        const creds = { client_id: made.client_id, client_secret };
        const token = await clientToken(creds, 'signoff.events.read');
        assert.equal(token.status, 200, JSON.stringify(token.body));
        ok(await admin(token.body.access_token).GET('/events', { params: { query: { limit: 1 } } }));
        problem(await admin(token.body.access_token).GET('/users'), 403, 'insufficient_scope');
        const hash = sha256(client_secret);
        const shownOne = await client.GET('/clients/{client_id}', { params: { path: { client_id: made.client_id } } });
        const one = ok(shownOne);
        assert.deepEqual(one, made);
        const list = await client.GET('/clients', { params: { query: { limit: 200 } } });
        assert.ok(ok(list).clients.some((c) => c.client_id === made.client_id));
        for (const text of [JSON.stringify(one), JSON.stringify(list.data)]) {
          assert.ok(!/"client_secret(_hash)?"/.test(text), 'no secret field');
          for (const secretish of [client_secret, hash.base64url, hash.hex, hash.base64]) assert.ok(!text.includes(secretish), 'neither the secret nor its hash');
        }
        const replaced = ok(await client.PUT('/clients/{client_id}', { params: { path: { client_id: made.client_id } }, body: { client_name: 'Collector 2', grant_types: ['client_credentials'], scope: 'signoff.events.read signoff.deliveries.read' } }));
        assert.deepEqual([replaced.client_name, replaced.scope, replaced.token_endpoint_auth_method], ['Collector 2', 'signoff.events.read signoff.deliveries.read', 'client_secret_basic']);
        assert.ok(!/"client_secret(_hash)?"/.test(JSON.stringify(replaced)), 'no secret field');
        assert.deepEqual(ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: made.client_id } } })), replaced);
        const afterPut = await clientToken(creds, 'signoff.deliveries.read');
        assert.equal(afterPut.status, 200, `the old secret still works: ${JSON.stringify(afterPut.body)}`);
        ok(await admin(afterPut.body.access_token).GET('/deliveries', { params: { query: { limit: 1 } } }));
        const events = (await collect(client, { type: 'client.registered' }, 200)).events.concat((await collect(client, { type: 'client.updated' }, 200)).events);
        assert.deepEqual(events.filter((e) => e.client_id === made.client_id).map((e) => [e.type, e.actor]), [['client.registered', 'client:admin'], ['client.updated', 'client:admin']]);
        assert.equal((await client.DELETE('/clients/{client_id}', { params: { path: { client_id: made.client_id } } })).response.status, 204);
        const gone = await clientToken(creds, 'signoff.events.read');
        assert.deepEqual([gone.status, gone.body.error], [401, 'invalid_client'], 'a removed client gets no token');
        problem(await admin(token.body.access_token).GET('/events'), 401, 'invalid_token');
        problem(await client.GET('/clients/{client_id}', { params: { path: { client_id: made.client_id } } }), 404, 'not_found');
        problem(await client.DELETE('/clients/{client_id}', { params: { path: { client_id: made.client_id } } }), 404, 'not_found');
        const removed = (await collect(client, { type: 'client.removed' }, 200)).events.filter((e) => e.client_id === made.client_id);
        assert.deepEqual(removed.map((e) => e.actor), ['client:admin']);
      });

      it('POST /clients: a public client gets no secret; a taken client_id is 409, also one from the configuration file (RFC 7591 §3.2.1)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const id = fresh('public-app');
        const { client: made, client_secret } = ok(await client.POST('/clients', { body: { client_id: id, token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code'] } }), 201);
        assert.deepEqual([made.client_id, made.token_endpoint_auth_method, made.redirect_uris, client_secret], [id, 'none', ['https://app.example/cb'], undefined]);
        problem(await client.POST('/clients', { body: { client_id: id, grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 409, 'conflict');
        problem(await client.POST('/clients', { body: { client_id: 'web', grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 409, 'conflict');
        // The config client is unchanged: its secret still works.
        assert.equal((await refresh(op.issuer, WEB, 'no-such-token')).body.error, 'invalid_grant', 'web still authenticates');
      });

      it('PUT /clients/{id}: public↔confidential and another client_id are 400 invalid_client_metadata; a configuration file client is 409; an unknown one 404 (RFC 7592 §2.2)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const { client: conf } = ok(await client.POST('/clients', { body: { client_id: fresh('conf'), grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 201);
        const { client: pub } = ok(await client.POST('/clients', { body: { client_id: fresh('pub'), token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] } }), 201);
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: conf.client_id } }, body: { token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: ['https://app.example/cb'] } }), 400, 'invalid_client_metadata');
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: pub.client_id } }, body: { token_endpoint_auth_method: 'client_secret_basic', redirect_uris: ['https://app.example/cb'] } }), 400, 'invalid_client_metadata');
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: conf.client_id } }, body: { client_id: 'another', grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 400, 'invalid_client_metadata');
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: pub.client_id } }, body: { redirect_uris: ['javascript:alert(1)'] } }), 400, 'invalid_redirect_uri');
        // Raw, each: a PUT body the document's ClientInput type forbids (a chosen secret, an unknown field, __proto__).
        const token = await tokenFor(ADMIN);
        // Metadata the schema refuses is invalid_client_metadata (RFC 7591 §3.2.2); a __proto__ key never reaches the schema: the JSON parser refuses it.
        for (const [body, title] of [
          ['{"redirect_uris":["https://app.example/cb"],"client_secret":"chosen-by-the-caller-0123456789-abcdef"}', 'invalid_client_metadata'],
          ['{"redirect_uris":["https://app.example/cb"],"source":"config"}', 'invalid_client_metadata'],
          ['{"redirect_uris":["https://app.example/cb"],"__proto__":{"token_endpoint_auth_method":"client_secret_basic"}}', 'invalid_request'],
        ] as const) problem(await raw(token, 'PUT', `/clients/${encodeURIComponent(pub.client_id)}`, body), 400, title);
        assert.deepEqual(ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: pub.client_id } } })), pub, 'refused PUTs change nothing');
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: 'web' } }, body: { redirect_uris: ['https://evil.example/cb'] } }), 409, 'conflict');
        problem(await client.DELETE('/clients/{client_id}', { params: { path: { client_id: 'web' } } }), 409, 'conflict');
        problem(await client.PUT('/clients/{client_id}', { params: { path: { client_id: 'no-such-client' } }, body: { grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 404, 'not_found');
        problem(await client.GET('/clients/{client_id}', { params: { path: { client_id: 'no-such-client' } } }), 404, 'not_found');
        problem(await client.DELETE('/clients/{client_id}', { params: { path: { client_id: 'no-such-client' } } }), 404, 'not_found');
        const web = ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: 'web' } } }));
        assert.deepEqual([web.source, web.redirect_uris], ['config', [WEB.redirect_uri]]);
      });

      it('GET /clients pages by client_id: each once, in order; bad limit and forged cursor 400 (issue 12 §3)', async () => {
        const client = admin(await tokenFor(ADMIN));
        for (let i = 0; i < 3; i++) ok(await client.POST('/clients', { body: { client_id: fresh('paged'), grant_types: ['client_credentials'], scope: 'signoff.events.read' } }), 201);
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: { limit: number; cursor?: string } = { limit: 3, ...(cursor ? { cursor } : {}) };
          const page = ok(await client.GET('/clients', { params: { query } }));
          assert.ok(page.clients.length <= 3);
          ids.push(...page.clients.map((c) => c.client_id));
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 1000);
        assert.deepEqual(ids, ok(await client.GET('/clients', { params: { query: { limit: 200 } } })).clients.map((c) => c.client_id));
        assert.deepEqual([...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), ids);
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ['web', 'spa', 'ops', 'reader', 'admin']) assert.ok(ids.includes(id), id);
        problem(await client.GET('/clients', { params: { query: { limit: 0 } } }), 400, 'invalid_request');
        problem(await client.GET('/clients', { params: { query: { limit: 201 } } }), 400, 'invalid_request');
        problem(await client.GET('/clients', { params: { query: { cursor: 'bm90LWEtY3Vyc29y' } } }), 400, 'invalid_request');
      });

      it('hostile registrations are 400 per RFC 7591 §3.2.2: control characters in client_id, javascript: and fragment redirect URIs (invalid_redirect_uri), a javascript: logout URI (invalid_client_metadata); __proto__, unknown fields, a chosen secret 400; past 16 KiB 413; nothing registered', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        const cc = { grant_types: ['client_credentials' as const], scope: 'signoff.events.read' };
        for (const client_id of ['a\u0000b', 'a\nb', 'a\u001bb', 'a\u007fb', 'has space', 'é-accent']) {
          problem(await client.POST('/clients', { body: { client_id, ...cc } }), 400, 'invalid_client_metadata');
        }
        const listed = ok(await client.GET('/clients', { params: { query: { limit: 200 } } })).clients.map((c) => c.client_id);
        assert.ok(listed.every((c) => /^[\x21-\x7e]+$/.test(c)), `none registered: ${JSON.stringify(listed)}`);
        const id = fresh('hostile-client');
        const redirect = { client_id: id, grant_types: ['authorization_code' as const] };
        for (const uris of [['javascript:alert(1)'], ['https://app.example/cb#frag'], ['https://app.example/cb#'], ['data:text/html,hi'], ['not a uri']]) {
          problem(await client.POST('/clients', { body: { ...redirect, redirect_uris: uris } }), 400, 'invalid_redirect_uri');
          problem(await client.POST('/clients', { body: { ...redirect, redirect_uris: ['https://app.example/cb'], post_logout_redirect_uris: uris } }), 400, 'invalid_redirect_uri');
        }
        for (const bad of [{ backchannel_logout_uri: 'javascript:alert(1)' }, { backchannel_logout_uri: 'https://rp.example/bcl#x' }, { frontchannel_logout_uri: 'javascript:alert(1)' }]) {
          problem(await client.POST('/clients', { body: { ...redirect, redirect_uris: ['https://app.example/cb'], ...bad } }), 400, 'invalid_client_metadata');
        }
        // Raw, each: a body the document's ClientInput type forbids.
        for (const body of [
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read","__proto__":{"token_endpoint_auth_method":"none"}}`,
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read","constructor":{"prototype":{"polluted":true}}}`,
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read","client_secret":"chosen-by-the-caller-0123456789-abcdef"}`,
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read","is_admin":true}`,
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read","client_name":"${'x'.repeat(17 * 1024)}"}`,
          `{"client_id":"${id}","grant_types":["client_credentials"],"scope":"signoff.events.read"`,
        ]) {
          const r = await raw(token, 'POST', '/clients', body);
          assert.equal(r.response.status, body.length > 16 * 1024 ? 413 : 400, body.slice(0, 120));
          assert.match(r.response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        }
        assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
        problem(await client.GET('/clients/{client_id}', { params: { path: { client_id: id } } }), 404, 'not_found');
        // Duplicate keys: the client registered is the one the answer names, and only that one.
        const dup = await raw(token, 'POST', '/clients', `{"client_id":"${id}-a","grant_types":["client_credentials"],"scope":"signoff.events.read","client_id":"${id}-b"}`);
        if (dup.response.status === 201) {
          const made = (dup.error as unknown as { client: { client_id: string } }).client.client_id;
          ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: made } } }));
          problem(await client.GET('/clients/{client_id}', { params: { path: { client_id: made === `${id}-a` ? `${id}-b` : `${id}-a` } } }), 404, 'not_found');
        } else problem(dup, 400, 'invalid_request');
      });

      it('a NUL or another control character in a path or query parameter is 400 invalid_request on both stores, never a 500 (issue 12 §4, RFC 9457)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const statuses: Record<string, number> = {};
        for (const bad of ['a\u0000b', 'a\u001fb', 'a\u007fb']) {
          const calls: [string, () => Promise<{ response: Response }>][] = [
            ['GET /clients/{id}', () => client.GET('/clients/{client_id}', { params: { path: { client_id: bad } } })],
            ['GET /users/{id}', () => client.GET('/users/{user_id}', { params: { path: { user_id: bad } } })],
            ['GET /sessions/{id}', () => client.GET('/sessions/{session_id}', { params: { path: { session_id: bad } } })],
            ['POST /deliveries/{id}/retry', () => client.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: bad } } })],
            ['GET /users?username=', () => client.GET('/users', { params: { query: { username: bad } } })],
            ['GET /events?user_id=', () => client.GET('/events', { params: { query: { user_id: bad } } })],
            ['GET /deliveries?client_id=', () => client.GET('/deliveries', { params: { query: { client_id: bad } } })],
            ['GET /sessions?client_id=', () => client.GET('/sessions', { params: { query: { client_id: bad } } })],
          ];
          for (const [name, call] of calls) statuses[`${name} ${JSON.stringify(bad)}`] = (await call()).response.status;
        }
        assert.deepEqual(new Set(Object.values(statuses)), new Set([400]), JSON.stringify(statuses));
      });

      it('POST /clients with access_token_format "opaque" (issue 18): GET shows it, the default is "jwt", and any other value is 400 invalid_client_metadata (RFC 7591 §3.2.2)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        const id = fresh('opaque-app');
        const base = { token_endpoint_auth_method: 'none' as const, redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code' as const] };
        ok(await client.POST('/clients', { body: { ...base, client_id: id, access_token_format: 'opaque' } }), 201);
        assert.equal(ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: id } } }), 200).access_token_format, 'opaque');
        const plain = fresh('jwt-app');
        ok(await client.POST('/clients', { body: { ...base, client_id: plain } }), 201);
        assert.equal(ok(await client.GET('/clients/{client_id}', { params: { path: { client_id: plain } } }), 200).access_token_format, 'jwt');
        for (const bad of ['paseto', 'OPAQUE', '', 7, null]) {
          problem(await raw(token, 'POST', '/clients', JSON.stringify({ ...base, client_id: fresh('bad-format'), access_token_format: bad })), 400, 'invalid_client_metadata');
        }
      });

      it('metadata the schema refuses (an unsupported grant type, a redirect URI too long) is invalid_client_metadata / invalid_redirect_uri like any other bad metadata (RFC 7591 §3.2.2)', async () => {
        const token = await tokenFor(ADMIN);
        // Raw: the types forbid a grant type outside the enum.
        problem(await raw(token, 'POST', '/clients', JSON.stringify({ client_id: fresh('implicit'), grant_types: ['implicit'] })), 400, 'invalid_client_metadata');
        problem(await admin(token).POST('/clients', { body: { client_id: fresh('long'), redirect_uris: [`https://app.example/${'x'.repeat(2001)}`] } }), 400, 'invalid_redirect_uri');
      });
    });

    describe('events over HTTP (issue 12 §3)', () => {
      it('a collector following GET /events with `after` sees each event exactly once across pages, oldest first in id order, filtered by user_id and type; an empty page keeps the cursor and the same cursor later returns only newer events; API changes have the actor client:<id> (issue 12 §2, §3)', async () => {
        const client = admin(await tokenFor(ADMIN));
        const { user } = await createUser(client, 'followed');
        for (let i = 0; i < 4; i++) ok(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { claims: { n: i } } }));
        ok(await client.PATCH('/users/{user_id}', { params: { path: { user_id: user.id } }, body: { disabled: true } }));
        const first = await collect(client, { user_id: user.id }, 2);
        assert.deepEqual(first.pages, [2, 2, 2, 0], 'six events in pages of two, then an empty page');
        assert.deepEqual(first.events.map((e) => e.type), ['account.created', 'account.updated', 'account.updated', 'account.updated', 'account.updated', 'account.updated']);
        const ids = first.events.map((e) => e.id);
        assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'in id order');
        assert.equal(new Set(ids).size, ids.length, 'each once');
        assert.ok(first.events.every((e) => e.user_id === user.id && e.actor === 'client:admin'), JSON.stringify(first.events));
        assert.deepEqual(first.events.map((e) => e.reason).slice(1), ['claims', 'claims', 'claims', 'claims', 'disabled']);
        // Caught up: the same cursor again returns nothing, then only what happened since.
        assert.deepEqual(ok(await client.GET('/events', { params: { query: { user_id: user.id, after: first.cursor } } })), { events: [], next_cursor: first.cursor });
        ok(await client.DELETE('/users/{user_id}', { params: { path: { user_id: user.id } } }));
        const later = await collect(client, { user_id: user.id }, 2, first.cursor);
        assert.deepEqual(later.events.map((e) => [e.type, e.actor]), [['account.deleted', 'client:admin']]);
        assert.ok((later.events[0] as AuditEvent).id > (ids.at(-1) as number));
        const updates = await collect(client, { user_id: user.id, type: 'account.updated' }, 3);
        assert.deepEqual(updates.events.map((e) => e.id), ids.slice(1), 'type filters, in the same order');
        // Without a filter the collector sees the same events among the others, once each.
        const everything = await collect(client, {}, 200);
        const seen = everything.events.map((e) => e.id);
        assert.equal(new Set(seen).size, seen.length);
        assert.deepEqual([...seen].sort((x, y) => x - y), seen);
        assert.deepEqual(everything.events.filter((e) => e.user_id === user.id).map((e) => e.id), [...ids, (later.events[0] as AuditEvent).id]);
      });

      it('GET /events?session_id= lists a session’s events; ending it over the API is a session.ended event with the reason and the actor client:<id> (issue 12 §2, §3)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        const { user, password } = await createUser(client, 'evented');
        const { code } = await signInFresh(op.issuer, WEB, { username: user.username, password });
        await exchange(op.issuer, WEB, code);
        const [session] = await activeSessionsOf(token, user.id);
        assert.ok(session);
        assert.equal((await client.DELETE('/sessions/{session_id}', { params: { path: { session_id: session.id } } })).response.status, 204);
        const events = (await collect(client, { session_id: session.id }, 50)).events;
        assert.ok(events.length >= 2 && events.every((e) => e.session_id === session.id), JSON.stringify(events));
        assert.equal(events[0]?.type, 'session.created');
        const ended = events.filter((e) => e.type === 'session.ended');
        assert.deepEqual(ended.map((e) => [e.user_id, e.reason, e.actor]), [[user.id, 'admin', 'client:admin']]);
      });

      it('GET /events: 400 for limit 0 or 201, a forged `after`, an unknown type (issue 12 §3)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        problem(await client.GET('/events', { params: { query: { limit: 0 } } }), 400, 'invalid_request');
        problem(await client.GET('/events', { params: { query: { limit: 201 } } }), 400, 'invalid_request');
        for (const after of ['not-a-cursor', Buffer.from('[-1]').toString('base64url'), Buffer.from('["1"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
          problem(await client.GET('/events', { params: { query: { after } } }), 400, 'invalid_request');
        }
        // Raw: the types forbid an event type outside the enum.
        problem(await raw(token, 'GET', '/events?type=account.hacked'), 400, 'invalid_request');
        const page = ok(await client.GET('/events', { params: { query: { limit: 200 } } }));
        assert.ok(page.events.length > 0 && page.events.length <= 200);
      });
    });

    describe('back-channel deliveries over HTTP (issue 12 §3, OIDC Back-Channel Logout §2.7)', () => {
      it('a notification to a port nobody listens on is failed after backchannel.giveUpAfter; POST /deliveries/{id}/retry makes it due at once and, the URI fixed over PUT, it is delivered and verified; a delivered or unknown one is 404', async () => {
        const client = admin(await tokenFor(ADMIN));
        const dead = await freePort();
        const metadata = { client_name: 'Flaky', redirect_uris: ['http://127.0.0.1:5009/cb'], grant_types: ['authorization_code' as const], token_endpoint_auth_method: 'client_secret_basic' as const };
        const { client: rp, client_secret } = ok(await client.POST('/clients', { body: { client_id: fresh('flaky'), ...metadata, backchannel_logout_uri: `http://127.0.0.1:${dead}/bcl` } }), 201);
        assert.ok(client_secret);
        const app: TestClient = { client_id: rp.client_id, client_secret, redirect_uri: 'http://127.0.0.1:5009/cb' };
        const { user, password } = await createUser(client, 'notified');
        const { code } = await signInFresh(op.issuer, app, { username: user.username, password });
        const sid = decodeJwt((await exchange(op.issuer, app, code)).id_token).sid as string;
        const ended = ok(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: user.id } }, body: {} }));
        assert.equal(ended.ended, 1);
        const failed = await eventually(async () => {
          const rows = ok(await client.GET('/deliveries', { params: { query: { client_id: rp.client_id, status: 'failed' } } })).deliveries;
          return rows.length > 0 ? rows : undefined;
        }, 'the failed delivery', 15_000);
        assert.equal(failed.length, 1);
        const row = failed[0] as Delivery;
        assert.deepEqual([row.client_id, row.user_id, row.sid, row.reason, row.status, row.next_attempt_at], [rp.client_id, user.id, sid, 'admin', 'failed', null]);
        assert.ok(row.attempts >= 1 && row.last_error && row.finished_at, JSON.stringify(row));
        ok(await client.PUT('/clients/{client_id}', { params: { path: { client_id: rp.client_id } }, body: { ...metadata, backchannel_logout_uri: rx.url } }));
        const before = rx.received.length;
        assert.equal((await client.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: row.id } } })).response.status, 204);
        await rx.waitFor(before + 1, 10_000);
        const keys = await jwks();
        const mine = [];
        for (const r of rx.received.slice(before)) {
          const { payload } = await jwtVerify(r.logoutToken, keys, { issuer: op.issuer, typ: 'logout+jwt' });
          if (payload.aud === rp.client_id || (Array.isArray(payload.aud) && payload.aud.includes(rp.client_id))) mine.push(payload);
        }
        assert.deepEqual(mine.map((p) => [p.sub, p.sid]), [[user.id, sid]]);
        const delivered = await eventually(async () => {
          const rows = ok(await client.GET('/deliveries', { params: { query: { client_id: rp.client_id } } })).deliveries;
          return rows[0]?.status === 'delivered' ? rows : undefined;
        }, 'the delivered row');
        assert.equal(delivered.length, 1, 'the same row, not a new one');
        assert.deepEqual([delivered[0]?.id, delivered[0]?.next_attempt_at], [row.id, null]);
        assert.ok(delivered[0]?.retried_at && delivered[0].finished_at);
        const retried = (await collect(client, { type: 'delivery.retried' }, 200)).events.filter((e) => e.reason === row.id);
        assert.deepEqual(retried.map((e) => e.actor), ['client:admin']);
        problem(await client.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: row.id } } }), 404, 'not_found');
        problem(await client.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: 'no-such-delivery' } } }), 404, 'not_found');
      });

      it('GET /deliveries pages oldest first with a cursor, each once; filters by status, client_id and session_id; 400 for a bad limit, status or cursor (issue 12 §3)', async () => {
        const token = await tokenFor(ADMIN);
        const client = admin(token);
        const { user, password } = await createUser(client, 'delivered');
        for (let i = 0; i < 3; i++) await exchange(op.issuer, WEB, (await signInFresh(op.issuer, WEB, { username: user.username, password })).code);
        const sessions = await activeSessionsOf(token, user.id);
        assert.equal(ok(await client.POST('/users/{user_id}/logout', { params: { path: { user_id: user.id } }, body: {} })).ended, 3);
        await eventually(async () => {
          const rows = ok(await client.GET('/deliveries', { params: { query: { client_id: 'web', status: 'delivered', limit: 200 } } })).deliveries.filter((d) => d.user_id === user.id);
          return rows.length === 3 ? rows : undefined;
        }, 'three delivered rows');
        const rows: Delivery[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: { limit: number; cursor?: string } = { limit: 2, ...(cursor ? { cursor } : {}) };
          const page = ok(await client.GET('/deliveries', { params: { query } }));
          assert.ok(page.deliveries.length <= 2);
          rows.push(...page.deliveries);
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 1000);
        assert.ok(pages >= 2, `${pages} pages`);
        assert.deepEqual(rows.map((d) => d.id), ok(await client.GET('/deliveries', { params: { query: { limit: 200 } } })).deliveries.map((d) => d.id));
        assert.equal(new Set(rows.map((d) => d.id)).size, rows.length, 'each once');
        const keys = rows.map((d) => [Date.parse(d.created_at), d.id] as const);
        for (let i = 1; i < keys.length; i++) {
          const [p, q] = [keys[i - 1]!, keys[i]!];
          assert.ok(p[0] < q[0] || (p[0] === q[0] && Buffer.compare(Buffer.from(p[1]), Buffer.from(q[1])) < 0), 'oldest first');
        }
        assert.deepEqual(rows.filter((d) => d.user_id === user.id).map((d) => d.session_id).sort(), sessions.map((s) => s.id).sort());
        const one = sessions[0]!;
        const bySession = ok(await client.GET('/deliveries', { params: { query: { session_id: one.id } } })).deliveries;
        assert.deepEqual(bySession.map((d) => [d.session_id, d.client_id, d.status]), [[one.id, 'web', 'delivered']]);
        const webOnly = ok(await client.GET('/deliveries', { params: { query: { client_id: 'web', limit: 200 } } })).deliveries;
        assert.ok(webOnly.length >= 3 && webOnly.every((d) => d.client_id === 'web'));
        for (const status of ['pending', 'failed', 'delivered'] as const) {
          assert.ok(ok(await client.GET('/deliveries', { params: { query: { status, limit: 200 } } })).deliveries.every((d) => d.status === status), status);
        }
        assert.deepEqual(ok(await client.GET('/deliveries', { params: { query: { client_id: 'no-such-client' } } })), { deliveries: [], next_cursor: null });
        problem(await client.POST('/deliveries/{delivery_id}/retry', { params: { path: { delivery_id: bySession[0]!.id } } }), 404, 'not_found');
        problem(await client.GET('/deliveries', { params: { query: { limit: 0 } } }), 400, 'invalid_request');
        problem(await client.GET('/deliveries', { params: { query: { limit: 201 } } }), 400, 'invalid_request');
        for (const c of ['not-a-cursor', Buffer.from('["x","y"]').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
          problem(await client.GET('/deliveries', { params: { query: { cursor: c } } }), 400, 'invalid_request');
        }
        // Raw: the types forbid a status outside the enum.
        problem(await raw(token, 'GET', '/deliveries?status=lost'), 400, 'invalid_request');
      });
    });
  });
};
